@ Hello world for 32-bit ARM (ARMv7, ARM mode): write(1, msg, len); exit(0).
    .syntax unified
    .globl _start
    .text
_start:
    mov     r0, #1              @ stdout
    ldr     r1, =msg
    mov     r2, #msg_len
    mov     r7, #4              @ write
    svc     #0
    mov     r0, #0
    mov     r7, #1              @ exit
    svc     #0

    .section .rodata
msg:
    .ascii  "Hello from arm!\n"
    .equ    msg_len, . - msg
