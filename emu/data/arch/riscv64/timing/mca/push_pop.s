# a frame push and pop (Go's and GCC's prologue/epilogue): sp moved, ra and s0 stored and reloaded
loop:
    addi sp, sp, -16
    sd ra, 8(sp)
    sd s0, 0(sp)
    ld a6, 8(sp)
    ld a7, 0(sp)
    addi sp, sp, 16
    addi a2, a2, -1
    bnez a2, loop
