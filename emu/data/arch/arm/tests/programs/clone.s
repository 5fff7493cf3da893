@ clone a thread (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID;
@ ARM order: flags, stack, ptid, tls, ctid); both threads add 1 to a shared counter 100000
@ times with ldrex/strex; the parent joins through the CLONE_CHILD_CLEARTID word + futex and
@ prints the exact total in hex. The child checks that CLONE_SETTLS set TPIDRURO.
    .syntax unified
    .globl _start
    .text
_start:
    mov     r10, #1                 @ clone(flags, stack, &tid, &tls, &tid)
    ldr     r0, =0x3d0f00
    ldr     r1, =stack_top
    ldr     r2, =tid
    ldr     r3, =tls
    ldr     r4, =tid
    mov     r7, #120
    svc     #0
    cmn     r0, #4096
    bcs     fail
    cmp     r0, #0
    beq     child

    bl      add_many                @ parent's half of the work
2:                                  @ join: while (tid != 0) futex_wait(&tid, tid)
    ldr     r0, =tid
    ldr     r2, [r0]
    cmp     r2, #0
    beq     3f
    mov     r1, #0
    mov     r3, #0
    mov     r7, #240
    svc     #0
    b       2b
3:
    mov     r10, #2                 @ the child saw its TLS
    ldr     r0, =tls_ok
    ldr     r0, [r0]
    cmp     r0, #1
    bne     fail

    ldr     r0, =counter            @ format the counter as 8 hex digits
    ldr     r0, [r0]
    ldr     r1, =digits + 7
    ldr     r2, =hexchars
    mov     r3, #8
4:
    and     r4, r0, #15
    ldrb    r4, [r2, r4]
    strb    r4, [r1], #-1
    lsr     r0, r0, #4
    subs    r3, r3, #1
    bne     4b
    mov     r0, #1
    ldr     r1, =msg
    mov     r2, #17
    mov     r7, #4
    svc     #0
    mov     r10, #3
    ldr     r0, =counter
    ldr     r0, [r0]
    ldr     r1, =200000
    cmp     r0, r1
    bne     fail
    mov     r10, #0
fail:
    mov     r0, r10
    mov     r7, #248
    svc     #0

child:
    mrc     p15, 0, r0, c13, c0, 3  @ TPIDRURO = the tls block; its first word is a magic
    ldr     r0, [r0]
    ldr     r1, =0x5eed
    cmp     r0, r1
    bne     5f
    ldr     r0, =tls_ok
    mov     r1, #1
    str     r1, [r0]
5:
    bl      add_many
    mov     r0, #0                  @ exit(0): this thread only
    mov     r7, #1
    svc     #0

add_many:                           @ counter += 1, 100000 times, atomically
    ldr     r0, =counter
    ldr     r3, =100000
6:
    ldrex   r1, [r0]
    add     r1, r1, #1
    strex   r2, r1, [r0]
    cmp     r2, #0
    bne     6b
    subs    r3, r3, #1
    bne     6b
    bx      lr

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
