@ emu:runtime
@ Allocation loop: build a linked list of LIST nodes reachable from a global,
@ then allocate ROUNDS*GARBAGE unreachable nodes (several GCs) and walk the
@ list after every round: a node freed by a GC while live shows up as a wrong
@ count or sum ("list corrupted", exit 1).
    .syntax unified
    .equ LIST, 100
    .equ ROUNDS, 10
    .equ GARBAGE, 200
    .equ NODE, 12                       @ next, value, pad
    .globl main
    .text
main:
    push {r4, lr}
    sub sp, sp, #8                      @ [sp] i, [sp+4] round
    mov r0, #1
    str r0, [sp]
1:  mov r0, #NODE                       @ n = new(Node)
    ldr r1, =node_type
    bl mallocgc
    ldr r1, [sp]
    str r1, [r0, #4]                    @ n.value = i
    ldr r2, =list
    ldr r1, [r2]
    str r1, [r0]                        @ n.next = list
    str r0, [r2]                        @ list = n
    ldr r1, [sp]
    add r1, r1, #1
    str r1, [sp]
    cmp r1, #LIST
    ble 1b
    mov r0, #1
    str r0, [sp, #4]
2:  mov r0, #0                          @ garbage: nodes nobody keeps
    str r0, [sp]
3:  mov r0, #NODE
    ldr r1, =node_type
    bl mallocgc
    mov r1, #7
    str r1, [r0, #4]
    ldr r1, [sp]
    add r1, r1, #1
    str r1, [sp]
    cmp r1, #GARBAGE
    blt 3b
    mov r1, #0                          @ walk: count (at most LIST+1) and sum
    mov r2, #0
    ldr r0, =list
    ldr r0, [r0]
4:  cmp r0, #0
    beq 5f
    add r1, r1, #1
    ldr r3, [r0, #4]
    add r2, r2, r3
    ldr r0, [r0]
    cmp r1, #LIST
    ble 4b
5:  cmp r1, #LIST
    bne 6f
    ldr r3, =LIST * (LIST + 1) / 2
    cmp r2, r3
    bne 6f
    ldr r0, =msg_ok
    ldr r1, [sp, #4]
    bl printline
    ldr r1, [sp, #4]
    add r1, r1, #1
    str r1, [sp, #4]
    cmp r1, #ROUNDS
    ble 2b
    ldr r0, =msg_sum
    ldr r1, =LIST * (LIST + 1) / 2
    bl printline
    add sp, sp, #8
    pop {r4, pc}
6:  ldr r0, =msg_bad
    bl printline
    mov r0, #1
    bl exit
    .ltorg

    .data
    .balign 4
list:   .word 0
node_type:                              @ size, kind (KIND_GC_PROG), gc0 mask, gc1 program
    .word NODE, 0x100, node_mask, node_prog
node_mask: .space 16                    @ byte 0: the unrolled flag
node_prog: .byte 1, 3, 0x16, 0          @ insData 3 words: pointer, scalar, scalar; insEnd
msg_ok:  .asciz "list ok after round"
msg_sum: .asciz "list sum"
msg_bad: .asciz "list corrupted: nodes"
