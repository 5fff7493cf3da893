@ bench: 1000000 ldrex/strex increments of one counter
    .globl _start
    .text
_start:
    ldr r0, =counter
    ldr r4, =1000000
again:
    ldrex r2, [r0]
    add r2, r2, #1
    strex r3, r2, [r0]
    cmp r3, #0
    bne again
    subs r4, r4, #1
    bne again
done:
    mov r0, #0
    mov r7, #1
    svc #0
    .section .bss
counter: .space 8
