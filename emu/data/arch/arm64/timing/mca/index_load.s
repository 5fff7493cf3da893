// scaled-index load, the counter as the index
loop:
    ldr x3, [x1, x2, lsl #3]
    add x0, x0, x3
    subs x2, x2, #1
    b.ne loop
