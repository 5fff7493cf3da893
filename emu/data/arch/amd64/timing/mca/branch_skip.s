# a forward branch inside the loop body (two blocks): sum of the non-zero elements
.intel_syntax noprefix
loop:
    mov rdx, qword ptr [rsi]
    test rdx, rdx
    jz skip
    add rax, rdx
skip:
    add rsi, 8
    dec rcx
    jnz loop
