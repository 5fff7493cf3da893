# fill with a store-update form (the base written by the store)
loop:
    stdu 5, 8(3)
    bdnz loop
