# futex: -EAGAIN when the word differs, -ETIMEDOUT after a 10 ms relative timeout (and at
# least 10 ms of CLOCK_MONOTONIC passed), FUTEX_WAKE with no waiter wakes 0, and
# FUTEX_WAIT_BITSET with an absolute deadline 10 ms ahead times out too.
    .globl _start
    .text
_start:
    mov     r15d, 1                 # futex(&word, FUTEX_WAIT_PRIVATE, 1, NULL) == -EAGAIN
    mov     eax, 202
    lea     rdi, [rip + futexword]
    mov     esi, 128
    mov     edx, 1
    xor     r10d, r10d
    syscall
    cmp     rax, -11
    jne     fail

    mov     r15d, 2                 # clock_gettime(CLOCK_MONOTONIC, &t0)
    mov     eax, 228
    mov     edi, 1
    lea     rsi, [rip + t0]
    syscall
    test    rax, rax
    jnz     fail

    mov     r15d, 3                 # futex(&word, FUTEX_WAIT_PRIVATE, 0, {0, 10 ms}) == -ETIMEDOUT
    mov     eax, 202
    lea     rdi, [rip + futexword]
    mov     esi, 128
    xor     edx, edx
    lea     r10, [rip + timeout]
    syscall
    cmp     rax, -110
    jne     fail

    mov     r15d, 4                 # clock_gettime(CLOCK_MONOTONIC, &t1); t1 - t0 >= 10 ms
    mov     eax, 228
    mov     edi, 1
    lea     rsi, [rip + t1]
    syscall
    mov     rax, qword ptr [rip + t1]
    sub     rax, qword ptr [rip + t0]
    imul    rax, rax, 1000000000
    add     rax, qword ptr [rip + t1 + 8]
    sub     rax, qword ptr [rip + t0 + 8]
    cmp     rax, 10000000
    jl      fail

    mov     r15d, 5                 # futex(&word, FUTEX_WAKE_PRIVATE, 1) == 0 (nobody waits)
    mov     eax, 202
    lea     rdi, [rip + futexword]
    mov     esi, 129
    mov     edx, 1
    syscall
    test    rax, rax
    jnz     fail

    mov     r15d, 6                 # deadline = t1 + 10 ms (absolute, CLOCK_MONOTONIC)
    mov     rax, qword ptr [rip + t1]
    mov     rcx, qword ptr [rip + t1 + 8]
    add     rcx, 10000000
    cmp     rcx, 1000000000
    jl      1f
    sub     rcx, 1000000000
    add     rax, 1
1:
    mov     qword ptr [rip + t0], rax
    mov     qword ptr [rip + t0 + 8], rcx
    mov     eax, 202                # futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &deadline, 0, ~0)
    lea     rdi, [rip + futexword]
    mov     esi, 137
    xor     edx, edx
    lea     r10, [rip + t0]
    xor     r8d, r8d
    mov     r9d, -1
    syscall
    cmp     rax, -110
    jne     fail

    mov     r15d, 7
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
    .balign 8
timeout:
    .quad   0, 10000000
futexword:
    .long   0
okmsg:
    .ascii  "futex ok\n"
    .bss
    .balign 8
t0:
    .zero   16
t1:
    .zero   16
