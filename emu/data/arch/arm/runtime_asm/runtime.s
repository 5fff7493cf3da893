@ emu runtime stubs, 32-bit ARM (ARMv7-A, ARM mode, little-endian).
@ Calling convention: AAPCS: args r0..r3 (64-bit args in an even/odd pair,
@ lo in the even register); result r0 (64-bit: r0 lo, r1 hi); return bx lr.
@ emu-specific extensions (no stack arguments):
@   cas64(ptr r0, old r2:r3, new r4:r5)
@   syscall wrappers with 5/6 args take args 5/6 in r4/r5.
@ r4..r11 are preserved (saved on the stack when used as scratch).
@ gobuf: sp +0, pc +4, g +8, ctxt +12, ret +16, lr +20.
@ g register r10, ctxt register r7.
@ 64-bit atomics need an 8-aligned pointer, otherwise they execute a
@ permanently undefined instruction (udf #0, 0xe7f000f0) => SIGILL.

.text

@ ---------------------------------------------------------------- memory

@ memclr(ptr r0, n r1): bytes until 4-aligned, then words, then bytes.
.globl memclr
memclr:
    mov r2, #0
1:  cmp r1, #0
    bxeq lr
    tst r0, #3
    beq 2f
    strb r2, [r0], #1
    sub r1, r1, #1
    b 1b
2:  cmp r1, #4
    blo 3f
    str r2, [r0], #4
    sub r1, r1, #4
    b 2b
3:  cmp r1, #0
    bxeq lr
    strb r2, [r0], #1
    sub r1, r1, #1
    b 3b

@ memmove(dst r0, src r1, n r2) -> r0 = dst. Overlap-safe both ways; words
@ when dst and src are equally aligned mod 4, bytes otherwise.
@ Scratch: r1 src cursor, r3 dst cursor, r2 count, r12 data.
.globl memmove
memmove:
    cmp r0, r1
    bxeq lr
    mov r3, r0
    bls memmove_fwd            @ dst below src: forward copy is safe
    add r12, r1, r2
    cmp r3, r12
    blo memmove_back           @ dst inside [src, src+n): copy backward
memmove_fwd:
    eor r12, r3, r1
    tst r12, #3
    bne memmove_fbytes
1:  tst r3, #3
    beq 2f
    cmp r2, #0
    bxeq lr
    ldrb r12, [r1], #1
    strb r12, [r3], #1
    sub r2, r2, #1
    b 1b
2:  cmp r2, #4
    blo memmove_fbytes
    ldr r12, [r1], #4
    str r12, [r3], #4
    sub r2, r2, #4
    b 2b
memmove_fbytes:
    cmp r2, #0
    bxeq lr
    ldrb r12, [r1], #1
    strb r12, [r3], #1
    sub r2, r2, #1
    b memmove_fbytes
memmove_back:
    add r1, r1, r2
    add r3, r3, r2
    eor r12, r3, r1
    tst r12, #3
    bne memmove_bbytes
1:  tst r3, #3
    beq 2f
    cmp r2, #0
    bxeq lr
    ldrb r12, [r1, #-1]!
    strb r12, [r3, #-1]!
    sub r2, r2, #1
    b 1b
2:  cmp r2, #4
    blo memmove_bbytes
    ldr r12, [r1, #-4]!
    str r12, [r3, #-4]!
    sub r2, r2, #4
    b 2b
memmove_bbytes:
    cmp r2, #0
    bxeq lr
    ldrb r12, [r1, #-1]!
    strb r12, [r3, #-1]!
    sub r2, r2, #1
    b memmove_bbytes

@ ---------------------------------------------------------------- atomics
@ ldrex/strex loops with dmb ish before and after.

@ casp(ptr, old, new) -> bool; pointer-sized = cas on 32-bit ARM.
.globl casp
casp:
@ cas(ptr32 r0, old r1, new r2) -> 1 if swapped, else 0.
.globl cas
cas:
    dmb ish
1:  ldrex r3, [r0]
    cmp r3, r1
    bne 2f
    strex r12, r2, [r0]
    cmp r12, #0
    bne 1b
    dmb ish
    mov r0, #1
    bx lr
2:  clrex
    dmb ish
    mov r0, #0
    bx lr

@ cas64(ptr64 r0, old r2:r3, new r4:r5) -> bool (emu rule: new in r4:r5).
.globl cas64
cas64:
    tst r0, #7
    bne atomic64_unaligned
    push {r6, r7}
    dmb ish
1:  ldrexd r6, r7, [r0]
    cmp r6, r2
    cmpeq r7, r3
    bne 2f
    strexd r12, r4, r5, [r0]
    cmp r12, #0
    bne 1b
    dmb ish
    mov r0, #1
    pop {r6, r7}
    bx lr
2:  clrex
    dmb ish
    mov r0, #0
    pop {r6, r7}
    bx lr

@ xadd(ptr32 r0, delta r1) -> new value.
.globl xadd
xadd:
    dmb ish
1:  ldrex r2, [r0]
    add r2, r2, r1
    strex r3, r2, [r0]
    cmp r3, #0
    bne 1b
    dmb ish
    mov r0, r2
    bx lr

@ xadd64(ptr64 r0, delta r2:r3) -> new value in r0:r1.
.globl xadd64
xadd64:
    tst r0, #7
    bne atomic64_unaligned
    push {r4, r5}
    dmb ish
1:  ldrexd r4, r5, [r0]
    adds r4, r4, r2
    adc r5, r5, r3
    strexd r12, r4, r5, [r0]
    cmp r12, #0
    bne 1b
    dmb ish
    mov r0, r4
    mov r1, r5
    pop {r4, r5}
    bx lr

@ xchgp(ptr, new) -> old; pointer-sized = xchg.
.globl xchgp
xchgp:
@ xchg(ptr32 r0, new r1) -> old value.
.globl xchg
xchg:
    dmb ish
1:  ldrex r2, [r0]
    strex r3, r1, [r0]
    cmp r3, #0
    bne 1b
    dmb ish
    mov r0, r2
    bx lr

@ xchg64(ptr64 r0, new r2:r3) -> old value in r0:r1.
.globl xchg64
xchg64:
    tst r0, #7
    bne atomic64_unaligned
    push {r4, r5}
    dmb ish
1:  ldrexd r4, r5, [r0]
    strexd r12, r2, r3, [r0]
    cmp r12, #0
    bne 1b
    dmb ish
    mov r0, r4
    mov r1, r5
    pop {r4, r5}
    bx lr

@ atomicloadp(ptr) -> value; pointer-sized = atomicload.
.globl atomicloadp
atomicloadp:
@ atomicload(ptr32 r0) -> value.
.globl atomicload
atomicload:
    dmb ish
    ldr r0, [r0]
    dmb ish
    bx lr

@ atomicload64(ptr64 r0) -> value in r0:r1 (ldrexd: single-copy atomic).
.globl atomicload64
atomicload64:
    tst r0, #7
    bne atomic64_unaligned
    dmb ish
    ldrexd r2, r3, [r0]
    clrex
    dmb ish
    mov r0, r2
    mov r1, r3
    bx lr

@ atomicstorep(ptr, v); pointer-sized = atomicstore.
.globl atomicstorep
atomicstorep:
@ atomicstore(ptr32 r0, v r1).
.globl atomicstore
atomicstore:
    dmb ish
    str r1, [r0]
    dmb ish
    bx lr

@ atomicstore64(ptr64 r0, v r2:r3).
.globl atomicstore64
atomicstore64:
    tst r0, #7
    bne atomic64_unaligned
    push {r4, r5}
    dmb ish
1:  ldrexd r4, r5, [r0]
    strexd r12, r2, r3, [r0]
    cmp r12, #0
    bne 1b
    dmb ish
    pop {r4, r5}
    bx lr

@ A 64-bit atomic on a pointer that is not 8-aligned: undefined instruction.
atomic64_unaligned:
    udf #0

@ atomicor8(ptr8 r0, val r1): *ptr |= val (byte reservation, no shifts).
.globl atomicor8
atomicor8:
    dmb ish
1:  ldrexb r2, [r0]
    orr r2, r2, r1
    strexb r3, r2, [r0]
    cmp r3, #0
    bne 1b
    dmb ish
    bx lr

@ atomicand8(ptr8 r0, val r1): *ptr &= val.
.globl atomicand8
atomicand8:
    dmb ish
1:  ldrexb r2, [r0]
    and r2, r2, r1
    strexb r3, r2, [r0]
    cmp r3, #0
    bne 1b
    dmb ish
    bx lr

@ procyield(n r0): n iterations of nop (n == 0: none). NOT yield: unicorn
@ 2.1.4 reports `yield` (and `wfe`) as UC_ERR_INSN_INVALID.
.globl procyield
procyield:
    cmp r0, #0
    bxeq lr
1:  nop
    subs r0, r0, #1
    bne 1b
    bx lr

@ ---------------------------------------------------------------- gobuf

@ gosave(gobuf r0) -> 0. sp = sp, pc = lr, g = r10, lr = lr; ctxt, ret = 0.
.globl gosave
gosave:
    str sp, [r0]
    str lr, [r0, #4]
    str r10, [r0, #8]
    mov r1, #0
    str r1, [r0, #12]
    str r1, [r0, #16]
    str lr, [r0, #20]
    mov r0, #0
    bx lr

@ gogo(gobuf r0): never returns. sp, r10 = g, r7 = ctxt, lr, r0 = ret,
@ then bx to pc (through r1, which is clobbered).
.globl gogo
gogo:
    ldr sp, [r0]
    ldr r10, [r0, #8]
    ldr r7, [r0, #12]
    ldr lr, [r0, #20]
    ldr r1, [r0, #4]
    ldr r0, [r0, #16]
    bx r1

@ ---------------------------------------------------------------- syscalls
@ Raw Linux EABI syscalls: number in r7, args r0..r5, result r0 (-errno on
@ error). r7 is callee-saved, so it is saved on the stack around svc.

@ sys_mmap(addr r0, len r1, prot r2, flags r3, fd r4, off r5): off in BYTES
@ (must be a multiple of 4096); converted to 4096-byte units for mmap2.
.globl sys_mmap
sys_mmap:
    push {r5, r7}
    lsr r5, r5, #12
    mov r7, #192
    svc #0
    pop {r5, r7}
    bx lr

@ sys_munmap(addr, len)
.globl sys_munmap
sys_munmap:
    push {r7}
    mov r7, #91
    svc #0
    pop {r7}
    bx lr

@ sys_madvise(addr, len, advice)
.globl sys_madvise
sys_madvise:
    push {r7}
    mov r7, #220
    svc #0
    pop {r7}
    bx lr

@ sys_mincore(addr, len, vec)
.globl sys_mincore
sys_mincore:
    push {r7}
    mov r7, #219
    svc #0
    pop {r7}
    bx lr

@ sys_futex(addr r0, op r1, val r2, ts r3, addr2 r4, val3 r5)
.globl sys_futex
sys_futex:
    push {r7}
    mov r7, #240
    svc #0
    pop {r7}
    bx lr

@ sys_clone(flags r0, stack r1, ptid r2, tls r3, ctid r4): ARM kernel order.
@ r7 is kept in r12 (the kernel preserves it), NOT on the stack: the child
@ resumes on the new stack and must not pop from it. Child returns via lr.
.globl sys_clone
sys_clone:
    mov r12, r7
    mov r7, #120
    svc #0
    mov r7, r12
    bx lr

@ sys_exit(code): exits the calling thread only.
.globl sys_exit
sys_exit:
    push {r7}
    mov r7, #1
    svc #0
    pop {r7}
    bx lr

@ sys_exit_group(code)
.globl sys_exit_group
sys_exit_group:
    push {r7}
    mov r7, #248
    svc #0
    pop {r7}
    bx lr

@ sys_write(fd, buf, n)
.globl sys_write
sys_write:
    push {r7}
    mov r7, #4
    svc #0
    pop {r7}
    bx lr

@ sys_gettid()
.globl sys_gettid
sys_gettid:
    push {r7}
    mov r7, #224
    svc #0
    pop {r7}
    bx lr
