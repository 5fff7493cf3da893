# 4 independent multiplies (multiply throughput)
.intel_syntax noprefix
loop:
    imul rax, r15
    imul rbx, r15
    imul rdx, r15
    imul rsi, r15
    dec rcx
    jnz loop
