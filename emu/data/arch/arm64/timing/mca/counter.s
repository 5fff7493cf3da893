// empty counted loop: decrement and branch
loop:
    subs x2, x2, #1
    b.ne loop
