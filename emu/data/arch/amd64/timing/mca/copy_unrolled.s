# copy, unrolled 4x: four independent load -> store pairs per iteration
.intel_syntax noprefix
loop:
    mov rax, qword ptr [rsi]
    mov qword ptr [rdi], rax
    mov rdx, qword ptr [rsi + 8]
    mov qword ptr [rdi + 8], rdx
    mov r8, qword ptr [rsi + 16]
    mov qword ptr [rdi + 16], r8
    mov r9, qword ptr [rsi + 24]
    mov qword ptr [rdi + 24], r9
    add rsi, 32
    add rdi, 32
    dec rcx
    jnz loop
