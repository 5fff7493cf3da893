# clone a thread (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID);
# both threads add 1 to a shared counter 100000 times with `lock xadd`; the parent joins
# through the CLONE_CHILD_CLEARTID word + futex and prints the exact total in hex.
# The child also checks that CLONE_SETTLS set its FS base.
    .globl _start
    .text
_start:
    mov     r15d, 1                 # clone(flags, stack, &tid, &tid, &tls)
    mov     eax, 56
    mov     edi, 0x3d0f00
    lea     rsi, [rip + stack_top]
    lea     rdx, [rip + tid]
    lea     r10, [rip + tid]
    lea     r8, [rip + tls]
    syscall
    cmp     rax, -4096
    ja      fail
    test    rax, rax
    jz      child

    mov     ecx, 100000             # parent's half of the work
1:
    mov     eax, 1
    lock xadd dword ptr [rip + counter], eax
    dec     ecx
    jnz     1b

2:                                  # join: while (tid != 0) futex_wait(&tid, tid)
    mov     edx, dword ptr [rip + tid]
    test    edx, edx
    jz      3f
    mov     eax, 202
    lea     rdi, [rip + tid]
    xor     esi, esi
    xor     r10d, r10d
    syscall
    jmp     2b
3:
    mov     r15d, 2                 # the child saw its TLS
    cmp     dword ptr [rip + tls_ok], 1
    jne     fail

    mov     eax, dword ptr [rip + counter]
    lea     rdi, [rip + digits + 7] # format the counter as 8 hex digits
    lea     r8, [rip + hexchars]
    mov     ecx, 8
4:
    mov     edx, eax
    and     edx, 15
    mov     dl, byte ptr [r8 + rdx]
    mov     byte ptr [rdi], dl
    dec     rdi
    shr     eax, 4
    dec     ecx
    jnz     4b
    mov     eax, 1
    mov     edi, 1
    lea     rsi, [rip + msg]
    mov     edx, 17
    syscall
    mov     r15d, 3
    cmp     dword ptr [rip + counter], 200000
    jne     fail
    xor     r15d, r15d
fail:
    mov     edi, r15d
    mov     eax, 231
    syscall

child:
    mov     rax, qword ptr fs:[0]   # the word at the FS base is the TLS block's magic
    cmp     rax, 0x5eed
    jne     5f
    mov     dword ptr [rip + tls_ok], 1
5:
    mov     ecx, 100000
6:
    mov     eax, 1
    lock xadd dword ptr [rip + counter], eax
    dec     ecx
    jnz     6b
    xor     edi, edi                # exit(0): this thread only
    mov     eax, 60
    syscall

    .data
    .balign 8
tls:
    .quad   0x5eed
counter:
    .long   0
tid:
    .long   0
tls_ok:
    .long   0
msg:
    .ascii  "total 0x"
digits:
    .ascii  "00000000\n"
hexchars:
    .ascii  "0123456789abcdef"
    .bss
    .balign 16
stack:
    .zero   65536
stack_top:
