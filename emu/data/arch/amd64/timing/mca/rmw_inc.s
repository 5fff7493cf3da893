# read-modify-write increment of one memory word
.intel_syntax noprefix
loop:
    add qword ptr [rdi], 1
    dec rcx
    jnz loop
