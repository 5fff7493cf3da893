# empty counted loop: bdnz alone
loop:
    bdnz loop
