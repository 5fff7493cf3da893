# dependent rotate / xor / shift chain
loop:
    rotldi 3, 3, 7
    xor 3, 3, 4
    sldi 3, 3, 1
    bdnz loop
