// store then reload of the same slot: a chain through memory (store-to-load forwarding)
loop:
    str x0, [x1]
    ldr x0, [x1]
    add x0, x0, #1
    subs x2, x2, #1
    b.ne loop
