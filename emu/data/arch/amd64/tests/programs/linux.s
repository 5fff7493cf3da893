# Linux semantics that qemu-user does not reproduce (emu only): mincore at an address that
# is not page aligned is -EINVAL (qemu says -ENOMEM), a free hint address is honoured, and a
# mapping beyond --mem-limit (run with --mem-limit 16M) is -ENOMEM.
    .globl _start
    .text
_start:
    mov     r15d, 1                 # p = mmap(0, 2 pages, RW, PRIVATE|ANON)
    mov     eax, 9
    xor     edi, edi
    mov     esi, 8192
    mov     edx, 3
    mov     r10d, 0x22
    mov     r8, -1
    xor     r9d, r9d
    syscall
    cmp     rax, -4096
    ja      fail
    mov     rbx, rax

    mov     r15d, 2                 # mincore(p+1, 1 page) == -EINVAL
    mov     eax, 27
    lea     rdi, [rbx+1]
    mov     esi, 4096
    lea     rdx, [rip + vec]
    syscall
    cmp     rax, -22
    jne     fail

    mov     r15d, 3                 # mincore(p+4096, 4096): 4 KiB pages here, so 0
    mov     eax, 27
    lea     rdi, [rbx+4096]
    mov     esi, 4096
    lea     rdx, [rip + vec]
    syscall
    test    rax, rax
    jnz     fail

    mov     r15d, 4                 # mmap(hint 0x200000000, 1 page) returns the hint
    mov     eax, 9
    mov     rdi, 0x200000000
    mov     esi, 4096
    mov     edx, 3
    mov     r10d, 0x22
    mov     r8, -1
    xor     r9d, r9d
    syscall
    mov     rcx, 0x200000000
    cmp     rax, rcx
    jne     fail

    mov     r15d, 5                 # mmap(0, 64 MiB) beyond --mem-limit 16M == -ENOMEM
    mov     eax, 9
    xor     edi, edi
    mov     esi, 0x4000000
    mov     edx, 3
    mov     r10d, 0x22
    mov     r8, -1
    xor     r9d, r9d
    syscall
    cmp     rax, -12
    jne     fail

    mov     r15d, 6                 # brk(+64 MiB) fails: the break stays where it was
    mov     eax, 12
    xor     edi, edi
    syscall
    mov     r12, rax
    mov     eax, 12
    lea     rdi, [r12 + 0x4000000]
    syscall
    cmp     rax, r12
    jne     fail

    mov     eax, 1
    mov     edi, 1
    lea     rsi, [rip + okmsg]
    mov     edx, 9
    syscall
    xor     r15d, r15d
fail:
    mov     edi, r15d
    mov     eax, 231
    syscall

    .data
okmsg:
    .ascii  "linux ok\n"
    .bss
vec:
    .zero   16
