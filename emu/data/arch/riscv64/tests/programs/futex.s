# futex: -EAGAIN when the word differs, -ETIMEDOUT after a 10 ms relative timeout (and at
# least 10 ms of CLOCK_MONOTONIC passed), FUTEX_WAKE with no waiter wakes 0, and
# FUTEX_WAIT_BITSET with an absolute deadline 10 ms ahead times out too.
# A timespec is two 64-bit words. futex 98, clock_gettime 113.
    .globl _start
    .text
_start:
    la      s2, futexword
    la      s3, times           # t0 at s3, t1 at s3+16
    li      s1, 1               # futex(&word, FUTEX_WAIT_PRIVATE, 1, NULL) == -EAGAIN
    mv      a0, s2
    li      a1, 128
    li      a2, 1
    li      a3, 0
    li      a7, 98
    ecall
    li      t0, -11
    bne     a0, t0, fail

    li      s1, 2               # clock_gettime(CLOCK_MONOTONIC, &t0)
    li      a0, 1
    mv      a1, s3
    li      a7, 113
    ecall
    bnez    a0, fail

    li      s1, 3               # futex(&word, FUTEX_WAIT_PRIVATE, 0, {0, 10 ms}) == -ETIMEDOUT
    mv      a0, s2
    li      a1, 128
    li      a2, 0
    la      a3, timeout
    li      a7, 98
    ecall
    li      t0, -110
    bne     a0, t0, fail

    li      s1, 4               # clock_gettime(CLOCK_MONOTONIC, &t1); t1 - t0 >= 10 ms
    li      a0, 1
    addi    a1, s3, 16
    li      a7, 113
    ecall
    ld      a0, 16(s3)
    ld      a1, 24(s3)
    ld      a2, 0(s3)
    ld      a3, 8(s3)
    sub     a0, a0, a2          # seconds
    li      t1, 1000000000
    mul     a0, a0, t1
    add     a0, a0, a1
    sub     a0, a0, a3
    li      t1, 10000000
    blt     a0, t1, fail

    li      s1, 5               # futex(&word, FUTEX_WAKE_PRIVATE, 1) == 0 (nobody waits)
    mv      a0, s2
    li      a1, 129
    li      a2, 1
    li      a7, 98
    ecall
    bnez    a0, fail

    li      s1, 6               # deadline = t1 + 10 ms (absolute, CLOCK_MONOTONIC), in t0
    ld      a0, 16(s3)
    ld      a1, 24(s3)
    li      t1, 10000000
    add     a1, a1, t1
    li      t1, 1000000000
    blt     a1, t1, 1f
    sub     a1, a1, t1
    addi    a0, a0, 1
1:  sd      a0, 0(s3)
    sd      a1, 8(s3)
    mv      a0, s2              # futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &deadline, 0, ~0)
    li      a1, 137
    li      a2, 0
    mv      a3, s3
    li      a4, 0
    li      a5, 0xffffffff
    li      a7, 98
    ecall
    li      t0, -110
    bne     a0, t0, fail

    li      a0, 1
    la      a1, okmsg
    li      a2, 9
    li      a7, 64
    ecall
    li      s1, 0
fail:
    mv      a0, s1
    li      a7, 94
    ecall

    .data
    .balign 8
timeout:
    .quad   0, 10000000
futexword:
    .long   0
okmsg:
    .ascii  "futex ok\n"
    .bss
    .balign 16
times:
    .zero   32
