# atomicor8, runtime_asm/runtime.s (the byte's word and shift, amoor.w.aqrl), repeated in a counted loop
loop:
    andi t0, a0, 3
    slli t0, t0, 3
    andi a1, a1, 0xff
    sllw a1, a1, t0
    andi a4, a0, -4
    amoor.w.aqrl zero, a1, (a4)
    addi a5, a5, -1
    bnez a5, loop
