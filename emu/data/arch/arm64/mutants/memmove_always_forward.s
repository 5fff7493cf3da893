// MUTANT (test fixture, not a runtime stub): memmove always copies forward.
.globl memmove
memmove:
    mov x3, x0
1:  cbz x2, 2f
    ldrb w4, [x1], #1
    strb w4, [x3], #1
    sub x2, x2, #1
    b 1b
2:  ret
