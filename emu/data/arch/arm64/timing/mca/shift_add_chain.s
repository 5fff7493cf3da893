// dependent add with a shifted operand
loop:
    add x0, x1, x0, lsl #2
    add x0, x1, x0, lsl #2
    subs x2, x2, #1
    b.ne loop
