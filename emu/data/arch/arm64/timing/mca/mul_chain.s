// dependent chain of 2 multiplies (multiply latency)
loop:
    mul x0, x0, x1
    mul x0, x0, x1
    subs x2, x2, #1
    b.ne loop
