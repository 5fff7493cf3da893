// A racy program: two threads each print their letter 24 times with a busy loop between
// prints; the order of letters depends on where the scheduler preempts, i.e. on --seed.
    .globl _start
    .text
_start:
    movz    x0, #0x35, lsl #16      // clone(thread flags | PARENT_SETTID | CHILD_CLEARTID)
    movk    x0, #0x0f00
    adrp    x1, stack_top
    add     x1, x1, :lo12:stack_top
    adrp    x2, tid
    add     x2, x2, :lo12:tid
    mov     x3, #0
    mov     x4, x2
    mov     x8, #220
    svc     #0
    mov     x19, x0                 // 0 in the child
    adrp    x1, letter_a
    add     x1, x1, :lo12:letter_a  // the parent prints A, the child B (A + 1)
    add     x2, x1, #1
    cmp     x0, #0
    csel    x20, x1, x2, ne
    mov     x21, #24
2:
    mov     x3, #1500               // busy work between prints
3:
    subs    x3, x3, #1
    b.ne    3b
    mov     x0, #1
    mov     x1, x20
    mov     x2, #1
    mov     x8, #64
    svc     #0
    subs    x21, x21, #1
    b.ne    2b
    cbnz    x19, 4f
    mov     x0, #0                  // the child ends
    mov     x8, #93
    svc     #0
4:
    adrp    x0, tid                 // the parent joins, then ends the line
    add     x0, x0, :lo12:tid
    ldr     w2, [x0]
    cbz     w2, 5f
    mov     x1, #0
    mov     x3, #0
    mov     x8, #98
    svc     #0
    b       4b
5:
    mov     x0, #1
    adrp    x1, newline
    add     x1, x1, :lo12:newline
    mov     x2, #1
    mov     x8, #64
    svc     #0
    mov     x0, #0
    mov     x8, #94
    svc     #0

    .data
tid:
    .long   0
letter_a:
    .ascii  "A"
letter_b:
    .ascii  "B"
newline:
    .ascii  "\n"
    .bss
    .balign 16
stack:
    .zero   4096
stack_top:
