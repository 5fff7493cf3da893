@ bench: 4 threads (3 clones + main) each add 1 to one counter 250000 times with
@ ldrex/strex; main joins through CLONE_CHILD_CLEARTID + futex; exit 0 iff total is exact.
    .syntax unified
    .equ    PER_THREAD, 250000
    .globl _start
    .text
_start:
    mov     r8, #0                  @ thread index 0..2
1:  ldr     r0, =0x250f00           @ clone(FLAGS, stack_top[i], 0, 0, &tid[i])
    ldr     r1, =stacks
    add     r2, r8, #1
    add     r1, r1, r2, lsl #14
    ldr     r4, =tids
    add     r4, r4, r8, lsl #2
    mov     r2, #1
    str     r2, [r4]
    mov     r2, #0
    mov     r3, #0
    mov     r7, #120
    svc     #0
    cmp     r0, #0
    beq     worker_exit
    add     r8, r8, #1
    cmp     r8, #3
    bne     1b
    bl      work
    mov     r8, #0
2:  ldr     r0, =tids               @ join: while (tid[i]) futex_wait(&tid[i], tid[i])
    add     r0, r0, r8, lsl #2
    ldr     r2, [r0]
    cmp     r2, #0
    beq     3f
    mov     r1, #0
    mov     r3, #0
    mov     r7, #240
    svc     #0
    b       2b
3:  add     r8, r8, #1
    cmp     r8, #3
    bne     2b
    ldr     r1, =counter
    ldr     r1, [r1]
    ldr     r2, =4 * PER_THREAD
    subs    r0, r1, r2
    movne   r0, #1
    mov     r7, #248
    svc     #0

worker_exit:
    bl      work
    mov     r0, #0
    mov     r7, #1
    svc     #0

work:
    ldr     r1, =counter
    ldr     r2, =PER_THREAD
4:  ldrex   r3, [r1]
    add     r3, r3, #1
    strex   r12, r3, [r1]
    cmp     r12, #0
    bne     4b
    subs    r2, r2, #1
    bne     4b
done:
    bx      lr
    .ltorg

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
