# A deliberate deadlock: a child thread waits on futex a, the parent on futex b, and
# nobody ever wakes either. emu must report both threads (exit status 2), not hang.
    .globl _start
    .text
_start:
    li      a0, 0x50f00         # clone(thread flags 0x50f00, stack, 0, 0, 0)
    la      a1, stack_top
    li      a2, 0
    li      a3, 0
    li      a4, 0
    li      a7, 220
    ecall
    la      t0, futex_a         # the child waits on a, the parent on b (a + 4)
    beqz    a0, 1f
    addi    t0, t0, 4
1:  mv      a0, t0
    li      a1, 0               # futex(word, FUTEX_WAIT, 0, NULL): forever
    li      a2, 0
    li      a3, 0
    li      a7, 98
    ecall
    li      a0, 1
    li      a7, 94
    ecall

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
