// clone a thread (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID;
// arm64 order (CLONE_BACKWARDS): flags, stack, ptid, tls, ctid); both threads add 1 to a shared counter 100000
// times, the parent with ldaxr/stlxr, the child with the ARMv8.1 ldaddal; the parent joins
// through the CLONE_CHILD_CLEARTID word + futex and prints the exact total in hex. The child
// checks that CLONE_SETTLS set TPIDR_EL0.
    .globl _start
    .text
_start:
    mov     x19, #1                 // clone(flags, stack, &tid, &tls, &tid)
    movz    x0, #0x3d, lsl #16
    movk    x0, #0x0f00
    adrp    x1, stack_top
    add     x1, x1, :lo12:stack_top
    adrp    x2, tid
    add     x2, x2, :lo12:tid
    mov     x4, x2
    adrp    x3, tls
    add     x3, x3, :lo12:tls
    mov     x8, #220
    svc     #0
    cmn     x0, #4095
    b.hs    fail
    cbz     x0, child

    bl      add_exclusive           // parent's half of the work
2:                                  // join: while (tid != 0) futex_wait(&tid, tid)
    adrp    x0, tid
    add     x0, x0, :lo12:tid
    ldr     w2, [x0]
    cbz     w2, 3f
    mov     x1, #0
    mov     x3, #0
    mov     x8, #98
    svc     #0
    b       2b
3:
    mov     x19, #2                 // the child saw its TLS
    adrp    x0, tls_ok
    ldr     w0, [x0, :lo12:tls_ok]
    cmp     w0, #1
    b.ne    fail

    adrp    x0, counter             // format the counter as 8 hex digits
    ldr     w0, [x0, :lo12:counter]
    adrp    x1, digits
    add     x1, x1, :lo12:digits
    add     x1, x1, #7
    adrp    x2, hexchars
    add     x2, x2, :lo12:hexchars
    mov     x3, #8
4:
    and     x4, x0, #15
    ldrb    w4, [x2, x4]
    strb    w4, [x1], #-1
    lsr     x0, x0, #4
    subs    x3, x3, #1
    b.ne    4b
    mov     x0, #1
    adrp    x1, msg
    add     x1, x1, :lo12:msg
    mov     x2, #17
    mov     x8, #64
    svc     #0
    mov     x19, #3
    adrp    x0, counter
    ldr     w0, [x0, :lo12:counter]
    movz    w1, #0x3, lsl #16
    movk    w1, #0x0d40             // 200000
    cmp     w0, w1
    b.ne    fail
    mov     x19, #0
fail:
    mov     x0, x19
    mov     x8, #94
    svc     #0

child:
    mrs     x0, tpidr_el0           // TPIDR_EL0 = the tls block; its first word is a magic
    ldr     w0, [x0]
    mov     w1, #0x5eed
    cmp     w0, w1
    b.ne    5f
    adrp    x0, tls_ok
    add     x0, x0, :lo12:tls_ok
    mov     w1, #1
    str     w1, [x0]
5:
    adrp    x0, counter             // counter += 1, 100000 times, with LSE
    add     x0, x0, :lo12:counter
    movz    w3, #0x1, lsl #16
    movk    w3, #0x86a0             // 100000
    mov     w1, #1
6:
    ldaddal w1, w2, [x0]
    subs    w3, w3, #1
    b.ne    6b
    mov     x0, #0                  // exit(0): this thread only
    mov     x8, #93
    svc     #0

add_exclusive:                      // counter += 1, 100000 times, with ldaxr/stlxr
    adrp    x0, counter
    add     x0, x0, :lo12:counter
    movz    w3, #0x1, lsl #16
    movk    w3, #0x86a0
7:
    ldaxr   w1, [x0]
    add     w1, w1, #1
    stlxr   w2, w1, [x0]
    cbnz    w2, 7b
    subs    w3, w3, #1
    b.ne    7b
    ret

    .data
    .balign 8
tls:
    .long   0x5eed
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
