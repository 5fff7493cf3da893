// max reduction with a conditional select
loop:
    ldr x3, [x1], #8
    cmp x0, x3
    csel x0, x0, x3, gt
    subs x2, x2, #1
    b.ne loop
