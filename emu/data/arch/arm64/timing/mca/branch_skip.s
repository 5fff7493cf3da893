// a forward branch inside the loop body (two blocks): sum of the non-zero elements
loop:
    ldr x3, [x1], #8
    cbz x3, skip
    add x0, x0, x3
skip:
    subs x2, x2, #1
    b.ne loop
