# scaled-index load, the counter as the index
.intel_syntax noprefix
loop:
    mov rdx, qword ptr [rsi + rcx*8]
    add rax, rdx
    dec rcx
    jnz loop
