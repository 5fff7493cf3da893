# dependent chain of 2 scalar double multiplies (FP multiply latency)
.intel_syntax noprefix
loop:
    mulsd xmm0, xmm1
    mulsd xmm0, xmm1
    dec rcx
    jnz loop
