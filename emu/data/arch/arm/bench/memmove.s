@ bench: copy 1 MiB with a word load/store loop, 16 times
    .globl _start
    .text
_start:
    mov r5, #16
outer:
    ldr r1, =src
    ldr r3, =dst
    mov r2, #262144
copy:
    ldr r12, [r1], #4
    str r12, [r3], #4
    subs r2, r2, #1
    bne copy
    subs r5, r5, #1
    bne outer
done:
    mov r0, #0
    mov r7, #1
    svc #0
    .section .bss
src: .space 1048576
dst: .space 1048576
