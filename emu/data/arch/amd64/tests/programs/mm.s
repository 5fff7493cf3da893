# mmap, write, partial munmap, mincore (-ENOMEM on the hole),
# MAP_FIXED, madvise(DONTNEED) zeroes, brk, then mprotect read-only and write: SIGSEGV (139).
# Exit status on failure = the failing step (r15).
    .globl _start
    .text
_start:
    mov     r15d, 1                 # p = mmap(0, 4 pages, RW, PRIVATE|ANON, -1, 0)
    mov     eax, 9
    xor     edi, edi
    mov     esi, 16384
    mov     edx, 3
    mov     r10d, 0x22
    mov     r8, -1
    xor     r9d, r9d
    syscall
    cmp     rax, -4096
    ja      fail
    mov     rbx, rax
    mov     byte ptr [rbx], 1       # touch every page
    mov     byte ptr [rbx+4096], 2
    mov     byte ptr [rbx+8192], 3
    mov     byte ptr [rbx+12288], 4

    mov     r15d, 2                 # munmap(p+1 page, 1 page) == 0
    mov     eax, 11
    lea     rdi, [rbx+4096]
    mov     esi, 4096
    syscall
    test    rax, rax
    jnz     fail

    mov     r15d, 3                 # mincore(p, 4 pages) == -ENOMEM (hole)
    mov     eax, 27
    mov     rdi, rbx
    mov     esi, 16384
    lea     rdx, [rip + vec]
    syscall
    cmp     rax, -12
    jne     fail

    mov     r15d, 4                 # mincore(p, 1 page) == 0 and resident
    mov     eax, 27
    mov     rdi, rbx
    mov     esi, 4096
    lea     rdx, [rip + vec]
    syscall
    test    rax, rax
    jnz     fail
    movzx   eax, byte ptr [rip + vec]
    and     eax, 1
    jz      fail

    mov     r15d, 5                 # mincore(p+2 pages, 2 pages) == 0
    mov     eax, 27
    lea     rdi, [rbx+8192]
    mov     esi, 8192
    lea     rdx, [rip + vec]
    syscall
    test    rax, rax
    jnz     fail

    mov     r15d, 6                 # mincore(p+1 page, 1 byte) == -ENOMEM
    mov     eax, 27
    lea     rdi, [rbx+4096]
    mov     esi, 1
    lea     rdx, [rip + vec]
    syscall
    cmp     rax, -12
    jne     fail

    mov     r15d, 8                 # the pages around the hole kept their bytes
    cmp     byte ptr [rbx+8192], 3
    jne     fail
    cmp     byte ptr [rbx+12288], 4
    jne     fail

    mov     r15d, 7                 # madvise(p+2 pages, 1 page, MADV_DONTNEED) zeroes it
    mov     eax, 28
    lea     rdi, [rbx+8192]
    mov     esi, 4096
    mov     edx, 4
    syscall
    test    rax, rax
    jnz     fail
    cmp     byte ptr [rbx+8192], 0
    jne     fail

    mov     r15d, 9                 # munmap(p+1, 1 page) == -EINVAL
    mov     eax, 11
    lea     rdi, [rbx+1]
    mov     esi, 4096
    syscall
    cmp     rax, -22
    jne     fail

    mov     r15d, 10                # mmap(p+1 page, 1 page, RW, PRIVATE|ANON|FIXED) == p+1 page
    mov     eax, 9
    lea     rdi, [rbx+4096]
    mov     esi, 4096
    mov     edx, 3
    mov     r10d, 0x32
    mov     r8, -1
    xor     r9d, r9d
    syscall
    lea     rcx, [rbx+4096]
    cmp     rax, rcx
    jne     fail
    mov     r15d, 11                # now the whole range is mapped again
    mov     eax, 27
    mov     rdi, rbx
    mov     esi, 16384
    lea     rdx, [rip + vec]
    syscall
    test    rax, rax
    jnz     fail
    cmp     byte ptr [rbx+4096], 0  # a fresh fixed mapping is zeroed
    jne     fail

    mov     r15d, 12                # brk(0), brk(+3 pages), write there
    mov     eax, 12
    xor     edi, edi
    syscall
    mov     r12, rax
    mov     eax, 12
    lea     rdi, [r12+12288]
    syscall
    lea     rcx, [r12+12288]
    cmp     rax, rcx
    jne     fail
    mov     byte ptr [r12+12287], 7

    mov     r15d, 13                # write(1, "mm ok\n")
    mov     eax, 1
    mov     edi, 1
    lea     rsi, [rip + okmsg]
    mov     edx, 6
    syscall

    mov     r15d, 14                # mprotect(p, 1 page, PROT_READ) == 0
    mov     eax, 10
    mov     rdi, rbx
    mov     esi, 4096
    mov     edx, 1
    syscall
    test    rax, rax
    jnz     fail
    mov     al, byte ptr [rbx]      # reading is fine
    mov     byte ptr [rbx], 9       # writing faults: SIGSEGV, exit status 139
    mov     r15d, 15
fail:
    mov     edi, r15d
    mov     eax, 231
    syscall

    .data
okmsg:
    .ascii  "mm ok\n"
    .bss
vec:
    .zero   256
