// dependent chain of 4 integer adds (ALU latency)
loop:
    add x0, x0, x1
    add x0, x0, x1
    add x0, x0, x1
    add x0, x0, x1
    subs x2, x2, #1
    b.ne loop
