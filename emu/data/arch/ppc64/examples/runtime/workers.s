# emu:runtime
# Worker pool: WORKERS goroutines each take JOBS/WORKERS numbers from a
# buffered `jobs` channel and send back the sum of their squares on
# `results`; main feeds 1..JOBS and adds the partial sums. ppc64 and ppc64le.
    .abiversion 2
    .equ WORKERS, 4
    .equ JOBS, 100
    .globl main
    .text
main:                                   # frame: 32(1) i, 40(1) total
    mflr 0
    std 0, 16(1)
    stdu 1, -48(1)
    li 3, WORKERS
    bl makechan
    lis 4, jobs@ha
    std 3, jobs@l(4)
    li 3, 0
    bl makechan
    lis 4, results@ha
    std 3, results@l(4)
    li 3, 0
    std 3, 32(1)
1:  lis 3, worker@ha
    addi 3, 3, worker@l
    ld 4, 32(1)
    bl newproc
    ld 4, 32(1)
    addi 4, 4, 1
    std 4, 32(1)
    cmpdi 4, WORKERS
    blt 1b
    li 3, 1
    std 3, 32(1)
2:  lis 3, jobs@ha
    ld 3, jobs@l(3)
    ld 4, 32(1)
    bl chansend
    ld 4, 32(1)
    addi 4, 4, 1
    std 4, 32(1)
    cmpdi 4, JOBS
    ble 2b
    li 3, 0
    std 3, 32(1)
    std 3, 40(1)
3:  lis 3, results@ha
    ld 3, results@l(3)
    bl chanrecv
    ld 4, 40(1)
    add 4, 4, 3
    std 4, 40(1)
    ld 4, 32(1)
    addi 4, 4, 1
    std 4, 32(1)
    cmpdi 4, WORKERS
    blt 3b
    lis 3, msg_workers@ha
    addi 3, 3, msg_workers@l
    li 4, WORKERS
    bl printline
    lis 3, msg_sum@ha
    addi 3, 3, msg_sum@l
    ld 4, 40(1)
    bl printline
    addi 1, 1, 48
    ld 0, 16(1)
    mtlr 0
    blr

# worker(id): JOBS/WORKERS times v = recv(jobs), sum += v*v; send(results, sum).
worker:                                 # frame: 32(1) count, 40(1) sum
    mflr 0
    std 0, 16(1)
    stdu 1, -48(1)
    li 3, 0
    std 3, 32(1)
    std 3, 40(1)
1:  lis 3, jobs@ha
    ld 3, jobs@l(3)
    bl chanrecv
    mulld 3, 3, 3
    ld 4, 40(1)
    add 4, 4, 3
    std 4, 40(1)
    ld 4, 32(1)
    addi 4, 4, 1
    std 4, 32(1)
    cmpdi 4, JOBS / WORKERS
    blt 1b
    lis 3, results@ha
    ld 3, results@l(3)
    ld 4, 40(1)
    bl chansend
    addi 1, 1, 48
    ld 0, 16(1)
    mtlr 0
    blr

    .data
    .balign 8
jobs:    .quad 0
results: .quad 0
msg_workers: .asciz "workers"
msg_sum: .asciz "sum of squares"
