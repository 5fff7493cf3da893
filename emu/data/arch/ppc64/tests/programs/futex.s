# futex: -EAGAIN when the word differs, -ETIMEDOUT after a 10 ms relative timeout (and at
# least 10 ms of CLOCK_MONOTONIC passed), FUTEX_WAKE with no waiter wakes 0, and
# FUTEX_WAIT_BITSET with an absolute deadline 10 ms ahead times out too.
# A timespec is two 64-bit words in the machine's byte order. Shared by ppc64 and ppc64le.
    .abiversion 2
    .globl _start
    .text
_start:
    li      31, 1                   # futex(&word, FUTEX_WAIT_PRIVATE, 1, NULL) == -EAGAIN
    lis     3, futexword@ha
    addi    3, 3, futexword@l
    li      4, 128
    li      5, 1
    li      6, 0
    li      0, 221
    sc
    bns-    fail
    cmpdi   3, 11
    bne-    fail

    li      31, 2                   # clock_gettime(CLOCK_MONOTONIC, &t0)
    li      3, 1
    lis     4, t0@ha
    addi    4, 4, t0@l
    li      0, 246
    sc
    bso-    fail

    li      31, 3                   # futex(&word, FUTEX_WAIT_PRIVATE, 0, {0, 10 ms}) == -ETIMEDOUT
    lis     3, futexword@ha
    addi    3, 3, futexword@l
    li      4, 128
    li      5, 0
    lis     6, timeout@ha
    addi    6, 6, timeout@l
    li      0, 221
    sc
    bns-    fail
    cmpdi   3, 110
    bne-    fail

    li      31, 4                   # clock_gettime(CLOCK_MONOTONIC, &t1); t1 - t0 >= 10 ms
    li      3, 1
    lis     4, t1@ha
    addi    4, 4, t1@l
    li      0, 246
    sc
    lis     4, t0@ha
    addi    4, 4, t0@l
    lis     5, t1@ha
    addi    5, 5, t1@l
    ld      3, 0(5)
    ld      6, 0(4)
    subf    3, 6, 3
    lis     7, 0x3b9a
    ori     7, 7, 0xca00
    mulld   3, 3, 7
    ld      6, 8(5)
    add     3, 3, 6
    ld      6, 8(4)
    subf    3, 6, 3
    lis     8, 0x98
    ori     8, 8, 0x9680
    cmpd    3, 8
    blt-    fail

    li      31, 5                   # futex(&word, FUTEX_WAKE_PRIVATE, 1) == 0 (nobody waits)
    lis     3, futexword@ha
    addi    3, 3, futexword@l
    li      4, 129
    li      5, 1
    li      0, 221
    sc
    bso-    fail
    cmpdi   3, 0
    bne-    fail

    li      31, 6                   # deadline = t1 + 10 ms (absolute, CLOCK_MONOTONIC)
    lis     5, t1@ha
    addi    5, 5, t1@l
    ld      3, 0(5)
    ld      4, 8(5)
    lis     8, 0x98
    ori     8, 8, 0x9680
    add     4, 4, 8
    lis     7, 0x3b9a
    ori     7, 7, 0xca00
    cmpd    4, 7
    blt     1f
    subf    4, 7, 4
    addi    3, 3, 1
1:
    lis     6, t0@ha
    addi    6, 6, t0@l
    std     3, 0(6)
    std     4, 8(6)
    lis     3, futexword@ha         # futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &deadline, 0, ~0)
    addi    3, 3, futexword@l
    li      4, 137
    li      5, 0
    li      7, 0
    li      8, -1
    li      0, 221
    sc
    bns-    fail
    cmpdi   3, 110
    bne-    fail

    li      3, 1
    lis     4, okmsg@ha
    addi    4, 4, okmsg@l
    li      5, 9
    li      0, 4
    sc
    li      31, 0
fail:
    mr      3, 31
    li      0, 234
    sc

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
