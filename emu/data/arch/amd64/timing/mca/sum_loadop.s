# reduction with a folded load: the accumulator chain is the add, not the load
.intel_syntax noprefix
loop:
    add rax, qword ptr [rsi]
    add rsi, 8
    dec rcx
    jnz loop
