# mmap, write, partial munmap, mincore (-ENOMEM on the hole), MAP_FIXED, madvise(DONTNEED)
# zeroes, brk, then mprotect read-only and write: SIGSEGV (139).
# Exit status on failure = the failing step (s1). asm-generic numbers: mmap 222, munmap 215,
# mincore 232, madvise 233, brk 214, mprotect 226.
    .globl _start
    .text
_start:
    li      s1, 1               # mmap(0, 3 pages, RW, PRIVATE|ANONYMOUS, -1, 0)
    li      a0, 0
    li      a1, 3 * 4096
    li      a2, 3
    li      a3, 0x22
    li      a4, -1
    li      a5, 0
    li      a7, 222
    ecall
    li      t0, -4096
    bgeu    a0, t0, fail
    mv      s2, a0
    li      s1, 2               # write every page, read it back
    li      t1, 0x5a
    sb      t1, 0(s2)
    li      t5, 4096
    add     t5, t5, s2
    sb      t1, 0(t5)
    li      t2, 8192
    add     t2, t2, s2
    sb      t1, 0(t2)
    lbu     t3, 0(t5)
    bne     t3, t1, fail
    li      s1, 3               # munmap the middle page
    li      t0, 4096
    add     a0, s2, t0
    li      a1, 4096
    li      a7, 215
    ecall
    bnez    a0, fail
    li      s1, 4               # mincore over the hole: -ENOMEM
    mv      a0, s2
    li      a1, 3 * 4096
    la      a2, vec
    li      a7, 232
    ecall
    li      t0, -12
    bne     a0, t0, fail
    li      s1, 5               # MAP_FIXED the hole back
    li      t0, 4096
    add     a0, s2, t0
    li      a1, 4096
    li      a2, 3
    li      a3, 0x32
    li      a4, -1
    li      a5, 0
    li      a7, 222
    ecall
    li      t0, 4096
    add     t0, t0, s2
    bne     a0, t0, fail
    li      s1, 6               # madvise(DONTNEED) zeroes the first page
    mv      a0, s2
    li      a1, 4096
    li      a2, 4
    li      a7, 233
    ecall
    bnez    a0, fail
    lbu     t3, 0(s2)
    bnez    t3, fail
    li      s1, 7               # brk(0), then grow by a page and touch it
    li      a0, 0
    li      a7, 214
    ecall
    mv      s3, a0
    li      t0, 4096
    add     a0, s3, t0
    li      a7, 214
    ecall
    li      t0, 4096
    add     t0, t0, s3
    bne     a0, t0, fail
    sb      t1, 0(s3)
    li      s1, 8               # mprotect read-only, then write: SIGSEGV
    mv      a0, s2
    li      a1, 4096
    li      a2, 1
    li      a7, 226
    ecall
    bnez    a0, fail
    la      a0, msg
    mv      a1, a0
    li      a0, 1
    li      a2, 6
    li      a7, 64
    ecall
    sb      t1, 0(s2)
    li      s1, 9
fail:
    mv      a0, s1
    li      a7, 94
    ecall

    .data
msg:    .ascii "mm ok\n"
vec:    .space 8
