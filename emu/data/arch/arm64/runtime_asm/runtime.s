// emu runtime stubs, AArch64 (ARMv8-A, little-endian).
// Calling convention: AAPCS64: args x0..x7, result x0, return `ret` (x30).
// A 32-bit argument is read from the w half of its register, whatever the upper half holds;
// a 32-bit result is zero-extended in x0.
// x19..x28 are preserved; scratch: x0..x17 and the flags (x8 carries the syscall number).
// gobuf: sp +0, pc +8, g +16, ctxt +24, ret +32, lr +40.
// g register x28, ctxt register x26 (Go's arm64 ABI).
// Atomics: LDAXR/STLXR loops (acquire + release: sequentially consistent, as Go's
// runtime/internal/atomic does without LSE); loads LDAR, stores STLR. The ARMv8.1 LSE
// forms (CASAL, LDADDAL, SWPAL, LDSETALB...) are the variant in lse.s (`--stubs`).

.text

// ---------------------------------------------------------------- memory

// memclr(ptr x0, n x1): bytes until 8-aligned, then doublewords, then bytes.
.globl memclr
memclr:
1:  cbz x1, 4f
    tst x0, #7
    b.eq 2f
    strb wzr, [x0], #1
    sub x1, x1, #1
    b 1b
2:  cmp x1, #8
    b.lo 3f
    str xzr, [x0], #8
    sub x1, x1, #8
    b 2b
3:  cbz x1, 4f
    strb wzr, [x0], #1
    sub x1, x1, #1
    b 3b
4:  ret

// memmove(dst x0, src x1, n x2) -> x0 = dst. Overlap-safe both ways; doublewords
// when dst and src are equally aligned mod 8, bytes otherwise.
// Scratch: x1 src cursor, x3 dst cursor, x2 count, x4 data, x5 end of src.
.globl memmove
memmove:
    cmp x0, x1
    b.eq memmove_done
    mov x3, x0
    b.ls memmove_fwd            // dst below src: forward copy is safe
    add x5, x1, x2
    cmp x3, x5
    b.lo memmove_back           // dst inside [src, src+n): copy backward
memmove_fwd:
    eor x4, x3, x1
    tst x4, #7
    b.ne memmove_fbytes
1:  tst x3, #7
    b.eq 2f
    cbz x2, memmove_done
    ldrb w4, [x1], #1
    strb w4, [x3], #1
    sub x2, x2, #1
    b 1b
2:  cmp x2, #8
    b.lo memmove_fbytes
    ldr x4, [x1], #8
    str x4, [x3], #8
    sub x2, x2, #8
    b 2b
memmove_fbytes:
    cbz x2, memmove_done
    ldrb w4, [x1], #1
    strb w4, [x3], #1
    sub x2, x2, #1
    b memmove_fbytes
memmove_back:
    add x1, x1, x2
    add x3, x3, x2
    eor x4, x3, x1
    tst x4, #7
    b.ne memmove_bbytes
