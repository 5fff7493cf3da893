# emu runtime stubs, amd64 (x86-64), Intel syntax (the front end implies
# .intel_syntax noprefix; GNU as needs it prepended).
# Calling convention: System V: args rdi, rsi, rdx, rcx, r8, r9; result rax;
# return with ret. See runtime_asm/README.md.
# gobuf: sp +0, pc +8, g +16, ctxt +24, ret +32, lr +40.
# g register r14, ctxt register rdx.

.text

# ---------------------------------------------------------------- memory

# memclr(ptr rdi, n rsi): 8 bytes at a time, then the byte tail.
.globl memclr
memclr:
    xor eax, eax
    mov rcx, rsi
    shr rcx, 3
    rep stosq
    mov rcx, rsi
    and rcx, 7
    rep stosb
    ret

# memmove(dst rdi, src rsi, n rdx) -> rax = dst. Overlap-safe both ways.
.globl memmove
memmove:
    mov rax, rdi
    cmp rdi, rsi
    je 3f
    jb 1f                      # dst below src: forward copy is safe
    lea r8, [rsi+rdx]
    cmp rdi, r8
    jb 2f                      # dst inside [src, src+n): copy backward
1:  mov rcx, rdx               # forward: words, then the byte tail
    shr rcx, 3
    rep movsq
    mov rcx, rdx
    and rcx, 7
    rep movsb
    ret
2:  std                        # backward: byte tail first, then words
    lea rsi, [rsi+rdx-1]
    lea rdi, [rdi+rdx-1]
    mov rcx, rdx
    and rcx, 7
    rep movsb
    sub rsi, 7
    sub rdi, 7
    mov rcx, rdx
    shr rcx, 3
    rep movsq
    cld
3:  ret

# ---------------------------------------------------------------- atomics

# cas(ptr32 rdi, old esi, new edx) -> 1 if swapped, else 0.
.globl cas
cas:
    mov eax, esi
    lock cmpxchg dword ptr [rdi], edx
    sete al
    movzx eax, al
    ret

# casp(ptr, old, new) -> bool; pointer-sized = cas64 on amd64.
.globl casp
casp:
# cas64(ptr64 rdi, old rsi, new rdx) -> bool.
.globl cas64
cas64:
    mov rax, rsi
    lock cmpxchg qword ptr [rdi], rdx
    sete al
    movzx eax, al
    ret

# xadd(ptr32 rdi, delta esi) -> new value (32-bit, zero-extended).
.globl xadd
xadd:
    mov eax, esi
    lock                       # prefix on its own line: see README (a label
    xadd dword ptr [rdi], eax  # named xadd must not follow `lock` on one line)
    add eax, esi
    ret

# xadd64(ptr64 rdi, delta rsi) -> new value.
.globl xadd64
xadd64:
    mov rax, rsi
    lock                       # prefix on its own line (label xadd, see README)
    xadd qword ptr [rdi], rax
    add rax, rsi
    ret

# xchg(ptr32 rdi, new esi) -> old value.
.globl xchg
xchg:
    mov eax, esi
    xchg dword ptr [rdi], eax
    ret

# xchgp(ptr, new) -> old; pointer-sized = xchg64.
.globl xchgp
xchgp:
# xchg64(ptr64 rdi, new rsi) -> old value.
.globl xchg64
xchg64:
    mov rax, rsi
    xchg qword ptr [rdi], rax
    ret

# atomicload(ptr32 rdi) -> value.
.globl atomicload
atomicload:
    mov eax, dword ptr [rdi]
    ret

# atomicloadp(ptr) -> value; pointer-sized = atomicload64.
.globl atomicloadp
atomicloadp:
# atomicload64(ptr64 rdi) -> value.
.globl atomicload64
atomicload64:
    mov rax, qword ptr [rdi]
    ret

