// MUTANT (test fixture, not a runtime stub): xadd without atomicity.
.globl xadd
xadd:
    ldr w2, [x0]
    add w2, w2, w1
    str w2, [x0]
    mov w0, w2
    ret