1:  tst x3, #7
    b.eq 2f
    cbz x2, memmove_done
    ldrb w4, [x1, #-1]!
    strb w4, [x3, #-1]!
    sub x2, x2, #1
    b 1b
2:  cmp x2, #8
    b.lo memmove_bbytes
    ldr x4, [x1, #-8]!
    str x4, [x3, #-8]!
    sub x2, x2, #8
    b 2b
memmove_bbytes:
    cbz x2, memmove_done
    ldrb w4, [x1, #-1]!
    strb w4, [x3, #-1]!
    sub x2, x2, #1
    b memmove_bbytes
memmove_done:
    ret

// ---------------------------------------------------------------- atomics

// cas(ptr32 x0, old w1, new w2) -> 1 if swapped, else 0. Compares 32 bits only.
.globl cas
cas:
1:  ldaxr w3, [x0]
    cmp w3, w1
    b.ne 2f
    stlxr w4, w2, [x0]
    cbnz w4, 1b
2:  cset x0, eq
    ret

// casp(ptr, old, new) -> bool; pointer-sized = cas64 on arm64.
.globl casp
casp:
// cas64(ptr64 x0, old x1, new x2) -> 1 if swapped, else 0.
.globl cas64
cas64:
1:  ldaxr x3, [x0]
    cmp x3, x1
    b.ne 2f
    stlxr w4, x2, [x0]
    cbnz w4, 1b
2:  cset x0, eq
    ret

// xadd(ptr32 x0, delta w1) -> new value.
.globl xadd
xadd:
1:  ldaxr w2, [x0]
    add w2, w2, w1
    stlxr w3, w2, [x0]
    cbnz w3, 1b
    mov w0, w2
    ret

// xadd64(ptr64 x0, delta x1) -> new value.
.globl xadd64
xadd64:
1:  ldaxr x2, [x0]
    add x2, x2, x1
    stlxr w3, x2, [x0]
    cbnz w3, 1b
    mov x0, x2
    ret

// xchg(ptr32 x0, new w1) -> old value.
.globl xchg
xchg:
1:  ldaxr w2, [x0]
    stlxr w3, w1, [x0]
    cbnz w3, 1b
    mov w0, w2
    ret

// xchgp(ptr, new) -> old; pointer-sized = xchg64.
.globl xchgp
xchgp:
// xchg64(ptr64 x0, new x1) -> old value.
.globl xchg64
xchg64:
1:  ldaxr x2, [x0]
    stlxr w3, x1, [x0]
    cbnz w3, 1b
    mov x0, x2
    ret

// atomicload(ptr32 x0) -> value (load-acquire).
.globl atomicload
atomicload:
    ldar w0, [x0]
    ret

// atomicloadp(ptr) -> value; pointer-sized = atomicload64.
.globl atomicloadp
atomicloadp:
// atomicload64(ptr64 x0) -> value.
.globl atomicload64
atomicload64:
    ldar x0, [x0]
    ret

// atomicstore(ptr32 x0, v w1) (store-release).
.globl atomicstore
atomicstore:
    stlr w1, [x0]
    ret

// atomicstorep(ptr, v); pointer-sized = atomicstore64.
.globl atomicstorep
atomicstorep:
// atomicstore64(ptr64 x0, v x1).
.globl atomicstore64
atomicstore64:
    stlr x1, [x0]
    ret

// atomicor8(ptr8 x0, val w1): *ptr |= val (byte reservation: no shift, no byte order).
.globl atomicor8
atomicor8:
1:  ldaxrb w2, [x0]
    orr w2, w2, w1
    stlxrb w3, w2, [x0]
    cbnz w3, 1b
    ret

// atomicand8(ptr8 x0, val w1): *ptr &= val.
.globl atomicand8
atomicand8:
1:  ldaxrb w2, [x0]
    and w2, w2, w1
    stlxrb w3, w2, [x0]
    cbnz w3, 1b
    ret

// procyield(n w0): n iterations of `yield` (n == 0: none).
.globl procyield
procyield:
    cbz w0, 2f
1:  yield
    subs w0, w0, #1
    b.ne 1b
2:  ret

// ---------------------------------------------------------------- gobuf

// gosave(gobuf x0) -> 0. sp = sp, pc = lr, g = x28, lr = lr; ctxt, ret = 0.
.globl gosave
gosave:
    mov x1, sp
    str x1, [x0]
    str x30, [x0, #8]
    str x28, [x0, #16]
    str xzr, [x0, #24]
    str xzr, [x0, #32]
    str x30, [x0, #40]
    mov x0, #0
    ret

// gogo(gobuf x0): never returns. sp, x28 = g, x26 = ctxt, lr, x0 = ret,
// then br to pc (through x1, which is clobbered).
.globl gogo
gogo:
    ldr x1, [x0]
    mov sp, x1
    ldr x28, [x0, #16]
    ldr x26, [x0, #24]
    ldr x30, [x0, #40]
    ldr x1, [x0, #8]
    ldr x0, [x0, #32]
    br x1

// ---------------------------------------------------------------- syscalls
// Raw Linux syscalls (asm-generic numbers): number in x8 (caller-saved), args x0..x5,
// result x0 (-errno on error).

// sys_mmap(addr, len, prot, flags, fd, off): off in bytes.
.globl sys_mmap
sys_mmap:
    mov x8, #222
    svc #0
    ret

// sys_munmap(addr, len)
.globl sys_munmap
sys_munmap:
    mov x8, #215
    svc #0
    ret

// sys_madvise(addr, len, advice)
.globl sys_madvise
sys_madvise:
    mov x8, #233
    svc #0
    ret

// sys_mincore(addr, len, vec)
.globl sys_mincore
sys_mincore:
    mov x8, #232
    svc #0
    ret

// sys_futex(addr, op, val, ts, addr2, val3)
.globl sys_futex
sys_futex:
    mov x8, #98
    svc #0
    ret

// sys_clone(flags, stack, ptid, tls, ctid): the kernel's order (CLONE_BACKWARDS).
// The child resumes after svc on the new stack with x0 = 0 and returns through lr.
.globl sys_clone
sys_clone:
    mov x8, #220
    svc #0
    ret

// sys_exit(code): exits the calling thread only.
.globl sys_exit
sys_exit:
    mov x8, #93
    svc #0
    ret

// sys_exit_group(code)
.globl sys_exit_group
sys_exit_group:
    mov x8, #94
    svc #0
    ret

// sys_write(fd, buf, n)
.globl sys_write
sys_write:
    mov x8, #64
    svc #0
    ret

// sys_gettid()
.globl sys_gettid
sys_gettid:
    mov x8, #178
    svc #0
    ret
