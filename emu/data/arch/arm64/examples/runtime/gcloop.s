// emu:runtime
// Allocation loop: build a linked list of LIST nodes reachable from a global,
// then allocate ROUNDS*GARBAGE unreachable nodes (several GCs) and walk the
// list after every round: a node freed by a GC while live shows up as a wrong
// count or sum ("list corrupted", exit 1).
    .equ LIST, 100
    .equ ROUNDS, 10
    .equ GARBAGE, 200
    .equ NODE, 24                       // next, value, pad
    .globl main
    .text
main:
    stp x29, x30, [sp, #-32]!           // [sp+16] i, [sp+24] round
    mov x0, #1
    str x0, [sp, #16]
1:  mov x0, #NODE                       // n = new(Node)
    adrp x1, node_type
    add x1, x1, :lo12:node_type
    bl mallocgc
    ldr x1, [sp, #16]
    str x1, [x0, #8]                    // n.value = i
    adrp x2, list
    add x2, x2, :lo12:list
    ldr x1, [x2]
    str x1, [x0]                        // n.next = list
    str x0, [x2]                        // list = n
    ldr x1, [sp, #16]
    add x1, x1, #1
    str x1, [sp, #16]
    cmp x1, #LIST
    b.le 1b
    mov x0, #1
    str x0, [sp, #24]
2:  str xzr, [sp, #16]                  // garbage: nodes nobody keeps
3:  mov x0, #NODE
    adrp x1, node_type
    add x1, x1, :lo12:node_type
    bl mallocgc
    mov x1, #7
    str x1, [x0, #8]
    ldr x1, [sp, #16]
    add x1, x1, #1
    str x1, [sp, #16]
    cmp x1, #GARBAGE
    b.lt 3b
    mov x1, #0                          // walk: count (at most LIST+1) and sum
    mov x2, #0
    adrp x0, list
    ldr x0, [x0, :lo12:list]
4:  cbz x0, 5f
    add x1, x1, #1
    ldr x3, [x0, #8]
    add x2, x2, x3
    ldr x0, [x0]
    cmp x1, #LIST
    b.le 4b
5:  cmp x1, #LIST
    b.ne 6f
    mov x3, #LIST * (LIST + 1) / 2
    cmp x2, x3
    b.ne 6f
    adrp x0, msg_ok
    add x0, x0, :lo12:msg_ok
    ldr x1, [sp, #24]
    bl printline
    ldr x1, [sp, #24]
    add x1, x1, #1
    str x1, [sp, #24]
    cmp x1, #ROUNDS
    b.le 2b
    adrp x0, msg_sum
    add x0, x0, :lo12:msg_sum
    mov x1, #LIST * (LIST + 1) / 2
    bl printline
    ldp x29, x30, [sp], #32
    ret
6:  adrp x0, msg_bad
    add x0, x0, :lo12:msg_bad
    bl printline
    mov x0, #1
    bl exit

    .data
    .balign 8
list:   .quad 0
node_type:                              // size, kind (KIND_GC_PROG), gc0 mask, gc1 program
    .quad NODE, 0x100, node_mask, node_prog
node_mask: .space 16                    // byte 0: the unrolled flag
node_prog: .byte 1, 3, 0x16, 0          // insData 3 words: pointer, scalar, scalar; insEnd
msg_ok:  .asciz "list ok after round"
msg_sum: .asciz "list sum"
msg_bad: .asciz "list corrupted: nodes"
