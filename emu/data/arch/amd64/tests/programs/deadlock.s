# A deliberate deadlock: a child thread waits on futex a, the parent on futex b, and
# nobody ever wakes either. emu must report both threads (exit status 2), not hang.
    .globl _start
    .text
_start:
    mov     eax, 56                 # clone(thread flags, stack, 0, 0, 0)
    mov     edi, 0x50f00
    lea     rsi, [rip + stack_top]
    xor     edx, edx
    xor     r10d, r10d
    xor     r8d, r8d
    syscall
    lea     rdi, [rip + futex_b]
    test    rax, rax
    jnz     1f
    lea     rdi, [rip + futex_a]
1:
    mov     eax, 202                # futex(word, FUTEX_WAIT, 0, NULL): forever
    xor     esi, esi
    xor     edx, edx
    xor     r10d, r10d
    syscall
    mov     edi, 1
    mov     eax, 231
    syscall

    .data
futex_a:
    .long   0
futex_b:
    .long   0
    .bss
    .balign 16
stack:
    .zero   4096
stack_top:
