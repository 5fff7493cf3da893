# A deliberate deadlock: a child thread waits on futex a, the parent on futex b, and
# nobody ever wakes either. emu must report both threads (exit status 2), not hang.
    .abiversion 2
    .globl _start
    .text
_start:
    lis     3, 5                    # clone(thread flags, stack, 0, 0, 0)
    ori     3, 3, 0x0f00
    lis     4, stack_top@ha
    addi    4, 4, stack_top@l
    li      5, 0
    li      6, 0
    li      7, 0
    li      0, 120
    sc
    cmpdi   3, 0
    lis     3, futex_b@ha
    addi    3, 3, futex_b@l
    bne-    1f
    lis     3, futex_a@ha
    addi    3, 3, futex_a@l
1:
    li      4, 0                    # futex(word, FUTEX_WAIT, 0, NULL): forever
    li      5, 0
    li      6, 0
    li      0, 221
    sc
    li      3, 1
    li      0, 234
    sc

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
