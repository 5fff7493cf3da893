# dot product: two loads, a multiply, an accumulating add (FP add latency bound)
.intel_syntax noprefix
loop:
    movsd xmm1, qword ptr [rsi]
    movsd xmm2, qword ptr [rdi]
    mulsd xmm1, xmm2
    addsd xmm0, xmm1
    add rsi, 8
    add rdi, 8
    dec rcx
    jnz loop
