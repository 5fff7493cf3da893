# emu runtime stubs, RISC-V RV64GC (little-endian).
# Calling convention: LP64D psABI: args a0..a7, result a0, return `ret` (jalr x0, 0(ra)).
# A 32-bit argument is read as its low word, whatever the upper half holds (sext.w before a
# compare); a 32-bit result is zero-extended in a0 (RV64's W forms sign-extend: cleared here).
# s0..s11 are preserved; scratch: t0..t6, a0..a7 (a7 carries the syscall number).
# gobuf: sp +0, pc +8, g +16, ctxt +24, ret +32, lr +40.
# g register s11 (X27), ctxt register s10 (X26) (Go's riscv64 ABI).
# Atomics: LR/SC loops (lr.aqrl / sc.rl: sequentially consistent, as Go's riscv64
# runtime/internal/atomic does) for cas; AMOs (amoadd, amoswap, amoor, amoand with .aqrl)
# for xadd, xchg and the byte ops; loads and stores fenced on both sides.

.text

# ---------------------------------------------------------------- memory

# memclr(ptr a0, n a1): bytes until 8-aligned, then doublewords, then bytes.
.globl memclr
memclr:
1:  beqz a1, 4f
    andi t0, a0, 7
    beqz t0, 2f
    sb zero, 0(a0)
    addi a0, a0, 1
    addi a1, a1, -1
    j 1b
2:  li t1, 8
3:  bltu a1, t1, 5f
    sd zero, 0(a0)
    addi a0, a0, 8
    addi a1, a1, -8
    j 3b
5:  beqz a1, 4f
    sb zero, 0(a0)
    addi a0, a0, 1
    addi a1, a1, -1
    j 5b
4:  ret

# memmove(dst a0, src a1, n a2) -> a0 = dst. Overlap-safe both ways; doublewords
# when dst and src are equally aligned mod 8, bytes otherwise.
# Scratch: a1 src cursor, t0 dst cursor, a2 count, t1 data, t2 end of src, t3 = 8.
.globl memmove
memmove:
    beq a0, a1, memmove_done
    mv t0, a0
    li t3, 8
    bltu a0, a1, memmove_fwd     # dst below src: forward copy is safe
    add t2, a1, a2
    bltu t0, t2, memmove_back    # dst inside [src, src+n): copy backward
memmove_fwd:
    xor t1, t0, a1
    andi t1, t1, 7
    bnez t1, memmove_fbytes
1:  andi t1, t0, 7
    beqz t1, 2f
    beqz a2, memmove_done
    lbu t1, 0(a1)
    sb t1, 0(t0)
    addi a1, a1, 1
    addi t0, t0, 1
    addi a2, a2, -1
    j 1b
2:  bltu a2, t3, memmove_fbytes
    ld t1, 0(a1)
    sd t1, 0(t0)
    addi a1, a1, 8
    addi t0, t0, 8
    addi a2, a2, -8
    j 2b
memmove_fbytes:
    beqz a2, memmove_done
    lbu t1, 0(a1)
    sb t1, 0(t0)
    addi a1, a1, 1
    addi t0, t0, 1
    addi a2, a2, -1
    j memmove_fbytes
memmove_back:
    add a1, a1, a2
    add t0, t0, a2
    xor t1, t0, a1
    andi t1, t1, 7
    bnez t1, memmove_bbytes
1:  andi t1, t0, 7
    beqz t1, 2f
    beqz a2, memmove_done
    addi a1, a1, -1
    addi t0, t0, -1
    lbu t1, 0(a1)
    sb t1, 0(t0)
    addi a2, a2, -1
    j 1b
2:  bltu a2, t3, memmove_bbytes
    addi a1, a1, -8
    addi t0, t0, -8
    ld t1, 0(a1)
    sd t1, 0(t0)
    addi a2, a2, -8
    j 2b
memmove_bbytes:
    beqz a2, memmove_done
    addi a1, a1, -1
    addi t0, t0, -1
    lbu t1, 0(a1)
    sb t1, 0(t0)
    addi a2, a2, -1
    j memmove_bbytes
memmove_done:
    ret

# ---------------------------------------------------------------- atomics

# cas(ptr32 a0, old a1, new a2) -> 1 if swapped, else 0. Compares 32 bits only:
# lr.w sign-extends, so old is sign-extended from its low word too.
.globl cas
cas:
    sext.w a1, a1
1:  lr.w.aqrl t0, (a0)
    bne t0, a1, 2f
    sc.w.rl t1, a2, (a0)
    bnez t1, 1b
    li a0, 1
    ret
2:  li a0, 0
    ret

# casp(ptr, old, new) -> bool; pointer-sized = cas64 on riscv64.
.globl casp
casp:
# cas64(ptr64 a0, old a1, new a2) -> 1 if swapped, else 0.
.globl cas64
cas64:
1:  lr.d.aqrl t0, (a0)
    bne t0, a1, 2f
    sc.d.rl t1, a2, (a0)
    bnez t1, 1b
    li a0, 1
    ret
2:  li a0, 0
    ret

# xadd(ptr32 a0, delta a1) -> new value (zero-extended).
.globl xadd
xadd:
    amoadd.w.aqrl t0, a1, (a0)
    addw a0, t0, a1
    slli a0, a0, 32
    srli a0, a0, 32
    ret

# xadd64(ptr64 a0, delta a1) -> new value.
.globl xadd64
xadd64:
    amoadd.d.aqrl t0, a1, (a0)
    add a0, t0, a1
    ret

