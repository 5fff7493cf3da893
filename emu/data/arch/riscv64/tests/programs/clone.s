# clone a thread (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID;
# riscv64 order: flags, stack, ptid, tls, ctid); both threads add 1 to a shared counter 100000
# times, the parent with lr.w/sc.w, the child with amoadd.w; the parent joins through the
# CLONE_CHILD_CLEARTID word + futex and prints the exact total in hex. The child checks that
# CLONE_SETTLS set tp.
    .globl _start
    .text
_start:
    li      s1, 1               # clone(flags, stack, &tid, &tls, &tid)
    li      a0, 0x3d0f00
    la      a1, stack_top
    la      a2, tid
    la      a3, tls
    mv      a4, a2
    li      a7, 220
    ecall
    li      t0, -4096
    bgeu    a0, t0, fail
    beqz    a0, child

    la      a0, counter         # parent's half: an lr.w/sc.w loop
    li      t2, 100000
1:  lr.w.aqrl t0, (a0)
    addiw   t0, t0, 1
    sc.w.rl t1, t0, (a0)
    bnez    t1, 1b
    addi    t2, t2, -1
    bnez    t2, 1b
2:  la      a0, tid             # join: while (tid != 0) futex_wait(&tid, tid)
    lw      a2, 0(a0)
    beqz    a2, 3f
    li      a1, 0
    li      a3, 0
    li      a7, 98
    ecall
    j       2b
3:  li      s1, 2               # the child saw its TLS
    la      t0, tls_ok
    lw      t0, 0(t0)
    li      t1, 1
    bne     t0, t1, fail
    la      t0, counter         # format the counter as 8 hex digits
    lw      a0, 0(t0)
    la      a1, digits + 7
    la      a2, hexchars
    li      a3, 8
4:  andi    t4, a0, 15
    add     t4, t4, a2
    lbu     t4, 0(t4)
    sb      t4, 0(a1)
    addi    a1, a1, -1
    srli    a0, a0, 4
    addi    a3, a3, -1
    bnez    a3, 4b
    li      a0, 1
    la      a1, msg
    li      a2, 17              # "total 0x" + 8 digits + newline
    li      a7, 64
    ecall
    li      s1, 0
fail:
    mv      a0, s1
    li      a7, 94
    ecall

child:
    la      t0, tls             # CLONE_SETTLS: tp = &tls
    bne     tp, t0, 5f
    li      t1, 1
    la      t0, tls_ok
    sw      t1, 0(t0)
5:  la      a0, counter
    li      t2, 100000
    li      t1, 1
6:  amoadd.w.aqrl zero, t1, (a0)
    addi    t2, t2, -1
    bnez    t2, 6b
    li      a0, 0
    li      a7, 93              # exit (this thread)
    ecall

    .data
    .balign 8
tid:      .word 0
counter:  .word 0
tls_ok:   .word 0
    .balign 16
tls:      .space 64
hexchars: .ascii "0123456789abcdef"
msg:      .ascii "total 0x"
digits:   .ascii "00000000\n"
    .balign 16
stack:    .space 16384
stack_top:
