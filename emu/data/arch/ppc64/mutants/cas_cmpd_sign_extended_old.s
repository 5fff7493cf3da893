# MUTANT (test fixture, not a runtime stub): cas compares the zero-extended
# 32-bit load with all 64 bits of old (cmpd instead of cmpw).
.globl cas
cas:
    sync
1:  lwarx 6, 0, 3
    cmpd 6, 4
    bne 2f
    stwcx. 5, 0, 3
    bne 1b
    li 3, 1
    isync
    blr
2:  li 3, 0
    isync
    blr
