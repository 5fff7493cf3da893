// futex: -EAGAIN when the word differs, -ETIMEDOUT after a 10 ms relative timeout (and at
// least 10 ms of CLOCK_MONOTONIC passed), FUTEX_WAKE with no waiter wakes 0, and
// FUTEX_WAIT_BITSET with an absolute deadline 10 ms ahead times out too.
// On arm64 a timespec is two 64-bit words. futex 98, clock_gettime 113.
    .globl _start
    .text
_start:
    adrp    x20, futexword
    add     x20, x20, :lo12:futexword
    adrp    x21, t0
    add     x21, x21, :lo12:t0      // t0 at x21, t1 at x21+16
    mov     x19, #1                 // futex(&word, FUTEX_WAIT_PRIVATE, 1, NULL) == -EAGAIN
    mov     x0, x20
    mov     x1, #128
    mov     x2, #1
    mov     x3, #0
    mov     x8, #98
    svc     #0
    cmn     x0, #11
    b.ne    fail

    mov     x19, #2                 // clock_gettime(CLOCK_MONOTONIC, &t0)
    mov     x0, #1
    mov     x1, x21
    mov     x8, #113
    svc     #0
    cbnz    x0, fail

    mov     x19, #3                 // futex(&word, FUTEX_WAIT_PRIVATE, 0, {0, 10 ms}) == -ETIMEDOUT
    mov     x0, x20
    mov     x1, #128
    mov     x2, #0
    adrp    x3, timeout
    add     x3, x3, :lo12:timeout
    mov     x8, #98
    svc     #0
    cmn     x0, #110
    b.ne    fail

    mov     x19, #4                 // clock_gettime(CLOCK_MONOTONIC, &t1); t1 - t0 >= 10 ms
    mov     x0, #1
    add     x1, x21, #16
    mov     x8, #113
    svc     #0
    ldp     x0, x1, [x21, #16]
    ldp     x2, x3, [x21]
    sub     x0, x0, x2              // seconds
    movz    x2, #0x3b9a, lsl #16
    movk    x2, #0xca00             // 1000000000
    mul     x0, x0, x2
    add     x0, x0, x1
    sub     x0, x0, x3
    movz    x2, #0x98, lsl #16
    movk    x2, #0x9680             // 10000000
    cmp     x0, x2
    b.lt    fail

    mov     x19, #5                 // futex(&word, FUTEX_WAKE_PRIVATE, 1) == 0 (nobody waits)
    mov     x0, x20
    mov     x1, #129
    mov     x2, #1
    mov     x8, #98
    svc     #0
    cbnz    x0, fail

    mov     x19, #6                 // deadline = t1 + 10 ms (absolute, CLOCK_MONOTONIC), in t0
    ldp     x0, x1, [x21, #16]
    movz    x2, #0x98, lsl #16
    movk    x2, #0x9680
    add     x1, x1, x2
    movz    x2, #0x3b9a, lsl #16
    movk    x2, #0xca00
    cmp     x1, x2
    b.lt    1f
    sub     x1, x1, x2
    add     x0, x0, #1
1:
    stp     x0, x1, [x21]
    mov     x0, x20                 // futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &deadline, 0, ~0)
    mov     x1, #137
    mov     x2, #0
    mov     x3, x21
    mov     x4, #0
    mov     x5, #0xffffffff
    mov     x8, #98
    svc     #0
    cmn     x0, #110
    b.ne    fail

    mov     x0, #1
    adrp    x1, okmsg
    add     x1, x1, :lo12:okmsg
    mov     x2, #9
    mov     x8, #64
    svc     #0
    mov     x19, #0
fail:
    mov     x0, x19
    mov     x8, #94
    svc     #0

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
t0:
    .zero   32
