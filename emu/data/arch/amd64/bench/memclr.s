# bench: clear 1 MiB with a qword store loop, 16 times
    .globl _start
    .text
_start:
    mov r12, 16
    xor eax, eax
outer:
    lea rdi, [rip + dst]
    mov rcx, 131072
clear:
    mov qword ptr [rdi], rax
    add rdi, 8
    dec rcx
    jnz clear
    dec r12
    jnz outer
done:
    mov eax, 60
    xor edi, edi
    syscall
    .section .bss
dst: .space 1048576
