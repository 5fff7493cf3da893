@ Linux semantics that qemu-user does not reproduce (emu only): mincore at an address that
@ is not page aligned is -EINVAL (qemu says -ENOMEM), a free hint address is honoured, and a
@ mapping beyond --mem-limit (run with --mem-limit 16M) is -ENOMEM.
    .syntax unified
    .globl _start
    .text
_start:
    mov     r10, #1                 @ p = mmap2(0, 2 pages, RW, PRIVATE|ANON)
    mov     r0, #0
    mov     r1, #8192
    mov     r2, #3
    mov     r3, #0x22
    mvn     r4, #0
    mov     r5, #0
    mov     r7, #192
    svc     #0
    cmn     r0, #4096
    bcs     fail
    mov     r6, r0

    mov     r10, #2                 @ mincore(p+1, 1 page) == -EINVAL
    add     r0, r6, #1
    mov     r1, #4096
    ldr     r2, =vec
    mov     r7, #219
    svc     #0
    cmn     r0, #22
    bne     fail

    mov     r10, #3                 @ mincore(p+4096, 4096): 4 KiB pages here, so 0
    add     r0, r6, #4096
    mov     r1, #4096
    ldr     r2, =vec
    mov     r7, #219
    svc     #0
    cmp     r0, #0
    bne     fail

    mov     r10, #4                 @ mmap2(hint 0x60000000, 1 page) returns the hint
    mov     r0, #0x60000000
    mov     r1, #4096
    mov     r2, #3
    mov     r3, #0x22
    mvn     r4, #0
    mov     r5, #0
    mov     r7, #192
    svc     #0
    cmp     r0, #0x60000000
    bne     fail

    mov     r10, #5                 @ mmap2(0, 64 MiB) beyond --mem-limit 16M == -ENOMEM
    mov     r0, #0
    mov     r1, #0x4000000
    mov     r2, #3
    mov     r3, #0x22
    mvn     r4, #0
    mov     r5, #0
    mov     r7, #192
    svc     #0
    cmn     r0, #12
    bne     fail

    mov     r10, #6                 @ brk(+64 MiB) fails: the break stays where it was
    mov     r0, #0
    mov     r7, #45
    svc     #0
    mov     r8, r0
    add     r0, r8, #0x4000000
    mov     r7, #45
    svc     #0
    cmp     r0, r8
    bne     fail

    mov     r0, #1
    ldr     r1, =okmsg
    mov     r2, #9
    mov     r7, #4
    svc     #0
    mov     r10, #0
fail:
    mov     r0, r10
    mov     r7, #248
    svc     #0

    .data
okmsg:
    .ascii  "linux ok\n"
    .bss
vec:
    .zero   16
