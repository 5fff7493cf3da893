# dependent chain of 2 scalar double adds (FP add latency)
.intel_syntax noprefix
loop:
    addsd xmm0, xmm1
    addsd xmm0, xmm1
    dec rcx
    jnz loop
