# bench: 1000000 locked increments of one counter
    .globl _start
    .text
_start:
    lea rdi, [rip + counter]
    mov rcx, 1000000
again:
    mov eax, 1
    lock
    xadd dword ptr [rdi], eax
    dec rcx
    jnz again
done:
    mov eax, 60
    xor edi, edi
    syscall
    .section .bss
counter: .space 8
