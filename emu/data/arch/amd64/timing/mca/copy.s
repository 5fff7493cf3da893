# copy loop: load -> store, pointers bumped (issue 16: zen2 8.33 vs llvm-mca 1.51)
.intel_syntax noprefix
loop:
    mov rax, qword ptr [rsi]
    mov qword ptr [rdi], rax
    add rsi, 8
    add rdi, 8
    dec rcx
    jnz loop
