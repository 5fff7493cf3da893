# dependent lea chain (address arithmetic latency)
.intel_syntax noprefix
loop:
    lea rax, [rax + rax*2]
    lea rax, [rax + 8]
    dec rcx
    jnz loop
