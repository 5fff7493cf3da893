# A racy program: two threads each print their letter 24 times with a busy loop between
# prints; the order of letters depends on where the scheduler preempts, i.e. on --seed.
    .abiversion 2
    .globl _start
    .text
_start:
    lis     3, 0x35                 # clone(thread flags | PARENT_SETTID | CHILD_CLEARTID)
    ori     3, 3, 0x0f00
    lis     4, stack_top@ha
    addi    4, 4, stack_top@l
    lis     5, tid@ha
    addi    5, 5, tid@l
    li      6, 0
    mr      7, 5
    li      0, 120
    sc
    mr      28, 3                   # 0 in the child
    lis     27, letter_a@ha
    addi    27, 27, letter_a@l
    cmpdi   3, 0
    bne-    1f
    addi    27, 27, 1               # letter_b follows letter_a
1:
    li      26, 24
2:
    li      9, 1500                 # busy work between prints
    mtctr   9
3:
    bdnz    3b
    li      3, 1
    mr      4, 27
    li      5, 1
    li      0, 4
    sc
    addi    26, 26, -1
    cmpdi   26, 0
    bne-    2b
    cmpdi   28, 0
    bne-    4f
    li      3, 0                    # the child ends
    li      0, 1
    sc
4:
    lis     3, tid@ha               # the parent joins, then ends the line
    addi    3, 3, tid@l
    lwz     5, 0(3)
    cmpwi   5, 0
    beq-    5f
    li      4, 0
    li      6, 0
    li      0, 221
    sc
    b       4b
5:
    li      3, 1
    lis     4, newline@ha
    addi    4, 4, newline@l
    li      5, 1
    li      0, 4
    sc
    li      3, 0
    li      0, 234
    sc

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
