@ mmap2, write, partial munmap, mincore (-ENOMEM on the hole), MAP_FIXED, madvise(DONTNEED)
@ zeroes, brk, then mprotect read-only and write: SIGSEGV (139).
@ Exit status on failure = the failing step (r10).
    .syntax unified
    .globl _start
    .text
_start:
    mov     r10, #1                 @ p = mmap2(0, 4 pages, RW, PRIVATE|ANON, -1, 0)
    mov     r0, #0
    mov     r1, #16384
    mov     r2, #3
    mov     r3, #0x22
    mvn     r4, #0
    mov     r5, #0
    mov     r7, #192
    svc     #0
    cmn     r0, #4096
    bcs     fail
    mov     r6, r0
    mov     r1, #1                  @ touch every page
    strb    r1, [r6]
    mov     r1, #2
    add     r2, r6, #4096
    strb    r1, [r2]
    mov     r1, #3
    add     r2, r6, #8192
    strb    r1, [r2]
    mov     r1, #4
    add     r2, r6, #12288
    strb    r1, [r2]

    mov     r10, #2                 @ munmap(p+1 page, 1 page) == 0
    add     r0, r6, #4096
    mov     r1, #4096
    mov     r7, #91
    svc     #0
    cmp     r0, #0
    bne     fail

    mov     r10, #3                 @ mincore(p, 4 pages) == -ENOMEM (hole)
    mov     r0, r6
    mov     r1, #16384
    ldr     r2, =vec
    mov     r7, #219
    svc     #0
    cmn     r0, #12
    bne     fail

    mov     r10, #4                 @ mincore(p, 1 page) == 0 and resident
    mov     r0, r6
    mov     r1, #4096
    ldr     r2, =vec
    mov     r7, #219
    svc     #0
    cmp     r0, #0
    bne     fail
    ldr     r2, =vec
    ldrb    r0, [r2]
    tst     r0, #1
    beq     fail

    mov     r10, #5                 @ mincore(p+2 pages, 2 pages) == 0
    add     r0, r6, #8192
    mov     r1, #8192
    ldr     r2, =vec
    mov     r7, #219
    svc     #0
    cmp     r0, #0
    bne     fail

    mov     r10, #6                 @ mincore(p+1 page, 1 byte) == -ENOMEM
    add     r0, r6, #4096
    mov     r1, #1
    ldr     r2, =vec
    mov     r7, #219
    svc     #0
    cmn     r0, #12
    bne     fail

    mov     r10, #8                 @ the pages around the hole kept their bytes
    add     r2, r6, #8192
    ldrb    r0, [r2]
    cmp     r0, #3
    bne     fail
    add     r2, r6, #12288
    ldrb    r0, [r2]
    cmp     r0, #4
    bne     fail

    mov     r10, #7                 @ madvise(p+2 pages, 1 page, MADV_DONTNEED) zeroes it
    add     r0, r6, #8192
    mov     r1, #4096
    mov     r2, #4
    mov     r7, #220
    svc     #0
    cmp     r0, #0
    bne     fail
    add     r2, r6, #8192
    ldrb    r0, [r2]
    cmp     r0, #0
    bne     fail

    mov     r10, #9                 @ munmap(p+1, 1 page) == -EINVAL
    add     r0, r6, #1
    mov     r1, #4096
    mov     r7, #91
    svc     #0
    cmn     r0, #22
    bne     fail

    mov     r10, #10                @ mmap2(p+1 page, 1 page, RW, PRIVATE|ANON|FIXED) == p+1 page
    add     r0, r6, #4096
    mov     r1, #4096
    mov     r2, #3
    mov     r3, #0x32
    mvn     r4, #0
    mov     r5, #0
    mov     r7, #192
    svc     #0
    add     r1, r6, #4096
    cmp     r0, r1
    bne     fail
    mov     r10, #11                @ now the whole range is mapped again, the new page zeroed
    mov     r0, r6
    mov     r1, #16384
    ldr     r2, =vec
    mov     r7, #219
    svc     #0
    cmp     r0, #0
    bne     fail
    add     r2, r6, #4096
    ldrb    r0, [r2]
    cmp     r0, #0
    bne     fail

    mov     r10, #12                @ brk(0), brk(+3 pages), write there
    mov     r0, #0
    mov     r7, #45
    svc     #0
    mov     r8, r0
    add     r0, r8, #12288
    mov     r7, #45
    svc     #0
    add     r1, r8, #12288
    cmp     r0, r1
    bne     fail
    mov     r1, #7
    strb    r1, [r0, #-1]

    mov     r10, #13                @ write(1, "mm ok\n")
    mov     r0, #1
    ldr     r1, =okmsg
    mov     r2, #6
    mov     r7, #4
    svc     #0

    mov     r10, #14                @ mprotect(p, 1 page, PROT_READ) == 0
    mov     r0, r6
    mov     r1, #4096
    mov     r2, #1
    mov     r7, #125
    svc     #0
    cmp     r0, #0
    bne     fail
    ldrb    r0, [r6]                @ reading is fine
    mov     r0, #9
    strb    r0, [r6]                @ writing faults: SIGSEGV, exit status 139
    mov     r10, #15
fail:
    mov     r0, r10
    mov     r7, #248
    svc     #0

    .data
okmsg:
    .ascii  "mm ok\n"
    .bss
vec:
    .zero   256
