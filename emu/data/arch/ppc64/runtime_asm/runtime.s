# emu runtime stubs, 64-bit PowerPC, ONE source for ppc64 (big-endian) and
# ppc64le (little-endian): no line depends on the byte order (byte-sized
# atomics use lbarx/stbcx., POWER8).
# Calling convention: ELFv2: args r3..r10; result r3; return blr; r1 = stack
# pointer; r12 = the function's address at entry (unused: no stub needs a TOC);
# r13 = thread pointer (never touched).
# gobuf: sp +0, pc +8, g +16, ctxt +24, ret +32, lr +40.
# g register r30, ctxt register r11.
# Registers are written as bare numbers.

.abiversion 2
.text

# ---------------------------------------------------------------- memory

# memclr(ptr r3, n r4): bytes until 8-aligned, then doublewords, then bytes.
.globl memclr
memclr:
    li 5, 0
    cmpdi 4, 0
    beqlr
1:  andi. 6, 3, 7
    beq 2f
    stb 5, 0(3)
    addi 3, 3, 1
    addi 4, 4, -1
    cmpdi 4, 0
    bne 1b
    blr
2:  srdi. 6, 4, 3
    beq 3f
    mtctr 6
4:  std 5, 0(3)
    addi 3, 3, 8
    bdnz 4b
3:  andi. 4, 4, 7
    beqlr
    mtctr 4
5:  stb 5, 0(3)
    addi 3, 3, 1
    bdnz 5b
    blr

# memmove(dst r3, src r4, n r5) -> r3 = dst. Overlap-safe both ways;
# doublewords when dst and src are equally aligned mod 8, bytes otherwise.
# Scratch: r4 src cursor, r6 dst cursor, r5 count, r7, r8, ctr.
.globl memmove
memmove:
    cmpdi 5, 0
    beqlr
    cmpld 3, 4
    beqlr
    blt memmove_fwd            # dst below src: forward copy is safe
    add 7, 4, 5
    cmpld 3, 7
    blt memmove_back           # dst inside [src, src+n): copy backward
memmove_fwd:
    mr 6, 3
    xor 8, 6, 4
    andi. 8, 8, 7
    bne memmove_fbytes
1:  andi. 8, 6, 7
    beq memmove_fwords
    lbz 8, 0(4)
    stb 8, 0(6)
    addi 4, 4, 1
    addi 6, 6, 1
    addi 5, 5, -1
    cmpdi 5, 0
    bne 1b
    blr
memmove_fwords:
    srdi. 8, 5, 3
    beq memmove_fbytes
    mtctr 8
1:  ld 8, 0(4)
    std 8, 0(6)
    addi 4, 4, 8
    addi 6, 6, 8
    bdnz 1b
    andi. 5, 5, 7
memmove_fbytes:
    cmpdi 5, 0
    beqlr
    mtctr 5
1:  lbz 8, 0(4)
    stb 8, 0(6)
    addi 4, 4, 1
    addi 6, 6, 1
    bdnz 1b
    blr
memmove_back:
    add 4, 4, 5
    add 6, 3, 5
    xor 8, 6, 4
    andi. 8, 8, 7
    bne memmove_bbytes
1:  andi. 8, 6, 7
    beq memmove_bwords
    lbzu 8, -1(4)
    stbu 8, -1(6)
    addi 5, 5, -1
    cmpdi 5, 0
    bne 1b
    blr
memmove_bwords:
    srdi. 8, 5, 3
    beq memmove_bbytes
    mtctr 8
1:  ldu 8, -8(4)
    stdu 8, -8(6)
    bdnz 1b
    andi. 5, 5, 7
memmove_bbytes:
    cmpdi 5, 0
    beqlr
    mtctr 5
1:  lbzu 8, -1(4)
    stbu 8, -1(6)
    bdnz 1b
    blr

# ---------------------------------------------------------------- atomics
# LL/SC loops: sync before, isync after (as Go's runtime does).

# cas(ptr32 r3, old r4, new r5) -> 1 if swapped, else 0.
# lwarx + cmpw: a 32-bit compare, so old = 0xffffffff works whatever the
# upper half of r4 holds.
.globl cas
cas:
    sync
1:  lwarx 6, 0, 3
    cmpw 6, 4
    bne 2f
    stwcx. 5, 0, 3
    bne 1b
    li 3, 1
    isync
    blr
2:  li 3, 0
    isync
    blr

# casp(ptr, old, new) -> bool; pointer-sized = cas64.
.globl casp
casp:
# cas64(ptr64 r3, old r4, new r5) -> bool.
.globl cas64
cas64:
    sync
1:  ldarx 6, 0, 3
    cmpd 6, 4
    bne 2f
    stdcx. 5, 0, 3
    bne 1b
    li 3, 1
    isync
    blr
2:  li 3, 0
    isync
    blr

# xadd(ptr32 r3, delta r4) -> new value (zero-extended).
.globl xadd
xadd:
    sync
1:  lwarx 5, 0, 3
    add 5, 5, 4
    stwcx. 5, 0, 3
    bne 1b
    isync
    clrldi 3, 5, 32
    blr

# xadd64(ptr64 r3, delta r4) -> new value.
.globl xadd64
xadd64:
    sync
1:  ldarx 5, 0, 3
    add 5, 5, 4
    stdcx. 5, 0, 3
    bne 1b
    isync
    mr 3, 5
    blr

# xchg(ptr32 r3, new r4) -> old value.
.globl xchg
xchg:
    sync
