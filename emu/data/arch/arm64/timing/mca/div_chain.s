// dependent 64-bit divides (divider latency)
loop:
    sdiv x0, x0, x1
    subs x2, x2, #1
    b.ne loop
