# dependent chain of 4 integer adds (ALU latency)
.intel_syntax noprefix
loop:
    add rax, rbx
    add rax, rbx
    add rax, rbx
    add rax, rbx
    dec rcx
    jnz loop
