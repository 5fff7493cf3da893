@ empty counted loop: decrement and branch
loop:
    subs r2, r2, #1
    bne loop
