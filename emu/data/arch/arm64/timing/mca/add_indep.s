// 6 independent integer adds (ALU throughput)
loop:
    add x0, x0, x1
    add x3, x3, x1
    add x4, x4, x1
    add x5, x5, x1
    add x6, x6, x1
    add x7, x7, x1
    subs x2, x2, #1
    b.ne loop