# xchg(ptr32 a0, new a1) -> old value (zero-extended).
.globl xchg
xchg:
    amoswap.w.aqrl t0, a1, (a0)
    slli a0, t0, 32
    srli a0, a0, 32
    ret

# xchgp(ptr, new) -> old; pointer-sized = xchg64.
.globl xchgp
xchgp:
# xchg64(ptr64 a0, new a1) -> old value.
.globl xchg64
xchg64:
    amoswap.d.aqrl a0, a1, (a0)
    ret

# atomicload(ptr32 a0) -> value (zero-extended), fenced like Go's riscv64 Load.
.globl atomicload
atomicload:
    fence rw, rw
    lwu a0, 0(a0)
    fence r, rw
    ret

# atomicloadp(ptr) -> value; pointer-sized = atomicload64.
.globl atomicloadp
atomicloadp:
# atomicload64(ptr64 a0) -> value.
.globl atomicload64
atomicload64:
    fence rw, rw
    ld a0, 0(a0)
    fence r, rw
    ret

# atomicstore(ptr32 a0, v a1): an amoswap (release and acquire), as Go's riscv64 Store.
.globl atomicstore
atomicstore:
    amoswap.w.aqrl zero, a1, (a0)
    ret

# atomicstorep(ptr, v); pointer-sized = atomicstore64.
.globl atomicstorep
atomicstorep:
# atomicstore64(ptr64 a0, v a1).
.globl atomicstore64
atomicstore64:
    amoswap.d.aqrl zero, a1, (a0)
    ret

# atomicor8(ptr8 a0, val a1): *ptr |= val. RISC-V has no byte AMO: amoor.w on the aligned
# word holding the byte, with val shifted to the byte's place. Little-endian: the byte at
# address p is bits (p & 3) * 8 .. +7 of the word at p & ~3.
.globl atomicor8
atomicor8:
    andi t0, a0, 3
    slli t0, t0, 3              # bit offset of the byte in its word
    andi a1, a1, 0xff
    sllw a1, a1, t0
    andi a0, a0, -4
    amoor.w.aqrl zero, a1, (a0)
    ret

# atomicand8(ptr8 a0, val a1): *ptr &= val: amoand.w with every other byte of the mask 1s.
.globl atomicand8
atomicand8:
    andi t0, a0, 3
    slli t0, t0, 3
    andi a1, a1, 0xff
    li t1, 0xff
    sllw t1, t1, t0
    not t1, t1                  # 1s outside the byte
    sllw a1, a1, t0
    or a1, a1, t1
    andi a0, a0, -4
    amoand.w.aqrl zero, a1, (a0)
    ret

# procyield(n a0): n iterations of a plain nop (n taken as uint32; n == 0: none).
.globl procyield
procyield:
    slli a0, a0, 32
    srli a0, a0, 32
    beqz a0, 2f
1:  nop
    addi a0, a0, -1
    bnez a0, 1b
2:  ret

# ---------------------------------------------------------------- gobuf

# gosave(gobuf a0) -> 0. sp = sp, pc = ra, g = s11, lr = ra; ctxt, ret = 0.
.globl gosave
gosave:
    sd sp, 0(a0)
    sd ra, 8(a0)
    sd s11, 16(a0)
    sd zero, 24(a0)
    sd zero, 32(a0)
    sd ra, 40(a0)
    li a0, 0
    ret

# gogo(gobuf a0): never returns. sp, s11 = g, s10 = ctxt, ra = lr, a0 = ret,
# then jr to pc (through t0, which is clobbered).
.globl gogo
gogo:
    ld sp, 0(a0)
    ld s11, 16(a0)
    ld s10, 24(a0)
    ld ra, 40(a0)
    ld t0, 8(a0)
    ld a0, 32(a0)
    jr t0

# ---------------------------------------------------------------- syscalls
# Raw Linux syscalls (asm-generic numbers): number in a7 (caller-saved), args a0..a5,
# result a0 (-errno on error).

# sys_mmap(addr, len, prot, flags, fd, off): off in bytes.
.globl sys_mmap
sys_mmap:
    li a7, 222
    ecall
    ret

# sys_munmap(addr, len)
.globl sys_munmap
sys_munmap:
    li a7, 215
    ecall
    ret

# sys_madvise(addr, len, advice)
.globl sys_madvise
sys_madvise:
    li a7, 233
    ecall
    ret

# sys_mincore(addr, len, vec)
.globl sys_mincore
sys_mincore:
    li a7, 232
    ecall
    ret

# sys_futex(addr, op, val, ts, addr2, val3)
.globl sys_futex
sys_futex:
    li a7, 98
    ecall
    ret

# sys_clone(flags, stack, ptid, tls, ctid): the kernel's order on riscv64.
# The child resumes after ecall on the new stack with a0 = 0 and returns through ra.
.globl sys_clone
sys_clone:
    li a7, 220
    ecall
    ret

# sys_exit(code): exits the calling thread only.
.globl sys_exit
sys_exit:
    li a7, 93
    ecall
    ret

# sys_exit_group(code)
.globl sys_exit_group
sys_exit_group:
    li a7, 94
    ecall
    ret

# sys_write(fd, buf, n)
.globl sys_write
sys_write:
    li a7, 64
    ecall
    ret

# sys_gettid()
.globl sys_gettid
sys_gettid:
    li a7, 178
    ecall
    ret
