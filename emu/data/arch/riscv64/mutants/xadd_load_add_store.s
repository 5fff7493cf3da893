# MUTANT (test fixture, not a runtime stub): xadd without atomicity.
.globl xadd
xadd:
    lw t0, 0(a0)
    addw t0, t0, a1
    sw t0, 0(a0)
    slli a0, t0, 32
    srli a0, a0, 32
    ret
