// emu runtime stubs, AArch64: the ARMv8.1 LSE variant of the read-modify-write atomics.
// Same ABI as runtime.s (which it overrides when given as `--stubs`): single instructions
// with acquire+release semantics (CASAL, LDADDAL, SWPAL, LDSETALB, LDCLRALB) instead of
// LDAXR/STLXR loops, as Go's runtime/internal/atomic uses them when HWCAP_ATOMICS is set.
// Needs ARMv8.1-A (GNU as -march=armv8.1-a); emu's keystone front end encodes them itself.

.text

// cas(ptr32 x0, old w1, new w2) -> 1 if swapped, else 0.
.globl cas
cas:
    mov w3, w1
    casal w3, w2, [x0]
    cmp w3, w1
    cset x0, eq
    ret

// casp(ptr, old, new); pointer-sized = cas64.
.globl casp
casp:
// cas64(ptr64 x0, old x1, new x2) -> 1 if swapped, else 0.
.globl cas64
cas64:
    mov x3, x1
    casal x3, x2, [x0]
    cmp x3, x1
    cset x0, eq
    ret

// xadd(ptr32 x0, delta w1) -> new value.
.globl xadd
xadd:
    ldaddal w1, w2, [x0]
    add w0, w2, w1
    ret

// xadd64(ptr64 x0, delta x1) -> new value.
.globl xadd64
xadd64:
    ldaddal x1, x2, [x0]
    add x0, x2, x1
    ret

// xchg(ptr32 x0, new w1) -> old value.
.globl xchg
xchg:
    swpal w1, w2, [x0]
    mov w0, w2
    ret

// xchgp(ptr, new) -> old; pointer-sized = xchg64.
.globl xchgp
xchgp:
// xchg64(ptr64 x0, new x1) -> old value.
.globl xchg64
xchg64:
    swpal x1, x2, [x0]
    mov x0, x2
    ret

// atomicor8(ptr8 x0, val w1): *ptr |= val.
.globl atomicor8
atomicor8:
    ldsetalb w1, w2, [x0]
    ret

// atomicand8(ptr8 x0, val w1): *ptr &= val, as "clear the bits of ~val".
.globl atomicand8
atomicand8:
    mvn w1, w1
    ldclralb w1, w2, [x0]
    ret
