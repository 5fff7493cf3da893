@ emu toy Go runtime: start-up and runtime entry points for guest programs (arm).
@ Linked after runtime.s by emu/runtime/link.py; the ABI is in docs/runtime.md.
@ Entry points clobber every register except sp and r10 (g), like Go's ABI0:
@ a caller keeps its live values in its stack frame. All context switches go
@ through gosave/gogo in runtime.s; the runtime itself is reached with
@ emu-private syscall numbers in r7 (hypercalls, HC_*), answered by emu/runtime.

@ hypercall numbers (emu/runtime/abi.py HYPERCALLS)
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
@ G struct offsets (emu/runtime/abi.py G_FIELDS, 4-byte words)
.equ G_SCHED, 8
.equ G_PARAM, 40
.equ G_ARG0, 44
.equ G_ARG1, 48
.equ G_NOTE, 56

.text

@ _start: rt0 asks the runtime to initialise (heap, Ps, Ms, the main G) and
@ switches to the main goroutine.
.globl _start
_start:
    movw r0, #:lower16:main
    movt r0, #:upper16:main
    mov r1, sp
    movw r7, #HC_RT0
    svc #0
    b gogo

@ mstart: every M's g0 starts here (m0 after rt0 via gogo, others as clone
@ children) and comes back here to look for work: schedule() picks a G.
.globl mstart
mstart:
    movw r7, #HC_SCHEDULE
    svc #0
    b gogo

@ mpark: an idle M's g0 sleeps on its note (notesleep: futex wait while 0).
.globl mpark
mpark:
    add r0, r10, #G_NOTE
    bl atomicload
    cmp r0, #0
    bne mstart
    add r0, r10, #G_NOTE
    mov r1, #128
    mov r2, #0
    mov r3, #0
    mov r4, #0
    mov r5, #0
    bl sys_futex
    b mpark

@ rt_die: the runtime threw (message already written): exit(2) like Go's throw.
.globl rt_die
rt_die:
    mov r0, #2
    bl sys_exit_group

@ rt_clone(flags, stack, ptid, tls, ctid=r4): sys_clone whose child starts at
@ mstart on `stack` (the child returns here through lr with r0 = 0).
.globl rt_clone
rt_clone:
    push {r4, lr}
    bl sys_clone
    cmp r0, #0
    beq mstart
    pop {r4, pc}

@ goentry: first code of a goroutine: fn in ctxt (r7), its argument in ret (r0).
.globl goentry
goentry:
    blx r7
    b goexit

@ mainentry: the main goroutine runs main (ctxt), then exits with status 0.
.globl mainentry
mainentry:
    blx r7
    mov r0, #0
    b exit

@ ---- switching entry points: save the G in g.sched, ask the runtime (r4 =
@ hypercall) which G runs next and gogo there; resumed, gosave returns 1 and
@ the result is g.param.
.globl gosched
gosched:
    movw r4, #HC_GOSCHED
    b gopark

.globl goexit
goexit:
    movw r4, #HC_GOEXIT
    b gopark

@ chansend(c, v)
.globl chansend
chansend:
    str r0, [r10, #G_ARG0]
    str r1, [r10, #G_ARG1]
    movw r4, #HC_CHANSEND
    b gopark

@ chanrecv(c) -> v
.globl chanrecv
chanrecv:
    str r0, [r10, #G_ARG0]
    movw r4, #HC_CHANRECV
    b gopark

gopark:
    push {r4, lr}
    add r0, r10, #G_SCHED
    bl gosave
    cmp r0, #0
    bne 1f
    mov r7, r4
    svc #0
    b gogo
1:  ldr r0, [r10, #G_PARAM]
    pop {r4, pc}

@ ---- plain entry points: one hypercall, arguments and result as for a C call.
@ newproc(fn, arg): start a goroutine running fn(arg).
.globl newproc
newproc:
    movw r7, #HC_NEWPROC
    svc #0
    bx lr

@ mallocgc(size, type) -> zeroed object (type 0: no pointers).
.globl mallocgc
mallocgc:
    movw r7, #HC_MALLOCGC
    svc #0
    bx lr

@ makechan(cap) -> channel of words.
.globl makechan
makechan:
    movw r7, #HC_MAKECHAN
    svc #0
    bx lr

@ printstr(cstring)
.globl printstr
printstr:
    movw r7, #HC_PRINTSTR
    svc #0
    bx lr

@ printline(cstring, value): "<cstring> <value>\n", value a signed word.
.globl printline
printline:
    movw r7, #HC_PRINTLINE
    svc #0
    bx lr

@ gc(): run a collection now (runtime.GC).
.globl gc
gc:
    movw r7, #HC_GC
    svc #0
    bx lr

@ exit(code): final traces, then exit_group(code).
.globl exit
exit:
    mov r4, r0
    movw r7, #HC_EXIT
    svc #0
    mov r0, r4
    bl sys_exit_group
