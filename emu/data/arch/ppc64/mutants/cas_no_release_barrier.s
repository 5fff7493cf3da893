# MUTANT (test fixture, not a runtime stub): cas without the leading `sync`.
.globl cas
cas:
1:  lwarx 6, 0, 3
    cmpw 6, 4
    bne 2f
    stwcx. 5, 0, 3
    bne 1b
    li 3, 1
    isync
    blr
2:  li 3, 0
    isync
    blr
