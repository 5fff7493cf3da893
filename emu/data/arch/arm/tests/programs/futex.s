@ futex: -EAGAIN when the word differs, -ETIMEDOUT after a 10 ms relative timeout (and at
@ least 10 ms of CLOCK_MONOTONIC passed), FUTEX_WAKE with no waiter wakes 0, and
@ FUTEX_WAIT_BITSET with an absolute deadline 10 ms ahead times out too.
@ On 32-bit ARM a timespec is two 32-bit words.
    .syntax unified
    .globl _start
    .text
_start:
    mov     r10, #1                 @ futex(&word, FUTEX_WAIT_PRIVATE, 1, NULL) == -EAGAIN
    ldr     r0, =futexword
    mov     r1, #128
    mov     r2, #1
    mov     r3, #0
    mov     r7, #240
    svc     #0
    cmn     r0, #11
    bne     fail

    mov     r10, #2                 @ clock_gettime(CLOCK_MONOTONIC, &t0)
    mov     r0, #1
    ldr     r1, =t0
    ldr     r7, =263
    svc     #0
    cmp     r0, #0
    bne     fail

    mov     r10, #3                 @ futex(&word, FUTEX_WAIT_PRIVATE, 0, {0, 10 ms}) == -ETIMEDOUT
    ldr     r0, =futexword
    mov     r1, #128
    mov     r2, #0
    ldr     r3, =timeout
    mov     r7, #240
    svc     #0
    cmn     r0, #110
    bne     fail

    mov     r10, #4                 @ clock_gettime(CLOCK_MONOTONIC, &t1); t1 - t0 >= 10 ms
    mov     r0, #1
    ldr     r1, =t1
    ldr     r7, =263
    svc     #0
    ldr     r2, =t0
    ldr     r3, =t1
    ldr     r0, [r3]
    ldr     r1, [r2]
    sub     r0, r0, r1              @ seconds (small)
    ldr     r1, =1000000000
    mul     r0, r0, r1
    ldr     r1, [r3, #4]
    add     r0, r0, r1
    ldr     r1, [r2, #4]
    sub     r0, r0, r1
    ldr     r1, =10000000
    cmp     r0, r1
    blt     fail

    mov     r10, #5                 @ futex(&word, FUTEX_WAKE_PRIVATE, 1) == 0 (nobody waits)
    ldr     r0, =futexword
    mov     r1, #129
    mov     r2, #1
    mov     r7, #240
    svc     #0
    cmp     r0, #0
    bne     fail

    mov     r10, #6                 @ deadline = t1 + 10 ms (absolute, CLOCK_MONOTONIC)
    ldr     r3, =t1
    ldr     r0, [r3]
    ldr     r1, [r3, #4]
    ldr     r2, =10000000
    add     r1, r1, r2
    ldr     r2, =1000000000
    cmp     r1, r2
    blt     1f
    sub     r1, r1, r2
    add     r0, r0, #1
1:
    ldr     r3, =t0
    str     r0, [r3]
    str     r1, [r3, #4]
    ldr     r0, =futexword          @ futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &deadline, 0, ~0)
    mov     r1, #137
    mov     r2, #0
    ldr     r3, =t0
    mov     r4, #0
    mvn     r5, #0
    mov     r7, #240
    svc     #0
    cmn     r0, #110
    bne     fail

    mov     r0, #1
    ldr     r1, =okmsg
    mov     r2, #9
    mov     r7, #4
    svc     #0
    mov     r10, #0
fail:
    mov     r0, r10
    mov     r7, #248
    svc     #0

    .data
    .balign 8
timeout:
    .long   0, 10000000
futexword:
    .long   0
okmsg:
    .ascii  "futex ok\n"
    .bss
    .balign 8
t0:
    .zero   8
t1:
    .zero   8
