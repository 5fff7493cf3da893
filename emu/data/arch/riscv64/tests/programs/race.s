# A racy program: two threads each print their letter 24 times with a busy loop between
# prints; the order of letters depends on where the scheduler preempts, i.e. on --seed.
    .globl _start
    .text
_start:
    li      a0, 0x350f00        # clone(thread flags | PARENT_SETTID | CHILD_CLEARTID)
    la      a1, stack_top
    la      a2, tid
    li      a3, 0
    mv      a4, a2
    li      a7, 220
    ecall
    mv      s1, a0              # 0 in the child
    la      s2, letter_a        # the parent prints A, the child B (A + 1)
    bnez    a0, 1f
    addi    s2, s2, 1
1:  li      s3, 24
2:  li      t0, 1500            # busy work between prints
3:  addi    t0, t0, -1
    bnez    t0, 3b
    li      a0, 1
    mv      a1, s2
    li      a2, 1
    li      a7, 64
    ecall
    addi    s3, s3, -1
    bnez    s3, 2b
    bnez    s1, 4f
    li      a0, 0               # the child ends
    li      a7, 93
    ecall
4:  la      a0, tid             # the parent joins, then ends the line
    lw      a2, 0(a0)
    beqz    a2, 5f
    li      a1, 0
    li      a3, 0
    li      a7, 98
    ecall
    j       4b
5:  li      a0, 1
    la      a1, newline
    li      a2, 1
    li      a7, 64
    ecall
    li      a0, 0
    li      a7, 94
    ecall

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
