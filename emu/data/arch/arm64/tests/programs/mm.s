// mmap, write, partial munmap, mincore (-ENOMEM on the hole), MAP_FIXED, madvise(DONTNEED)
// zeroes, brk, then mprotect read-only and write: SIGSEGV (139).
// Exit status on failure = the failing step (x19). asm-generic numbers: mmap 222, munmap 215.
    .globl _start
    .text
_start:
    mov     x19, #1                 // p = mmap(0, 4 pages, RW, PRIVATE|ANON, -1, 0)
    mov     x0, #0
    mov     x1, #16384
    mov     x2, #3
    mov     x3, #0x22
    mov     x4, #-1
    mov     x5, #0
    mov     x8, #222
    svc     #0
    cmn     x0, #4095
    b.hs    fail
    mov     x20, x0
    mov     w1, #1                  // touch every page
    strb    w1, [x20]
    mov     w1, #2
    add     x2, x20, #4096
    strb    w1, [x2]
    mov     w1, #3
    add     x2, x20, #8192
    strb    w1, [x2]
    mov     w1, #4
    add     x2, x20, #12288
    strb    w1, [x2]

    mov     x19, #2                 // munmap(p+1 page, 1 page) == 0
    add     x0, x20, #4096
    mov     x1, #4096
    mov     x8, #215
    svc     #0
    cbnz    x0, fail

    mov     x19, #3                 // mincore(p, 4 pages) == -ENOMEM (hole)
    mov     x0, x20
    mov     x1, #16384
    adrp    x2, vec
    add     x2, x2, :lo12:vec
    mov     x8, #232
    svc     #0
    cmn     x0, #12
    b.ne    fail

    mov     x19, #4                 // mincore(p, 1 page) == 0 and resident
    mov     x0, x20
    mov     x1, #4096
    adrp    x2, vec
    add     x2, x2, :lo12:vec
    mov     x8, #232
    svc     #0
    cbnz    x0, fail
    ldrb    w0, [x2]
    tbz     w0, #0, fail

    mov     x19, #5                 // mincore(p+2 pages, 2 pages) == 0
    add     x0, x20, #8192
    mov     x1, #8192
    mov     x8, #232
    svc     #0
    cbnz    x0, fail

    mov     x19, #6                 // mincore(p+1 page, 1 byte) == -ENOMEM
    add     x0, x20, #4096
    mov     x1, #1
    mov     x8, #232
    svc     #0
    cmn     x0, #12
    b.ne    fail

    mov     x19, #8                 // the pages around the hole kept their bytes
    add     x2, x20, #8192
    ldrb    w0, [x2]
    cmp     w0, #3
    b.ne    fail
    add     x2, x20, #12288
    ldrb    w0, [x2]
    cmp     w0, #4
    b.ne    fail

    mov     x19, #7                 // madvise(p+2 pages, 1 page, MADV_DONTNEED) zeroes it
    add     x0, x20, #8192
    mov     x1, #4096
    mov     x2, #4
    mov     x8, #233
    svc     #0
    cbnz    x0, fail
    add     x2, x20, #8192
    ldrb    w0, [x2]
    cbnz    w0, fail

    mov     x19, #9                 // munmap(p+1, 1 page) == -EINVAL
    add     x0, x20, #1
    mov     x1, #4096
    mov     x8, #215
    svc     #0
    cmn     x0, #22
    b.ne    fail

    mov     x19, #10                // mmap(p+1 page, 1 page, RW, PRIVATE|ANON|FIXED) == p+1 page
    add     x0, x20, #4096
    mov     x1, #4096
    mov     x2, #3
    mov     x3, #0x32
    mov     x4, #-1
    mov     x5, #0
    mov     x8, #222
    svc     #0
    add     x1, x20, #4096
    cmp     x0, x1
    b.ne    fail
    mov     x19, #11                // now the whole range is mapped again, the new page zeroed
    mov     x0, x20
    mov     x1, #16384
    adrp    x2, vec
    add     x2, x2, :lo12:vec
    mov     x8, #232
    svc     #0
    cbnz    x0, fail
    add     x2, x20, #4096
    ldrb    w0, [x2]
    cbnz    w0, fail

    mov     x19, #12                // brk(0), brk(+3 pages), write there
    mov     x0, #0
    mov     x8, #214
    svc     #0
    mov     x21, x0
    add     x0, x21, #12288
    mov     x8, #214
    svc     #0
    add     x1, x21, #12288
    cmp     x0, x1
    b.ne    fail
    mov     w1, #7
    sturb   w1, [x0, #-1]

    mov     x19, #13                // write(1, "mm ok\n")
    mov     x0, #1
    adrp    x1, okmsg
    add     x1, x1, :lo12:okmsg
    mov     x2, #6
    mov     x8, #64
    svc     #0

    mov     x19, #14                // mprotect(p, 1 page, PROT_READ) == 0
    mov     x0, x20
    mov     x1, #4096
    mov     x2, #1
    mov     x8, #226
    svc     #0
    cbnz    x0, fail
    ldrb    w0, [x20]               // reading is fine
    mov     w0, #9
    strb    w0, [x20]               // writing faults: SIGSEGV, exit status 139
    mov     x19, #15
fail:
    mov     x0, x19
    mov     x8, #94
    svc     #0

    .data
okmsg:
    .ascii  "mm ok\n"
    .bss
vec:
    .zero   256
