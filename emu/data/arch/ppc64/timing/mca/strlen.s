# byte scan with a load-update form: load, compare, branch on the loaded value
loop:
    lbzu 5, 1(3)
    cmpdi 5, 0
    bne loop
