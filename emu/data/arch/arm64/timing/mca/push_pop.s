// a frame push and pop of a register pair (Go's and GCC's prologue/epilogue): stp pre-indexed, ldp post-indexed on sp
loop:
    stp x29, x30, [sp, #-16]!
    ldp x6, x7, [sp], #16
    subs x2, x2, #1
    b.ne loop
