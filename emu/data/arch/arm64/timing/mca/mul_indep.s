// 4 independent multiplies (multiply throughput)
loop:
    mul x3, x1, x1
    mul x4, x1, x1
    mul x5, x1, x1
    mul x6, x1, x1
    subs x2, x2, #1
    b.ne loop
