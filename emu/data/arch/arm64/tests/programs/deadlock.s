// A deliberate deadlock: a child thread waits on futex a, the parent on futex b, and
// nobody ever wakes either. emu must report both threads (exit status 2), not hang.
    .globl _start
    .text
_start:
    movz    x0, #0x5, lsl #16       // clone(thread flags 0x50f00, stack, 0, 0, 0)
    movk    x0, #0x0f00
    adrp    x1, stack_top
    add     x1, x1, :lo12:stack_top
    mov     x2, #0
    mov     x3, #0
    mov     x4, #0
    mov     x8, #220
    svc     #0
    adrp    x1, futex_a
    add     x1, x1, :lo12:futex_a   // the child waits on a, the parent on b (a + 4)
    add     x2, x1, #4
    cmp     x0, #0
    csel    x0, x2, x1, ne
    mov     x1, #0                  // futex(word, FUTEX_WAIT, 0, NULL): forever
    mov     x2, #0
    mov     x3, #0
    mov     x8, #98
    svc     #0
    mov     x0, #1
    mov     x8, #94
    svc     #0

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
