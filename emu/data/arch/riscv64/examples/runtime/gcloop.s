# emu:runtime
# Allocation loop: build a linked list of LIST nodes reachable from a global,
# then allocate ROUNDS*GARBAGE unreachable nodes (several GCs) and walk the
# list after every round: a node freed by a GC while live shows up as a wrong
# count or sum ("list corrupted", exit 1).
    .equ LIST, 100
    .equ ROUNDS, 10
    .equ GARBAGE, 200
    .equ NODE, 24                       # next, value, pad
    .globl main
    .text
main:
    addi sp, sp, -32                    # [sp+16] i, [sp+24] round
    sd s0, 0(sp)
    sd ra, 8(sp)
    li a0, 1
    sd a0, 16(sp)
1:  li a0, NODE                         # n = new(Node)
    la a1, node_type
    call mallocgc
    ld a1, 16(sp)
    sd a1, 8(a0)                        # n.value = i
    la t2, list
    ld a1, 0(t2)
    sd a1, 0(a0)                        # n.next = list
    sd a0, 0(t2)                        # list = n
    ld a1, 16(sp)
    addi a1, a1, 1
    sd a1, 16(sp)
    li t0, LIST
    ble a1, t0, 1b
    li a0, 1
    sd a0, 24(sp)
2:  sd zero, 16(sp)                     # garbage: nodes nobody keeps
3:  li a0, NODE
    la a1, node_type
    call mallocgc
    li a1, 7
    sd a1, 8(a0)
    ld a1, 16(sp)
    addi a1, a1, 1
    sd a1, 16(sp)
    li t0, GARBAGE
    blt a1, t0, 3b
    li a1, 0                            # walk: count (at most LIST+1) and sum
    li a2, 0
    la a0, list
    ld a0, 0(a0)
    li t0, LIST
4:  beqz a0, 5f
    addi a1, a1, 1
    ld a3, 8(a0)
    add a2, a2, a3
    ld a0, 0(a0)
    ble a1, t0, 4b
5:  bne a1, t0, 6f
    li a3, LIST * (LIST + 1) / 2
    bne a2, a3, 6f
    la a0, msg_ok
    ld a1, 24(sp)
    call printline
    ld a1, 24(sp)
    addi a1, a1, 1
    sd a1, 24(sp)
    li t0, ROUNDS
    ble a1, t0, 2b
    la a0, msg_sum
    li a1, LIST * (LIST + 1) / 2
    call printline
    ld s0, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 32
    ret
6:  la a0, msg_bad
    call printline
    li a0, 1
    call exit

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
