# Linux semantics that qemu-user does not reproduce (emu only): mincore at an address that
# is not page aligned is -EINVAL (qemu says -ENOMEM), a free hint address is honoured, and a
# mapping beyond --mem-limit (run with --mem-limit 16M) is -ENOMEM.
    .globl _start
    .text
_start:
    li      s1, 1               # p = mmap(0, 2 pages, RW, PRIVATE|ANON)
    li      a0, 0
    li      a1, 8192
    li      a2, 3
    li      a3, 0x22
    li      a4, -1
    li      a5, 0
    li      a7, 222
    ecall
    li      t0, -4096
    bgeu    a0, t0, fail
    mv      s2, a0
    la      s3, vec

    li      s1, 2               # mincore(p+1, 1 page) == -EINVAL
    addi    a0, s2, 1
    li      a1, 4096
    mv      a2, s3
    li      a7, 232
    ecall
    li      t0, -22
    bne     a0, t0, fail

    li      s1, 3               # mincore(p+4096, 4096): 4 KiB pages here, so 0
    li      t0, 4096
    add     a0, s2, t0
    li      a1, 4096
    mv      a2, s3
    li      a7, 232
    ecall
    bnez    a0, fail

    li      s1, 4               # mmap(hint 0x60000000, 1 page) returns the hint
    li      a0, 0x60000000
    li      a1, 4096
    li      a2, 3
    li      a3, 0x22
    li      a4, -1
    li      a5, 0
    li      a7, 222
    ecall
    li      t0, 0x60000000
    bne     a0, t0, fail

    li      s1, 5               # mmap(0, 64 MiB) beyond --mem-limit 16M == -ENOMEM
    li      a0, 0
    li      a1, 0x4000000
    li      a2, 3
    li      a3, 0x22
    li      a4, -1
    li      a5, 0
    li      a7, 222
    ecall
    li      t0, -12
    bne     a0, t0, fail

    li      s1, 6               # brk(+64 MiB) fails: the break stays where it was
    li      a0, 0
    li      a7, 214
    ecall
    mv      s4, a0
    li      t0, 0x4000000
    add     a0, s4, t0
    li      a7, 214
    ecall
    bne     a0, s4, fail

    li      a0, 1
    la      a1, okmsg
    li      a2, 9
    li      a7, 64
    ecall
    li      s1, 0
fail:
    mv      a0, s1
    li      a7, 94
    ecall

    .data
okmsg:
    .ascii  "linux ok\n"
    .bss
vec:
    .zero   16
