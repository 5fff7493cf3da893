# bench: 4 threads (3 clones + main) each add 1 to one counter 250000 times with
# lwarx/stwcx.; main joins through CLONE_CHILD_CLEARTID + futex; exit 0 iff total is exact.
    .abiversion 2
    .equ    PER_THREAD, 250000
    .globl _start
    .text
_start:
    li      31, 0                   # thread index 0..2
    lis     29, stacks@ha
    addi    29, 29, stacks@l
    lis     28, tids@ha
    addi    28, 28, tids@l
1:  lis     3, 0x25                 # clone(FLAGS, stack_top[i], 0, 0, &tid[i])
    ori     3, 3, 0x0f00
    addi    4, 31, 1
    sldi    4, 4, 14
    add     4, 4, 29
    subi    4, 4, 64
    sldi    7, 31, 2
    add     7, 7, 28
    li      5, 1
    stw     5, 0(7)
    li      5, 0
    li      6, 0
    li      0, 120
    sc
    cmpdi   3, 0
    beq     worker_exit
    addi    31, 31, 1
    cmpdi   31, 3
    bne     1b
    bl      work
    li      31, 0
2:  sldi    3, 31, 2                # join: while (tid[i]) futex_wait(&tid[i], tid[i])
    add     3, 3, 28
    lwz     5, 0(3)
    cmpwi   5, 0
    beq     3f
    li      4, 0
    li      6, 0
    li      0, 221
    sc
    b       2b
3:  addi    31, 31, 1
    cmpdi   31, 3
    bne     2b
    lis     4, counter@ha
    addi    4, 4, counter@l
    lwz     4, 0(4)
    lis     5, (4 * PER_THREAD)@h
    ori     5, 5, (4 * PER_THREAD)@l
    li      3, 0
    cmpw    4, 5
    beq     4f
    li      3, 1
4:  li      0, 234
    sc

worker_exit:
    bl      work
    li      3, 0
    li      0, 1
    sc

work:
    lis     4, counter@ha
    addi    4, 4, counter@l
    lis     6, PER_THREAD@h
    ori     6, 6, PER_THREAD@l
5:  lwarx   5, 0, 4
    addi    5, 5, 1
    stwcx.  5, 0, 4
    bne-    5b
    addi    6, 6, -1
    cmpdi   6, 0
    bne     5b
done:
    blr

    .data
    .balign 8
counter:
    .long   0
tids:
    .long   0, 0, 0
    .bss
    .balign 16
stacks:
    .zero   4 * 16384
