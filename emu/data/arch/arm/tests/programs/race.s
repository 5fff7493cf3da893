@ A racy program: two threads each print their letter 24 times with a busy loop between
@ prints; the order of letters depends on where the scheduler preempts, i.e. on --seed.
    .syntax unified
    .globl _start
    .text
_start:
    ldr     r0, =0x350f00           @ clone(thread flags | PARENT_SETTID | CHILD_CLEARTID)
    ldr     r1, =stack_top
    ldr     r2, =tid
    mov     r3, #0
    ldr     r4, =tid
    mov     r7, #120
    svc     #0
    mov     r9, r0                  @ 0 in the child
    cmp     r0, #0
    ldrne   r8, =letter_a
    ldreq   r8, =letter_b
    mov     r6, #24
2:
    ldr     r3, =1500               @ busy work between prints
3:
    subs    r3, r3, #1
    bne     3b
    mov     r0, #1
    mov     r1, r8
    mov     r2, #1
    mov     r7, #4
    svc     #0
    subs    r6, r6, #1
    bne     2b
    cmp     r9, #0
    bne     4f
    mov     r0, #0                  @ the child ends
    mov     r7, #1
    svc     #0
4:
    ldr     r0, =tid                @ the parent joins, then ends the line
    ldr     r2, [r0]
    cmp     r2, #0
    beq     5f
    mov     r1, #0
    mov     r3, #0
    mov     r7, #240
    svc     #0
    b       4b
5:
    mov     r0, #1
    ldr     r1, =newline
    mov     r2, #1
    mov     r7, #4
    svc     #0
    mov     r0, #0
    mov     r7, #248
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