# atomicstore(ptr32 rdi, v esi). xchg has an implicit lock (full barrier).
.globl atomicstore
atomicstore:
    xchg dword ptr [rdi], esi
    ret

# atomicstorep(ptr, v); pointer-sized = atomicstore64.
.globl atomicstorep
atomicstorep:
# atomicstore64(ptr64 rdi, v rsi).
.globl atomicstore64
atomicstore64:
    xchg qword ptr [rdi], rsi
    ret

# atomicor8(ptr8 rdi, val sil): *ptr |= val.
.globl atomicor8
atomicor8:
    lock or byte ptr [rdi], sil
    ret

# atomicand8(ptr8 rdi, val sil): *ptr &= val.
.globl atomicand8
atomicand8:
    lock and byte ptr [rdi], sil
    ret

# procyield(n edi): n iterations of pause (n == 0: none).
.globl procyield
procyield:
    mov eax, edi
    test eax, eax
    jz 2f
1:  pause
    sub eax, 1
    jnz 1b
2:  ret

# ---------------------------------------------------------------- gobuf

# gosave(gobuf rdi) -> 0. pc = our return address, sp = rsp after our ret,
# g = r14; ctxt, ret and lr (unused on amd64) are cleared.
.globl gosave
gosave:
    mov rax, qword ptr [rsp]
    mov qword ptr [rdi+8], rax
    lea rax, [rsp+8]
    mov qword ptr [rdi], rax
    mov qword ptr [rdi+16], r14
    xor eax, eax
    mov qword ptr [rdi+24], rax
    mov qword ptr [rdi+32], rax
    mov qword ptr [rdi+40], rax
    ret

# gogo(gobuf rdi): never returns. rsp = sp, r14 = g, rdx = ctxt, rax = ret,
# then jump to pc (through rcx, which is clobbered).
.globl gogo
gogo:
    mov rsp, qword ptr [rdi]
    mov r14, qword ptr [rdi+16]
    mov rdx, qword ptr [rdi+24]
    mov rax, qword ptr [rdi+32]
    mov rcx, qword ptr [rdi+8]
    jmp rcx

# ---------------------------------------------------------------- syscalls
# Raw Linux syscalls: the result is the kernel's rax, i.e. -errno on error.
# Kernel args are rdi, rsi, rdx, r10, r8, r9: the 4th C arg (rcx) moves to r10.
# The syscall instruction clobbers rcx and r11 (caller-saved anyway).

# sys_mmap(addr, len, prot, flags, fd, off): off in bytes.
.globl sys_mmap
sys_mmap:
    mov r10, rcx
    mov eax, 9
    syscall
    ret

# sys_munmap(addr, len)
.globl sys_munmap
sys_munmap:
    mov eax, 11
    syscall
    ret

# sys_madvise(addr, len, advice)
.globl sys_madvise
sys_madvise:
    mov eax, 28
    syscall
    ret

# sys_mincore(addr, len, vec)
.globl sys_mincore
sys_mincore:
    mov eax, 27
    syscall
    ret

# sys_futex(addr, op, val, ts, addr2, val3)
.globl sys_futex
sys_futex:
    mov r10, rcx
    mov eax, 202
    syscall
    ret

# sys_clone(flags, stack, ptid, ctid, tls): x86-64 kernel order.
# Uses no stack; in the child (rax = 0) the final ret pops from the NEW stack.
.globl sys_clone
sys_clone:
    mov r10, rcx
    mov eax, 56
    syscall
    ret

# sys_exit(code): exits the calling thread only.
.globl sys_exit
sys_exit:
    mov eax, 60
    syscall
    ret

# sys_exit_group(code)
.globl sys_exit_group
sys_exit_group:
    mov eax, 231
    syscall
    ret

# sys_write(fd, buf, n)
.globl sys_write
sys_write:
    mov eax, 1
    syscall
    ret

# sys_gettid()
.globl sys_gettid
sys_gettid:
    mov eax, 186
    syscall
    ret
