# reduction, unrolled 2x with two accumulators
.intel_syntax noprefix
loop:
    mov rdx, qword ptr [rsi]
    add rax, rdx
    mov r8, qword ptr [rsi + 8]
    add rbx, r8
    add rsi, 16
    dec rcx
    jnz loop
