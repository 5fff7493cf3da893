// byte scan: load, branch on the loaded value
loop:
    ldrb w3, [x0], #1
    cbnz w3, loop
