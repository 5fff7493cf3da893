# emu toy Go runtime: start-up and runtime entry points for guest programs (amd64).
# Linked after runtime.s by emu/runtime/link.py; the ABI is in docs/runtime.md.
# Entry points clobber every register except rsp and r14 (g), like Go's ABI0:
# a caller keeps its live values in its stack frame. All context switches go
# through gosave/gogo in runtime.s; the runtime itself is reached with
# emu-private syscall numbers (hypercalls, HC_*), answered by emu/runtime.

# hypercall numbers (emu/runtime/abi.py HYPERCALLS)
.equ HC_RT0, 0x7e00
.equ HC_SCHEDULE, 0x7e01
.equ HC_GOSCHED, 0x7e02
.equ HC_GOEXIT, 0x7e03
.equ HC_NEWPROC, 0x7e04
.equ HC_MALLOCGC, 0x7e05
.equ HC_MAKECHAN, 0x7e06
.equ HC_CHANSEND, 0x7e07
.equ HC_CHANRECV, 0x7e08
.equ HC_PRINTSTR, 0x7e09
.equ HC_PRINTLINE, 0x7e0a
.equ HC_EXIT, 0x7e0b
.equ HC_GC, 0x7e0c
# G struct offsets (emu/runtime/abi.py G_FIELDS, 8-byte words)
.equ G_SCHED, 16
.equ G_PARAM, 80
.equ G_ARG0, 88
.equ G_ARG1, 96
.equ G_NOTE, 112

# _start: rt0 asks the runtime to initialise (heap, Ps, Ms, the main G) and
# switches to the main goroutine.
.globl _start
_start:
    lea rdi, [rip + main]
    mov rsi, rsp
    mov eax, HC_RT0
    syscall
    mov rdi, rax
    jmp gogo

# mstart: every M's g0 starts here (m0 after rt0 via gogo, others as clone
# children) and comes back here to look for work: schedule() picks a G.
.globl mstart
mstart:
    mov eax, HC_SCHEDULE
    syscall
    mov rdi, rax
    jmp gogo

# mpark: an idle M's g0 sleeps on its note (notesleep: futex wait while 0).
.globl mpark
mpark:
    lea rdi, [r14 + G_NOTE]
    call atomicload
    test eax, eax
    jnz mstart
    lea rdi, [r14 + G_NOTE]
    mov esi, 128
    xor edx, edx
    xor ecx, ecx
    xor r8d, r8d
    xor r9d, r9d
    call sys_futex
    jmp mpark

# rt_die: the runtime threw (message already written): exit(2) like Go's throw.
.globl rt_die
rt_die:
    mov edi, 2
    call sys_exit_group

# rt_clone(flags, stack, ptid, ctid, tls): sys_clone whose child starts at
# mstart on `stack` (the child's `ret` in sys_clone pops it from the new stack).
.globl rt_clone
rt_clone:
    lea rax, [rip + mstart]
    sub rsi, 8
    mov qword ptr [rsi], rax
    jmp sys_clone

# goentry: first code of a goroutine: fn in ctxt (rdx), its argument in ret (rax).
.globl goentry
goentry:
    mov rdi, rax
    call rdx
    jmp goexit

# mainentry: the main goroutine runs main (ctxt), then exits with status 0.
.globl mainentry
mainentry:
    call rdx
    xor edi, edi
    jmp exit

# ---- switching entry points: save the G in g.sched, ask the runtime (r12 =
# hypercall) which G runs next and gogo there; resumed, gosave returns 1 and
# the result is g.param.
.globl gosched
gosched:
    mov r12d, HC_GOSCHED
    jmp gopark

.globl goexit
goexit:
    mov r12d, HC_GOEXIT
    jmp gopark

# chansend(c, v)
.globl chansend
chansend:
    mov qword ptr [r14 + G_ARG0], rdi
    mov qword ptr [r14 + G_ARG1], rsi
    mov r12d, HC_CHANSEND
    jmp gopark

# chanrecv(c) -> v
.globl chanrecv
chanrecv:
    mov qword ptr [r14 + G_ARG0], rdi
    mov r12d, HC_CHANRECV
    jmp gopark

gopark:
    lea rdi, [r14 + G_SCHED]
    call gosave
    test rax, rax
    jnz 1f
    mov eax, r12d
    syscall
    mov rdi, rax
    jmp gogo
1:  mov rax, qword ptr [r14 + G_PARAM]
    ret

# ---- plain entry points: one hypercall, arguments and result as for a C call.
# newproc(fn, arg): start a goroutine running fn(arg).
.globl newproc
newproc:
    mov eax, HC_NEWPROC
    syscall
    ret

# mallocgc(size, type) -> zeroed object (type 0: no pointers).
.globl mallocgc
mallocgc:
    mov eax, HC_MALLOCGC
    syscall
    ret

# makechan(cap) -> channel of words.
.globl makechan
makechan:
    mov eax, HC_MAKECHAN
    syscall
    ret

# printstr(cstring)
.globl printstr
printstr:
    mov eax, HC_PRINTSTR
    syscall
    ret

# printline(cstring, value): "<cstring> <value>\n", value a signed word.
.globl printline
printline:
    mov eax, HC_PRINTLINE
    syscall
    ret

# gc(): run a collection now (runtime.GC).
.globl gc
gc:
    mov eax, HC_GC
    syscall
    ret

# exit(code): final traces, then exit_group(code).
.globl exit
exit:
    mov r12, rdi
    mov eax, HC_EXIT
    syscall
    mov rdi, r12
    call sys_exit_group
