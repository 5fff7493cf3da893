# bench: 4 threads (3 clones + main) each add 1 to one counter 250000 times with
# `lock xadd`; main joins through CLONE_CHILD_CLEARTID + futex; exit 0 iff total is exact.
    .equ    PER_THREAD, 250000
    .equ    FLAGS, 0x250f00         # VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|CHILD_CLEARTID
    .globl _start
    .text
_start:
    xor     r12d, r12d              # thread index 0..2
1:  mov     eax, 56                 # clone(FLAGS, stack_top[i], 0, &tid[i], 0)
    mov     edi, FLAGS
    lea     rsi, [rip + stacks]
    mov     rbx, r12
    inc     rbx
    shl     rbx, 14
    add     rsi, rbx
    lea     r10, [rip + tids]
    lea     r10, [r10 + r12*4]
    xor     edx, edx
    xor     r8d, r8d
    mov     dword ptr [r10], 1
    syscall
    test    rax, rax
    jz      worker_exit
    inc     r12
    cmp     r12, 3
    jne     1b
    call    work
    xor     r12d, r12d
2:  lea     rdi, [rip + tids]       # join: while (tid[i]) futex_wait(&tid[i], tid[i])
    lea     rdi, [rdi + r12*4]
    mov     edx, dword ptr [rdi]
    test    edx, edx
    jz      3f
    mov     eax, 202
    xor     esi, esi
    xor     r10d, r10d
    syscall
    jmp     2b
3:  inc     r12
    cmp     r12, 3
    jne     2b
    xor     edi, edi
    cmp     dword ptr [rip + counter], 4 * PER_THREAD
    setne   dil
    mov     eax, 231
    syscall

worker_exit:
    call    work
    xor     edi, edi
    mov     eax, 60
    syscall

work:
    mov     ecx, PER_THREAD
4:  mov     eax, 1
    lock xadd dword ptr [rip + counter], eax
    dec     ecx
    jnz     4b
done:
    ret

    .data
    .balign 8
counter:
    .long   0
tids:
    .long   0, 0, 0
    .bss
    .balign 16
stacks:
    .zero   4 * 16384
