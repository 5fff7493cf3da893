# emu toy Go runtime: start-up and runtime entry points for guest programs (riscv64).
# Linked after runtime.s by emu/runtime/link.py; the ABI is in docs/runtime.md.
# Entry points clobber every register except sp and s11 (g), like Go's ABI0:
# a caller keeps its live values in its stack frame. All context switches go
# through gosave/gogo in runtime.s; the runtime itself is reached with
# emu-private syscall numbers in a7 (hypercalls, HC_*), answered by emu/runtime.

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
    la a0, main
    mv a1, sp
    li a7, HC_RT0
    ecall
    j gogo

# mstart: every M's g0 starts here (m0 after rt0 via gogo, others as clone
# children) and comes back here to look for work: schedule() picks a G.
.globl mstart
mstart:
    li a7, HC_SCHEDULE
    ecall
    j gogo

# mpark: an idle M's g0 sleeps on its note (notesleep: futex wait while 0).
.globl mpark
mpark:
    addi a0, s11, G_NOTE
    call atomicload
    bnez a0, mstart
    addi a0, s11, G_NOTE
    li a1, 128
    li a2, 0
    li a3, 0
    li a4, 0
    li a5, 0
    call sys_futex
    j mpark

# rt_die: the runtime threw (message already written): exit(2) like Go's throw.
.globl rt_die
rt_die:
    li a0, 2
    call sys_exit_group

# rt_clone(flags, stack, ptid, tls, ctid): sys_clone whose child starts at
# mstart on `stack` (the child returns here through ra with a0 = 0).
.globl rt_clone
rt_clone:
    addi sp, sp, -16
    sd s1, 0(sp)
    sd ra, 8(sp)
    call sys_clone
    beqz a0, mstart
    ld s1, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 16
    ret

# goentry: first code of a goroutine: fn in ctxt (s10), its argument in ret (a0).
.globl goentry
goentry:
    jalr s10
    j goexit

# mainentry: the main goroutine runs main (ctxt), then exits with status 0.
.globl mainentry
mainentry:
    jalr s10
    li a0, 0
    j exit

# ---- switching entry points: save the G in g.sched, ask the runtime (t1 =
# hypercall) which G runs next and gogo there; resumed, gosave returns 1 and
# the result is g.param.
.globl gosched
gosched:
    li t1, HC_GOSCHED
    j gopark

.globl goexit
goexit:
    li t1, HC_GOEXIT
    j gopark

# chansend(c, v)
.globl chansend
chansend:
    sd a0, G_ARG0(s11)
    sd a1, G_ARG1(s11)
    li t1, HC_CHANSEND
    j gopark

# chanrecv(c) -> v
.globl chanrecv
chanrecv:
    sd a0, G_ARG0(s11)
    li t1, HC_CHANRECV
    j gopark

gopark:
    addi sp, sp, -16
    sd s1, 0(sp)
    sd ra, 8(sp)
    mv s1, t1
    addi a0, s11, G_SCHED
    call gosave
    bnez a0, 1f
    mv a7, s1
    ecall
    j gogo
1:  ld a0, G_PARAM(s11)
    ld s1, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 16
    ret

# ---- plain entry points: one hypercall, arguments and result as for a C call.
# newproc(fn, arg): start a goroutine running fn(arg).
.globl newproc
newproc:
    li a7, HC_NEWPROC
    ecall
    ret

# mallocgc(size, type) -> zeroed object (type 0: no pointers).
.globl mallocgc
mallocgc:
    li a7, HC_MALLOCGC
    ecall
    ret

# makechan(cap) -> channel of words.
.globl makechan
makechan:
    li a7, HC_MAKECHAN
    ecall
    ret

# printstr(cstring)
.globl printstr
printstr:
    li a7, HC_PRINTSTR
    ecall
    ret

# printline(cstring, value): "<cstring> <value>\n", value a signed word.
.globl printline
printline:
    li a7, HC_PRINTLINE
    ecall
    ret

# gc(): run a collection now (runtime.GC).
.globl gc
gc:
    li a7, HC_GC
    ecall
    ret

# exit(code): final traces, then exit_group(code).
.globl exit
exit:
    mv s1, a0
    li a7, HC_EXIT
    ecall
    mv a0, s1
    call sys_exit_group
