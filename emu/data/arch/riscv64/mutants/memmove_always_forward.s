# MUTANT (test fixture, not a runtime stub): memmove always copies forward.
.globl memmove
memmove:
    mv t0, a0
1:  beqz a2, 2f
    lbu t1, 0(a1)
    sb t1, 0(t0)
    addi a1, a1, 1
    addi t0, t0, 1
    addi a2, a2, -1
    j 1b
2:  ret
