# rdtsc and rdtscp read emu's virtual clock (1 tick per virtual ns = per instruction here), so a
# program sees the same counter on every run with the same --seed. Exit status: the number of
# the check that failed, 0 when all pass; prints the counter delta across a 1000-step loop.
    .globl _start
    .text
_start:
    rdtsc
    shl     rdx, 32
    or      rax, rdx
    mov     r12, rax                # first reading
    mov     r15d, 1                 # it is the virtual clock: a little after boot (1 s)
    mov     rcx, 1000000000
    cmp     rax, rcx
    jb      fail
    add     rcx, 1000000
    cmp     rax, rcx
    ja      fail

    mov     ecx, 1000
1:
    dec     ecx
    jnz     1b                      # 2000 instructions

    mov     ecx, 0x1234
    rdtscp
    mov     r15d, 2                 # rdtscp's TSC_AUX (the CPU number) is 0
    test    ecx, ecx
    jnz     fail
    shl     rdx, 32
    or      rax, rdx
    sub     rax, r12
    mov     r15d, 3                 # the counter moved with the loop, and only with it
    cmp     rax, 2000
    jb      fail
    cmp     rax, 2100
    ja      fail
    xor     r15d, r15d
fail:
    mov     edi, r15d
    mov     eax, 231
    syscall
