# pointer chasing: each load's address is the previous load's result (load latency)
.intel_syntax noprefix
loop:
    mov rax, qword ptr [rax]
    dec rcx
    jnz loop
