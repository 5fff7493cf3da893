# empty counted loop: decrement and branch
loop:
    addi a2, a2, -1
    bnez a2, loop
