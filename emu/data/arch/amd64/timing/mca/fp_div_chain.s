# dependent scalar double divides (FP divider latency)
.intel_syntax noprefix
loop:
    divsd xmm0, xmm1
    dec rcx
    jnz loop
