@ A deliberate deadlock: a child thread waits on futex a, the parent on futex b, and
@ nobody ever wakes either. emu must report both threads (exit status 2), not hang.
    .syntax unified
    .globl _start
    .text
_start:
    ldr     r0, =0x50f00            @ clone(thread flags, stack, 0, 0, 0)
    ldr     r1, =stack_top
    mov     r2, #0
    mov     r3, #0
    mov     r4, #0
    mov     r7, #120
    svc     #0
    cmp     r0, #0
    ldrne   r0, =futex_b
    ldreq   r0, =futex_a
    mov     r1, #0                  @ futex(word, FUTEX_WAIT, 0, NULL): forever
    mov     r2, #0
    mov     r3, #0
    mov     r7, #240
    svc     #0
    mov     r0, #1
    mov     r7, #248
    svc     #0

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
