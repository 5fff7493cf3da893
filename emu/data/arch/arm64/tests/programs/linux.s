// Linux semantics that qemu-user does not reproduce (emu only): mincore at an address that
// is not page aligned is -EINVAL (qemu says -ENOMEM), a free hint address is honoured, and a
// mapping beyond --mem-limit (run with --mem-limit 16M) is -ENOMEM.
    .globl _start
    .text
_start:
    mov     x19, #1                 // p = mmap(0, 2 pages, RW, PRIVATE|ANON)
    mov     x0, #0
    mov     x1, #8192
    mov     x2, #3
    mov     x3, #0x22
    mov     x4, #-1
    mov     x5, #0
    mov     x8, #222
    svc     #0
    cmn     x0, #4095
    b.hs    fail
    mov     x20, x0
    adrp    x21, vec
    add     x21, x21, :lo12:vec

    mov     x19, #2                 // mincore(p+1, 1 page) == -EINVAL
    add     x0, x20, #1
    mov     x1, #4096
    mov     x2, x21
    mov     x8, #232
    svc     #0
    cmn     x0, #22
    b.ne    fail

    mov     x19, #3                 // mincore(p+4096, 4096): 4 KiB pages here, so 0
    add     x0, x20, #4096
    mov     x1, #4096
    mov     x2, x21
    mov     x8, #232
    svc     #0
    cbnz    x0, fail

    mov     x19, #4                 // mmap(hint 0x60000000, 1 page) returns the hint
    mov     x0, #0x60000000
    mov     x1, #4096
    mov     x2, #3
    mov     x3, #0x22
    mov     x4, #-1
    mov     x5, #0
    mov     x8, #222
    svc     #0
    mov     x1, #0x60000000
    cmp     x0, x1
    b.ne    fail

    mov     x19, #5                 // mmap(0, 64 MiB) beyond --mem-limit 16M == -ENOMEM
    mov     x0, #0
    mov     x1, #0x4000000
    mov     x2, #3
    mov     x3, #0x22
    mov     x4, #-1
    mov     x5, #0
    mov     x8, #222
    svc     #0
    cmn     x0, #12
    b.ne    fail

    mov     x19, #6                 // brk(+64 MiB) fails: the break stays where it was
    mov     x0, #0
    mov     x8, #214
    svc     #0
    mov     x22, x0
    mov     x1, #0x4000000
    add     x0, x22, x1
    mov     x8, #214
    svc     #0
    cmp     x0, x22
    b.ne    fail

    mov     x0, #1
    adrp    x1, okmsg
    add     x1, x1, :lo12:okmsg
    mov     x2, #9
    mov     x8, #64
    svc     #0
    mov     x19, #0
fail:
    mov     x0, x19
    mov     x8, #94
    svc     #0

    .data
okmsg:
    .ascii  "linux ok\n"
    .bss
vec:
    .zero   16
