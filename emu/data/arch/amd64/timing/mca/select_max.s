# max reduction with a conditional move
.intel_syntax noprefix
loop:
    mov rdx, qword ptr [rsi]
    cmp rax, rdx
    cmovl rax, rdx
    add rsi, 8
    dec rcx
    jnz loop
