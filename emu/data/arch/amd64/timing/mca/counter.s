# empty counted loop: decrement and branch
.intel_syntax noprefix
loop:
    dec rcx
    jnz loop