1:  lwarx 5, 0, 3
    stwcx. 4, 0, 3
    bne 1b
    isync
    mr 3, 5
    blr

# xchgp(ptr, new) -> old; pointer-sized = xchg64.
.globl xchgp
xchgp:
# xchg64(ptr64 r3, new r4) -> old value.
.globl xchg64
xchg64:
    sync
1:  ldarx 5, 0, 3
    stdcx. 4, 0, 3
    bne 1b
    isync
    mr 3, 5
    blr

# atomicload(ptr32 r3) -> value. sync; load; cmp/bne/isync = acquire.
.globl atomicload
atomicload:
    sync
    lwz 3, 0(3)
    cmpw 3, 3
    bne 1f
1:  isync
    blr

# atomicloadp(ptr) -> value; pointer-sized = atomicload64.
.globl atomicloadp
atomicloadp:
# atomicload64(ptr64 r3) -> value.
.globl atomicload64
atomicload64:
    sync
    ld 3, 0(3)
    cmpd 3, 3
    bne 1f
1:  isync
    blr

# atomicstore(ptr32 r3, v r4).
.globl atomicstore
atomicstore:
    sync
    stw 4, 0(3)
    blr

# atomicstorep(ptr, v); pointer-sized = atomicstore64.
.globl atomicstorep
atomicstorep:
# atomicstore64(ptr64 r3, v r4).
.globl atomicstore64
atomicstore64:
    sync
    std 4, 0(3)
    blr

# atomicor8(ptr8 r3, val r4): *ptr |= val. Byte reservation (lbarx/stbcx.,
# POWER8): no word alignment, no endian-dependent shift.
.globl atomicor8
atomicor8:
    sync
1:  lbarx 5, 0, 3
    or 5, 5, 4
    stbcx. 5, 0, 3
    bne 1b
    isync
    blr

# atomicand8(ptr8 r3, val r4): *ptr &= val.
.globl atomicand8
atomicand8:
    sync
1:  lbarx 5, 0, 3
    and 5, 5, 4
    stbcx. 5, 0, 3
    bne 1b
    isync
    blr

# procyield(n r3): n iterations of nop, n taken as uint32; n == 0: none.
# NOT `or 1,1,1`: unicorn 2.1.4 ends emulation (emu_start returns, no error)
# after ANY `or N,N,N` (priority hints, and also `mr N,N`).
.globl procyield
procyield:
    clrldi. 3, 3, 32
    beqlr
    mtctr 3
1:  nop
    bdnz 1b
    blr

# ---------------------------------------------------------------- gobuf

# gosave(gobuf r3) -> 0. sp = r1, pc = lr, g = r30, lr = lr; ctxt, ret = 0.
.globl gosave
gosave:
    std 1, 0(3)
    mflr 4
    std 4, 8(3)
    std 30, 16(3)
    li 5, 0
    std 5, 24(3)
    std 5, 32(3)
    std 4, 40(3)
    li 3, 0
    blr

# gogo(gobuf r3): never returns. r1 = sp, r30 = g, r11 = ctxt, lr = lr,
# r3 = ret, then branch to pc through ctr with r12 = pc (ELFv2 entry rule).
# Clobbers r4, r12, ctr.
.globl gogo
gogo:
    ld 1, 0(3)
    ld 30, 16(3)
    ld 11, 24(3)
    ld 4, 40(3)
    mtlr 4
    ld 12, 8(3)
    mtctr 12
    ld 3, 32(3)
    bctr

# ---------------------------------------------------------------- syscalls
# Raw Linux syscalls: number in r0, args r3..r8 (= the C args, passed
# through), result r3. The kernel flags an error with CR0.SO and a POSITIVE
# errno in r3; the wrappers negate it, so every wrapper returns -errno on error.

# sys_mmap(addr, len, prot, flags, fd, off): off in bytes.
.globl sys_mmap
sys_mmap:
    li 0, 90
    sc
    bns 1f
    neg 3, 3
1:  blr

# sys_munmap(addr, len)
.globl sys_munmap
sys_munmap:
    li 0, 91
    sc
    bns 1f
    neg 3, 3
1:  blr

# sys_madvise(addr, len, advice)
.globl sys_madvise
sys_madvise:
    li 0, 205
    sc
    bns 1f
    neg 3, 3
1:  blr

# sys_mincore(addr, len, vec)
.globl sys_mincore
sys_mincore:
    li 0, 206
    sc
    bns 1f
    neg 3, 3
1:  blr

# sys_futex(addr, op, val, ts, addr2, val3)
.globl sys_futex
sys_futex:
    li 0, 221
    sc
    bns 1f
    neg 3, 3
1:  blr

# sys_clone(flags r3, stack r4, ptid r5, tls r6, ctid r7): powerpc kernel
# order. Uses no stack; the child (r3 = 0) returns via lr on the new stack.
.globl sys_clone
sys_clone:
    li 0, 120
    sc
    bns 1f
    neg 3, 3
1:  blr

# sys_exit(code): exits the calling thread only.
.globl sys_exit
sys_exit:
    li 0, 1
    sc
    bns 1f
    neg 3, 3
1:  blr

# sys_exit_group(code)
.globl sys_exit_group
sys_exit_group:
    li 0, 234
    sc
    bns 1f
    neg 3, 3
1:  blr

# sys_write(fd, buf, n)
.globl sys_write
sys_write:
    li 0, 4
    sc
    bns 1f
    neg 3, 3
1:  blr

# sys_gettid()
.globl sys_gettid
sys_gettid:
    li 0, 207
    sc
    bns 1f
    neg 3, 3
1:  blr
