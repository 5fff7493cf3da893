# reduction: separate load and add, one accumulator (a 1-cycle loop-carried add)
.intel_syntax noprefix
loop:
    mov rdx, qword ptr [rsi]
    add rax, rdx
    add rsi, 8
    dec rcx
    jnz loop
