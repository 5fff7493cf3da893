# A signal storm must not starve its target (issue 13, the amd64 GC livelock): the child thread
# sends SIGURG to the main thread in a tight loop; the main thread's SIGURG handler counts, and
# the main thread itself loops until 10 signals have been handled. It must get to run its own
# loop between handlers (after each rt_sigreturn it runs before the next SIGURG is delivered),
# or it never sees the count and never exits. Exits 0 and prints "storm ok".
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

    mov     r15d, 2                 # clone(VM|FS|FILES|SIGHAND|THREAD|SYSVSEM, stack)
    mov     eax, 56
    mov     edi, 0x50f00
    lea     rsi, [rip + stack_top]
    xor     edx, edx
    xor     r10d, r10d
    xor     r8d, r8d
    syscall
    cmp     rax, -4096
    ja      fail
    test    rax, rax
    jz      sender

1:                                  # the target's own work, until the storm has hit it 10 times
    inc     qword ptr [rip + progress]
    cmp     qword ptr [rip + handled], 10
    jb      1b
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
