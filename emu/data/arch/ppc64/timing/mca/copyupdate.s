# copy loop with update forms (issue 16: power9 4.00 vs llvm-mca 2.51)
loop:
    ldu 8, 8(4)
    stdu 8, 8(6)
    bdnz loop
