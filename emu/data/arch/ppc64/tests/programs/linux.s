# Linux semantics that qemu-user does not reproduce (emu only): 64 KiB pages, so mincore at
# p+4096 is -EINVAL (qemu -p 65536 still checks 4 KiB alignment), a free hint address is
# honoured, and a mapping beyond --mem-limit (run with --mem-limit 16M) is -ENOMEM.
    .abiversion 2
    .globl _start
    .text
_start:
    li      31, 1                   # p = mmap(0, 2 pages, RW, PRIVATE|ANON)
    li      3, 0
    lis     4, 2
    li      5, 3
    li      6, 0x22
    li      7, -1
    li      8, 0
    li      0, 90
    sc
    bso-    fail
    mr      30, 3

    li      31, 2                   # mincore(p+1, 1 page) == -EINVAL
    addi    3, 30, 1
    lis     4, 1
    lis     5, vec@ha
    addi    5, 5, vec@l
    li      0, 206
    sc
    bns-    fail
    cmpdi   3, 22
    bne-    fail

    li      31, 3                   # mincore(p+4096, 4096): not a 64 KiB boundary, -EINVAL
    addi    3, 30, 4096
    li      4, 4096
    lis     5, vec@ha
    addi    5, 5, vec@l
    li      0, 206
    sc
    bns-    fail
    cmpdi   3, 22
    bne-    fail

    li      31, 4                   # mmap(hint 0x200000000, 1 page) returns the hint
    li      3, 2
    sldi    3, 3, 32
    lis     4, 1
    li      5, 3
    li      6, 0x22
    li      7, -1
    li      8, 0
    li      0, 90
    sc
    bso-    fail
    li      10, 2
    sldi    10, 10, 32
    cmpd    3, 10
    bne-    fail

    li      31, 5                   # mmap(0, 64 MiB) beyond --mem-limit 16M == -ENOMEM
    li      3, 0
    lis     4, 0x400
    li      5, 3
    li      6, 0x22
    li      7, -1
    li      8, 0
    li      0, 90
    sc
    bns-    fail
    cmpdi   3, 12
    bne-    fail

    li      31, 6                   # brk(+64 MiB) fails: the break stays where it was
    li      3, 0
    li      0, 45
    sc
    mr      29, 3
    addis   3, 29, 0x400
    li      0, 45
    sc
    cmpd    3, 29
    bne-    fail

    li      3, 1
    lis     4, okmsg@ha
    addi    4, 4, okmsg@l
    li      5, 9
    li      0, 4
    sc
    li      31, 0
fail:
    mr      3, 31
    li      0, 234
    sc

    .data
okmsg:
    .ascii  "linux ok\n"
    .bss
vec:
    .zero   16
