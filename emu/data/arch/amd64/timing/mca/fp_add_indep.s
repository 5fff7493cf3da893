# 4 independent scalar double adds (FP add throughput)
.intel_syntax noprefix
loop:
    addsd xmm0, xmm8
    addsd xmm1, xmm8
    addsd xmm2, xmm8
    addsd xmm3, xmm8
    dec rcx
    jnz loop
