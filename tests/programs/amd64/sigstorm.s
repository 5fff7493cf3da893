# A signal storm must not starve its target (issue 13, the amd64 GC livelock): the child thread
# sends SIGURG to the main thread in a tight loop while the main thread counts to 100000 with a
# SIGURG handler installed that does nothing. The main thread must still finish: after each
# rt_sigreturn it runs before the next SIGURG is delivered. Exits 0 and prints "storm ok".
    .globl _start
    .text
_start:
    mov     r15d, 1                 # rt_sigaction(SIGURG, &action, NULL, 8)
    mov     eax, 13
    mov     edi, 23
    lea     rsi, [rip + action]
    xor     edx, edx
    mov     r10d, 8
    syscall
    test    rax, rax
    jnz     fail

    mov     r15d, 2                 # clone(VM|FS|FILES|SIGHAND|THREAD, stack)
    mov     eax, 56
    mov     edi, 0x10f00
    lea     rsi, [rip + stack_top]
    xor     edx, edx
    xor     r10d, r10d
    xor     r8d, r8d
    syscall
    cmp     rax, -4096
    ja      fail
    test    rax, rax
    jz      sender

    mov     ecx, 100000             # the target's own work
1:
    inc     qword ptr [rip + progress]
    dec     ecx
    jnz     1b
    mov     r15d, 3                 # the storm really reached the handler
    cmp     qword ptr [rip + handled], 0
    je      fail
    mov     eax, 1
    mov     edi, 1
    lea     rsi, [rip + msg]
    mov     edx, 9
    syscall
    xor     r15d, r15d
fail:
    mov     edi, r15d
    mov     eax, 231
    syscall

sender:                             # tgkill(getpid(), getpid(), SIGURG) forever
    mov     eax, 39
    syscall
    mov     rdi, rax
    mov     rsi, rax
    mov     edx, 23
    mov     eax, 234
    syscall
    jmp     sender

handler:
    inc     qword ptr [rip + handled]
    ret

restorer:
    mov     eax, 15                 # rt_sigreturn
    syscall

    .data
    .balign 8
action:                             # struct sigaction: handler, SA_RESTORER|SA_RESTART, restorer, mask
    .quad   handler
    .quad   0x14000000
    .quad   restorer
    .quad   0
progress:
    .quad   0
handled:
    .quad   0
msg:
    .ascii  "storm ok\n"
    .bss
    .balign 16
stack:
    .zero   16384
stack_top:
