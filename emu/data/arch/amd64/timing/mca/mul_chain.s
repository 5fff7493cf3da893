# dependent chain of 2 multiplies (multiply latency)
.intel_syntax noprefix
loop:
    imul rax, rbx
    imul rax, rbx
    dec rcx
    jnz loop
