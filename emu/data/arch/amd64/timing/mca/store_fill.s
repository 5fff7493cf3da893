# fill: one store per iteration (store throughput)
.intel_syntax noprefix
loop:
    mov qword ptr [rdi], rax
    add rdi, 8
    dec rcx
    jnz loop
