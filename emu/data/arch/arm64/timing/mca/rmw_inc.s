// load, increment, store back to one memory word
loop:
    ldr x3, [x0]
    add x3, x3, #1
    str x3, [x0]
    subs x2, x2, #1
    b.ne loop
