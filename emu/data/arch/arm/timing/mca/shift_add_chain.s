@ dependent add with a shifted operand (the shifter in the ALU path)
loop:
    add r0, r1, r0, lsl #2
    add r0, r1, r0, lsl #2
    subs r2, r2, #1
    bne loop
