# dependent 64-bit divides (divider latency)
.intel_syntax noprefix
loop:
    xor edx, edx
    div rbx
    dec rcx
    jnz loop
