# emu toy Go runtime: start-up and runtime entry points for guest programs
# (ppc64 and ppc64le: no line depends on the byte order).
# Linked after runtime.s by emu/runtime/link.py; the ABI is in docs/runtime.md.
# Entry points clobber every register except r1 (sp), r2, r13 and r30 (g),
# like Go's ABI0: a caller keeps its live values in its stack frame. All
# context switches go through gosave/gogo in runtime.s; the runtime itself is
# reached with emu-private syscall numbers in r0 (hypercalls, HC_*).
# Never `mr N,N` / `or N,N,N`: unicorn ends emulation on them.

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

.text

# _start: rt0 asks the runtime to initialise (heap, Ps, Ms, the main G) and
# switches to the main goroutine.
.globl _start
_start:
    lis 3, main@ha
    addi 3, 3, main@l
    addi 4, 1, 0
    li 0, HC_RT0
    sc
    b gogo

# mstart: every M's g0 starts here (m0 after rt0 via gogo, others as clone
# children) and comes back here to look for work: schedule() picks a G.
.globl mstart
mstart:
    li 0, HC_SCHEDULE
    sc
    b gogo

# mpark: an idle M's g0 sleeps on its note (notesleep: futex wait while 0).
.globl mpark
mpark:
    addi 3, 30, G_NOTE
    bl atomicload
    cmpwi 3, 0
    bne mstart
    addi 3, 30, G_NOTE
    li 4, 128
    li 5, 0
    li 6, 0
    li 7, 0
    li 8, 0
    bl sys_futex
    b mpark

# rt_die: the runtime threw (message already written): exit(2) like Go's throw.
.globl rt_die
rt_die:
    li 3, 2
    bl sys_exit_group

# rt_clone(flags, stack, ptid, tls, ctid): sys_clone whose child starts at
# mstart on `stack` (the child returns here through lr with r3 = 0).
.globl rt_clone
rt_clone:
    mflr 0
    std 0, 16(1)
    stdu 1, -32(1)
    bl sys_clone
    cmpdi 3, 0
    beq mstart
    addi 1, 1, 32
    ld 0, 16(1)
    mtlr 0
    blr

# goentry: first code of a goroutine: fn in ctxt (r11), its argument in ret (r3).
.globl goentry
goentry:
    mtctr 11
    addi 12, 11, 0
    bctrl
    b goexit

# mainentry: the main goroutine runs main (ctxt), then exits with status 0.
.globl mainentry
mainentry:
    mtctr 11
    addi 12, 11, 0
    bctrl
    li 3, 0
    b exit

# ---- switching entry points: save the G in g.sched, ask the runtime (r14 =
# hypercall) which G runs next and gogo there; resumed, gosave returns 1 and
# the result is g.param.
.globl gosched
gosched:
    li 14, HC_GOSCHED
    b gopark

.globl goexit
goexit:
    li 14, HC_GOEXIT
    b gopark

# chansend(c, v)
.globl chansend
chansend:
    std 3, G_ARG0(30)
    std 4, G_ARG1(30)
    li 14, HC_CHANSEND
    b gopark

# chanrecv(c) -> v
.globl chanrecv
chanrecv:
    std 3, G_ARG0(30)
    li 14, HC_CHANRECV
    b gopark

gopark:
    mflr 0
    std 0, 16(1)
    stdu 1, -32(1)
    addi 3, 30, G_SCHED
    bl gosave
    cmpdi 3, 0
    bne 1f
    addi 0, 14, 0
    sc
    b gogo
1:  ld 3, G_PARAM(30)
    addi 1, 1, 32
    ld 0, 16(1)
    mtlr 0
    blr

# ---- plain entry points: one hypercall, arguments and result as for a C call.
# newproc(fn, arg): start a goroutine running fn(arg).
.globl newproc
newproc:
    li 0, HC_NEWPROC
    sc
    blr

# mallocgc(size, type) -> zeroed object (type 0: no pointers).
.globl mallocgc
mallocgc:
    li 0, HC_MALLOCGC
    sc
    blr

# makechan(cap) -> channel of words.
.globl makechan
makechan:
    li 0, HC_MAKECHAN
    sc
    blr

# printstr(cstring)
.globl printstr
printstr:
    li 0, HC_PRINTSTR
    sc
    blr

# printline(cstring, value): "<cstring> <value>\n", value a signed word.
.globl printline
printline:
    li 0, HC_PRINTLINE
    sc
    blr

# gc(): run a collection now (runtime.GC).
.globl gc
gc:
    li 0, HC_GC
    sc
    blr

# exit(code): final traces, then exit_group(code).
.globl exit
exit:
    addi 14, 3, 0
    li 0, HC_EXIT
    sc
    addi 3, 14, 0
    bl sys_exit_group
