// emu toy Go runtime: start-up and runtime entry points for guest programs (arm64).
// Linked after runtime.s by emu/runtime/link.py; the ABI is in docs/runtime.md.
// Entry points clobber every register except sp and x28 (g), like Go's ABI0:
// a caller keeps its live values in its stack frame. All context switches go
// through gosave/gogo in runtime.s; the runtime itself is reached with
// emu-private syscall numbers in x8 (hypercalls, HC_*), answered by emu/runtime.

// hypercall numbers (emu/runtime/abi.py HYPERCALLS)
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
// G struct offsets (emu/runtime/abi.py G_FIELDS, 8-byte words)
.equ G_SCHED, 16
.equ G_PARAM, 80
.equ G_ARG0, 88
.equ G_ARG1, 96
.equ G_NOTE, 112

.text

// _start: rt0 asks the runtime to initialise (heap, Ps, Ms, the main G) and
// switches to the main goroutine.
.globl _start
_start:
    adr x0, main
    mov x1, sp
    mov x8, #HC_RT0
    svc #0
    b gogo

// mstart: every M's g0 starts here (m0 after rt0 via gogo, others as clone
// children) and comes back here to look for work: schedule() picks a G.
.globl mstart
mstart:
    mov x8, #HC_SCHEDULE
    svc #0
    b gogo

// mpark: an idle M's g0 sleeps on its note (notesleep: futex wait while 0).
.globl mpark
mpark:
    add x0, x28, #G_NOTE
    bl atomicload
    cbnz x0, mstart
    add x0, x28, #G_NOTE
    mov x1, #128
    mov x2, #0
    mov x3, #0
    mov x4, #0
    mov x5, #0
    bl sys_futex
    b mpark

// rt_die: the runtime threw (message already written): exit(2) like Go's throw.
.globl rt_die
rt_die:
    mov x0, #2
    bl sys_exit_group

// rt_clone(flags, stack, ptid, tls, ctid): sys_clone whose child starts at
// mstart on `stack` (the child returns here through lr with x0 = 0).
.globl rt_clone
rt_clone:
    stp x19, x30, [sp, #-16]!
    bl sys_clone
    cbz x0, mstart
    ldp x19, x30, [sp], #16
    ret

// goentry: first code of a goroutine: fn in ctxt (x26), its argument in ret (x0).
.globl goentry
goentry:
    blr x26
    b goexit

// mainentry: the main goroutine runs main (ctxt), then exits with status 0.
.globl mainentry
mainentry:
    blr x26
    mov x0, #0
    b exit

// ---- switching entry points: save the G in g.sched, ask the runtime (x9 =
// hypercall) which G runs next and gogo there; resumed, gosave returns 1 and
// the result is g.param.
.globl gosched
gosched:
    mov x9, #HC_GOSCHED
    b gopark

.globl goexit
goexit:
    mov x9, #HC_GOEXIT
    b gopark

// chansend(c, v)
.globl chansend
chansend:
    str x0, [x28, #G_ARG0]
    str x1, [x28, #G_ARG1]
    mov x9, #HC_CHANSEND
    b gopark

// chanrecv(c) -> v
.globl chanrecv
chanrecv:
    str x0, [x28, #G_ARG0]
    mov x9, #HC_CHANRECV
    b gopark

gopark:
    stp x19, x30, [sp, #-16]!
    mov x19, x9
    add x0, x28, #G_SCHED
    bl gosave
    cbnz x0, 1f
    mov x8, x19
    svc #0
    b gogo
1:  ldr x0, [x28, #G_PARAM]
    ldp x19, x30, [sp], #16
    ret

// ---- plain entry points: one hypercall, arguments and result as for a C call.
// newproc(fn, arg): start a goroutine running fn(arg).
.globl newproc
newproc:
    mov x8, #HC_NEWPROC
    svc #0
    ret

// mallocgc(size, type) -> zeroed object (type 0: no pointers).
.globl mallocgc
mallocgc:
    mov x8, #HC_MALLOCGC
    svc #0
    ret

// makechan(cap) -> channel of words.
.globl makechan
makechan:
    mov x8, #HC_MAKECHAN
    svc #0
    ret

// printstr(cstring)
.globl printstr
printstr:
    mov x8, #HC_PRINTSTR
    svc #0
    ret

// printline(cstring, value): "<cstring> <value>\n", value a signed word.
.globl printline
printline:
    mov x8, #HC_PRINTLINE
    svc #0
    ret

// gc(): run a collection now (runtime.GC).
.globl gc
gc:
    mov x8, #HC_GC
    svc #0
    ret

// exit(code): final traces, then exit_group(code).
.globl exit
exit:
    mov x19, x0
    mov x8, #HC_EXIT
    svc #0
    mov x0, x19
    bl sys_exit_group
