# dependent shift / xor / shift chain
.intel_syntax noprefix
loop:
    shl rax, 3
    xor rax, rbx
    shr rax, 1
    dec rcx
    jnz loop
