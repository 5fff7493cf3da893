@ a forward branch inside the loop body (two blocks): sum of the non-zero elements
loop:
    ldr r3, [r1], #4
    cmp r3, #0
    beq skip
    add r0, r0, r3
skip:
    subs r2, r2, #1
    bne loop
