@ bench: clear 1 MiB with a word store loop, 16 times
    .globl _start
    .text
_start:
    mov r5, #16
    mov r4, #0
outer:
    ldr r0, =dst
    mov r2, #262144
clear:
    str r4, [r0], #4
    subs r2, r2, #1
    bne clear
    subs r5, r5, #1
    bne outer
done:
    mov r0, #0
    mov r7, #1
    svc #0
    .section .bss
dst: .space 1048576
