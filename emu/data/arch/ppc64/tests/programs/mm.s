# mmap, write, partial munmap, mincore (-ENOMEM on the hole), MAP_FIXED, madvise(DONTNEED)
# zeroes, brk, then mprotect read-only and write: SIGSEGV (139). 64 KiB pages.
# Shared by ppc64 and ppc64le. Exit status on failure = the failing step (r31).
    .abiversion 2
    .globl _start
    .text
_start:
    li      31, 1                   # p = mmap(0, 4 pages, RW, PRIVATE|ANON, -1, 0)
    li      3, 0
    lis     4, 4
    li      5, 3
    li      6, 0x22
    li      7, -1
    li      8, 0
    li      0, 90
    sc
    bso-    fail
    mr      30, 3
    li      9, 1                    # touch every page
    stb     9, 0(30)
    addis   10, 30, 1
    li      9, 2
    stb     9, 0(10)
    addis   10, 30, 2
    li      9, 3
    stb     9, 0(10)
    addis   10, 30, 3
    li      9, 4
    stb     9, 0(10)

    li      31, 2                   # munmap(p+1 page, 1 page) == 0
    addis   3, 30, 1
    lis     4, 1
    li      0, 91
    sc
    bso-    fail

    li      31, 3                   # mincore(p, 4 pages) == -ENOMEM (hole)
    mr      3, 30
    lis     4, 4
    lis     5, vec@ha
    addi    5, 5, vec@l
    li      0, 206
    sc
    bns-    fail
    cmpdi   3, 12
    bne-    fail

    li      31, 4                   # mincore(p, 1 page) == 0 and resident
    mr      3, 30
    lis     4, 1
    lis     5, vec@ha
    addi    5, 5, vec@l
    li      0, 206
    sc
    bso-    fail
    lis     5, vec@ha
    addi    5, 5, vec@l
    lbz     9, 0(5)
    andi.   9, 9, 1
    beq-    fail

    li      31, 5                   # mincore(p+2 pages, 2 pages) == 0
    addis   3, 30, 2
    lis     4, 2
    lis     5, vec@ha
    addi    5, 5, vec@l
    li      0, 206
    sc
    bso-    fail

    li      31, 6                   # mincore(p+1 page, 1 byte) == -ENOMEM
    addis   3, 30, 1
    li      4, 1
    lis     5, vec@ha
    addi    5, 5, vec@l
    li      0, 206
    sc
    bns-    fail
    cmpdi   3, 12
    bne-    fail

    li      31, 8                   # the pages around the hole kept their bytes
    addis   10, 30, 2
    lbz     9, 0(10)
    cmpdi   9, 3
    bne-    fail
    addis   10, 30, 3
    lbz     9, 0(10)
    cmpdi   9, 4
    bne-    fail

    li      31, 7                   # madvise(p+2 pages, 1 page, MADV_DONTNEED) zeroes it
    addis   3, 30, 2
    lis     4, 1
    li      5, 4
    li      0, 205
    sc
    bso-    fail
    addis   10, 30, 2
    lbz     9, 0(10)
    cmpdi   9, 0
    bne-    fail

    li      31, 9                   # munmap(p+1, 1 page) == -EINVAL
    addi    3, 30, 1
    lis     4, 1
    li      0, 91
    sc
    bns-    fail
    cmpdi   3, 22
    bne-    fail

    li      31, 10                  # mmap(p+1 page, 1 page, RW, PRIVATE|ANON|FIXED) == p+1 page
    addis   3, 30, 1
    lis     4, 1
    li      5, 3
    li      6, 0x32
    li      7, -1
    li      8, 0
    li      0, 90
    sc
    bso-    fail
    addis   10, 30, 1
    cmpd    3, 10
    bne-    fail
    li      31, 11                  # now the whole range is mapped again, the new page zeroed
    mr      3, 30
    lis     4, 4
    lis     5, vec@ha
    addi    5, 5, vec@l
    li      0, 206
    sc
    bso-    fail
    addis   10, 30, 1
    lbz     9, 0(10)
    cmpdi   9, 0
    bne-    fail

    li      31, 12                  # brk(0), brk(+3 pages), write there
    li      3, 0
    li      0, 45
    sc
    mr      29, 3
    addis   3, 29, 3
    li      0, 45
    sc
    addis   10, 29, 3
    cmpd    3, 10
    bne-    fail
    li      9, 7
    stb     9, -1(3)

    li      31, 13                  # write(1, "mm ok\n")
    li      3, 1
    lis     4, okmsg@ha
    addi    4, 4, okmsg@l
    li      5, 6
    li      0, 4
    sc

    li      31, 14                  # mprotect(p, 1 page, PROT_READ) == 0
    mr      3, 30
    lis     4, 1
    li      5, 1
    li      0, 125
    sc
    bso-    fail
    lbz     9, 0(30)                # reading is fine
    li      9, 9
    stb     9, 0(30)                # writing faults: SIGSEGV, exit status 139
    li      31, 15
fail:
    mr      3, 31
    li      0, 234
    sc

    .data
okmsg:
    .ascii  "mm ok\n"
    .bss
vec:
    .zero   256
