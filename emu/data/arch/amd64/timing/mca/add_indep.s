# 8 independent integer adds (ALU throughput)
.intel_syntax noprefix
loop:
    add rax, r15
    add rbx, r15
    add rdx, r15
    add rsi, r15
    add rdi, r15
    add r8, r15
    add r9, r15
    add r10, r15
    dec rcx
    jnz loop
