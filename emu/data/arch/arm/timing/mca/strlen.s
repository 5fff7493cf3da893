@ byte scan: load, compare, branch on the loaded value
loop:
    ldrb r3, [r0], #1
    cmp r3, #0
    bne loop
