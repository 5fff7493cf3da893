// reduction: post-indexed load and add, one accumulator
loop:
    ldr x3, [x1], #8
    add x0, x0, x3
    subs x2, x2, #1
    b.ne loop
