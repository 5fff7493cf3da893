# emu:runtime
# Worker pool: WORKERS goroutines each take JOBS/WORKERS numbers from a
# buffered `jobs` channel and send back the sum of their squares on
# `results`; main feeds 1..JOBS and adds the partial sums.
    .equ WORKERS, 4
    .equ JOBS, 100
    .globl main
    .text
main:
    addi sp, sp, -32                    # [sp+16] i, [sp+24] total
    sd s0, 0(sp)
    sd ra, 8(sp)
    li a0, WORKERS
    call makechan
    la t0, jobs
    sd a0, 0(t0)
    li a0, 0
    call makechan
    la t0, results
    sd a0, 0(t0)
    sd zero, 16(sp)
1:  la a0, worker
    ld a1, 16(sp)
    call newproc
    ld a1, 16(sp)
    addi a1, a1, 1
    sd a1, 16(sp)
    li t0, WORKERS
    blt a1, t0, 1b
    li a0, 1
    sd a0, 16(sp)
2:  la a0, jobs
    ld a0, 0(a0)
    ld a1, 16(sp)
    call chansend
    ld a1, 16(sp)
    addi a1, a1, 1
    sd a1, 16(sp)
    li t0, JOBS
    ble a1, t0, 2b
    sd zero, 16(sp)
    sd zero, 24(sp)
3:  la a0, results
    ld a0, 0(a0)
    call chanrecv
    ld a1, 24(sp)
    add a1, a1, a0
    sd a1, 24(sp)
    ld a1, 16(sp)
    addi a1, a1, 1
    sd a1, 16(sp)
    li t0, WORKERS
    blt a1, t0, 3b
    la a0, msg_workers
    li a1, WORKERS
    call printline
    la a0, msg_sum
    ld a1, 24(sp)
    call printline
    ld s0, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 32
    ret

# worker(id): JOBS/WORKERS times v = recv(jobs), sum += v*v; send(results, sum).
worker:
    addi sp, sp, -32                    # [sp+16] count, [sp+24] sum
    sd s0, 0(sp)
    sd ra, 8(sp)
    sd zero, 16(sp)
    sd zero, 24(sp)
1:  la a0, jobs
    ld a0, 0(a0)
    call chanrecv
    mul a1, a0, a0
    ld a2, 24(sp)
    add a2, a2, a1
    sd a2, 24(sp)
    ld a1, 16(sp)
    addi a1, a1, 1
    sd a1, 16(sp)
    li t0, JOBS / WORKERS
    blt a1, t0, 1b
    la a0, results
    ld a0, 0(a0)
    ld a1, 24(sp)
    call chansend
    ld s0, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 32
    ret

    .data
    .balign 8
jobs:    .quad 0
results: .quad 0
msg_workers: .asciz "workers"
msg_sum: .asciz "sum of squares"
