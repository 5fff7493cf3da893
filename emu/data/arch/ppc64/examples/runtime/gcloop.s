# emu:runtime
# Allocation loop: build a linked list of LIST nodes reachable from a global,
# then allocate ROUNDS*GARBAGE unreachable nodes (several GCs) and walk the
# list after every round: a node freed by a GC while live shows up as a wrong
# count or sum ("list corrupted", exit 1). One source for ppc64 and ppc64le.
    .abiversion 2
    .equ LIST, 100
    .equ ROUNDS, 10
    .equ GARBAGE, 200
    .equ NODE, 24                       # next, value, pad
    .globl main
    .text
main:                                   # frame: 32(1) i, 40(1) round
    mflr 0
    std 0, 16(1)
    stdu 1, -48(1)
    li 3, 1
    std 3, 32(1)
1:  li 3, NODE                          # n = new(Node)
    lis 4, node_type@ha
    addi 4, 4, node_type@l
    bl mallocgc
    ld 4, 32(1)
    std 4, 8(3)                         # n.value = i
    lis 5, list@ha
    ld 4, list@l(5)
    std 4, 0(3)                         # n.next = list
    std 3, list@l(5)                    # list = n
    ld 4, 32(1)
    addi 4, 4, 1
    std 4, 32(1)
    cmpdi 4, LIST
    ble 1b
    li 3, 1
    std 3, 40(1)
2:  li 3, 0                             # garbage: nodes nobody keeps
    std 3, 32(1)
3:  li 3, NODE
    lis 4, node_type@ha
    addi 4, 4, node_type@l
    bl mallocgc
    li 4, 7
    std 4, 8(3)
    ld 4, 32(1)
    addi 4, 4, 1
    std 4, 32(1)
    cmpdi 4, GARBAGE
    blt 3b
    li 4, 0                             # walk: count (at most LIST+1) and sum
    li 5, 0
    lis 3, list@ha
    ld 3, list@l(3)
4:  cmpdi 3, 0
    beq 5f
    addi 4, 4, 1
    ld 6, 8(3)
    add 5, 5, 6
    ld 3, 0(3)
    cmpdi 4, LIST
    ble 4b
5:  cmpdi 4, LIST
    bne 6f
    cmpdi 5, LIST * (LIST + 1) / 2
    bne 6f
    lis 3, msg_ok@ha
    addi 3, 3, msg_ok@l
    ld 4, 40(1)
    bl printline
    ld 4, 40(1)
    addi 4, 4, 1
    std 4, 40(1)
    cmpdi 4, ROUNDS
    ble 2b
    lis 3, msg_sum@ha
    addi 3, 3, msg_sum@l
    li 4, LIST * (LIST + 1) / 2
    bl printline
    addi 1, 1, 48
    ld 0, 16(1)
    mtlr 0
    blr
6:  lis 3, msg_bad@ha
    addi 3, 3, msg_bad@l
    bl printline
    li 3, 1
    bl exit

    .data
    .balign 8
list:   .quad 0
node_type:                              # size, kind (KIND_GC_PROG), gc0 mask, gc1 program
    .quad NODE, 0x100, node_mask, node_prog
node_mask: .space 16                    # byte 0: the unrolled flag
node_prog: .byte 1, 3, 0x16, 0          # insData 3 words: pointer, scalar, scalar; insEnd
msg_ok:  .asciz "list ok after round"
msg_sum: .asciz "list sum"
msg_bad: .asciz "list corrupted: nodes"
