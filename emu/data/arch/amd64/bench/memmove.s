# bench: copy 1 MiB with a qword load/store loop, 16 times
    .globl _start
    .text
_start:
    mov r12, 16
outer:
    lea rsi, [rip + src]
    lea rdi, [rip + dst]
    mov rcx, 131072
copy:
    mov rax, qword ptr [rsi]
    mov qword ptr [rdi], rax
    add rsi, 8
    add rdi, 8
    dec rcx
    jnz copy
    dec r12
    jnz outer
done:
    mov eax, 60
    xor edi, edi
    syscall
    .section .bss
src: .space 1048576
dst: .space 1048576
