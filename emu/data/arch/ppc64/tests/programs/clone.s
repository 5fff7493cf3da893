# clone a thread (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID;
# PPC order: flags, stack, ptid, tls, ctid); both threads add 1 to a shared counter 100000
# times with lwarx/stwcx.; the parent joins through the CLONE_CHILD_CLEARTID word + futex
# and prints the exact total in hex. The child checks that CLONE_SETTLS set r13.
# Shared by ppc64 and ppc64le.
    .abiversion 2
    .globl _start
    .text
_start:
    li      31, 1                   # clone(flags, stack, &tid, &tls, &tid)
    lis     3, 0x3d
    ori     3, 3, 0x0f00
    lis     4, stack_top@ha
    addi    4, 4, stack_top@l
    lis     5, tid@ha
    addi    5, 5, tid@l
    lis     6, tls@ha
    addi    6, 6, tls@l
    mr      7, 5
    li      0, 120
    sc
    bso-    fail
    cmpdi   3, 0
    beq-    child

    bl      add_many                # parent's half of the work
2:                                  # join: while (tid != 0) futex_wait(&tid, tid)
    lis     3, tid@ha
    addi    3, 3, tid@l
    lwz     5, 0(3)
    cmpwi   5, 0
    beq-    3f
    li      4, 0
    li      6, 0
    li      0, 221
    sc
    b       2b
3:
    li      31, 2                   # the child saw its TLS
    lis     3, tls_ok@ha
    addi    3, 3, tls_ok@l
    lwz     3, 0(3)
    cmpwi   3, 1
    bne-    fail

    lis     3, counter@ha           # format the counter as 8 hex digits
    addi    3, 3, counter@l
    lwz     3, 0(3)
    lis     4, digits@ha
    addi    4, 4, digits@l
    addi    4, 4, 7
    lis     5, hexchars@ha
    addi    5, 5, hexchars@l
    li      6, 8
    mtctr   6
4:
    andi.   7, 3, 15
    lbzx    7, 5, 7
    stb     7, 0(4)
    addi    4, 4, -1
    srwi    3, 3, 4
    bdnz    4b
    li      3, 1
    lis     4, msg@ha
    addi    4, 4, msg@l
    li      5, 17
    li      0, 4
    sc
    li      31, 3
    lis     3, counter@ha
    addi    3, 3, counter@l
    lwz     3, 0(3)
    lis     4, 3
    ori     4, 4, 0x0d40
    cmpw    3, 4
    bne-    fail
    li      31, 0
fail:
    mr      3, 31
    li      0, 234
    sc

child:
    ld      9, 0(13)                # r13 = the tls block; its first word is a magic
    cmpdi   9, 0x5eed
    bne-    5f
    lis     3, tls_ok@ha
    addi    3, 3, tls_ok@l
    li      9, 1
    stw     9, 0(3)
5:
    bl      add_many
    li      3, 0                    # exit(0): this thread only
    li      0, 1
    sc

add_many:                           # counter += 1, 100000 times, atomically
    lis     5, counter@ha
    addi    5, 5, counter@l
    lis     6, 1
    ori     6, 6, 0x86a0
    mtctr   6
6:
    lwarx   9, 0, 5
    addi    9, 9, 1
    stwcx.  9, 0, 5
    bne-    6b
    bdnz    6b
    blr

    .data
    .balign 8
tls:
    .quad   0x5eed
counter:
    .long   0
tid:
    .long   0
tls_ok:
    .long   0
msg:
    .ascii  "total 0x"
digits:
    .ascii  "00000000\n"
hexchars:
    .ascii  "0123456789abcdef"
    .bss
    .balign 16
stack:
    .zero   65536
stack_top:
