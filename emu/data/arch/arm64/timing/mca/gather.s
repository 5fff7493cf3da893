// indexed gather: an index load feeds the address of the next load
loop:
    ldr x3, [x1], #8
    ldr x3, [x4, x3, lsl #3]
    add x0, x0, x3
    subs x2, x2, #1
    b.ne loop
