// block copy with ldp/stp (16 bytes per iteration), post-indexed
loop:
    ldp x3, x4, [x1], #16
    stp x3, x4, [x0], #16
    subs x2, x2, #1
    b.ne loop
