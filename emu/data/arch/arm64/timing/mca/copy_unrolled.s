// copy, unrolled 4x with offsets, pointers bumped once
loop:
    ldr x3, [x1]
    str x3, [x0]
    ldr x4, [x1, #8]
    str x4, [x0, #8]
    ldr x5, [x1, #16]
    str x5, [x0, #16]
    ldr x6, [x1, #24]
    str x6, [x0, #24]
    add x1, x1, #32
    add x0, x0, #32
    subs x2, x2, #1
    b.ne loop
