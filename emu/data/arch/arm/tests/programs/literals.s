@ ARM specifics: literal pools (mov/mvn/pool like GNU as), adr, movw/movt with
@ :lower16:/:upper16:, and a Thumb-2 function called with blx. Prints "arm ok".
    .syntax unified
    .text
    .globl _start
_start:
    ldr     r0, =0xff000000         @ becomes mov
    ldr     r1, =0xffffff00         @ becomes mvn
    ldr     r2, =0x12345678         @ pool
    ldr     r3, =0x12345678         @ same pool entry
    ldr     r4, =0x12345678 + 1
    sub     r4, r4, r3
    cmp     r4, #1
    bne     fail
    add     r0, r0, r1              @ 0xff000000 + 0xffffff00
    ldr     r5, =0xfeffff00
    cmp     r0, r5
    bne     fail
    movw    r6, #:lower16:message
    movt    r6, #:upper16:message
    adr     r7, here
here:
    ldr     r8, =here
    cmp     r7, r8
    bne     fail
    mov     r0, #20
    blx     triple                  @ Thumb-2 code
    cmp     r0, #60
    bne     fail
    mov     r0, #1
    mov     r1, r6
    mov     r2, #7
    mov     r7, #4
    svc     #0
    mov     r0, #0
    mov     r7, #1
    svc     #0
fail:
    mov     r0, #1
    mov     r7, #1
    svc     #0
    .ltorg

    .thumb
    .thumb_func
    .globl triple
triple:
    add.w   r1, r0, r0, lsl #1
    mov     r0, r1
    bx      lr

    .section .rodata
message:
    .ascii  "arm ok\n"
