# store then reload of the same slot: a chain through memory (store-to-load forwarding)
.intel_syntax noprefix
loop:
    mov qword ptr [rdi], rax
    mov rax, qword ptr [rdi]
    add rax, 1
    dec rcx
    jnz loop
