// emu:runtime
// Worker pool: WORKERS goroutines each take JOBS/WORKERS numbers from a
// buffered `jobs` channel and send back the sum of their squares on
// `results`; main feeds 1..JOBS and adds the partial sums.
    .equ WORKERS, 4
    .equ JOBS, 100
    .globl main
    .text
main:
    stp x29, x30, [sp, #-32]!           // [sp+16] i, [sp+24] total
    mov x0, #WORKERS
    bl makechan
    adrp x1, jobs
    str x0, [x1, :lo12:jobs]
    mov x0, #0
    bl makechan
    adrp x1, results
    str x0, [x1, :lo12:results]
    str xzr, [sp, #16]
1:  adr x0, worker
    ldr x1, [sp, #16]
    bl newproc
    ldr x1, [sp, #16]
    add x1, x1, #1
    str x1, [sp, #16]
    cmp x1, #WORKERS
    b.lt 1b
    mov x0, #1
    str x0, [sp, #16]
2:  adrp x0, jobs
    ldr x0, [x0, :lo12:jobs]
    ldr x1, [sp, #16]
    bl chansend
    ldr x1, [sp, #16]
    add x1, x1, #1
    str x1, [sp, #16]
    cmp x1, #JOBS
    b.le 2b
    str xzr, [sp, #16]
    str xzr, [sp, #24]
3:  adrp x0, results
    ldr x0, [x0, :lo12:results]
    bl chanrecv
    ldr x1, [sp, #24]
    add x1, x1, x0
    str x1, [sp, #24]
    ldr x1, [sp, #16]
    add x1, x1, #1
    str x1, [sp, #16]
    cmp x1, #WORKERS
    b.lt 3b
    adrp x0, msg_workers
    add x0, x0, :lo12:msg_workers
    mov x1, #WORKERS
    bl printline
    adrp x0, msg_sum
    add x0, x0, :lo12:msg_sum
    ldr x1, [sp, #24]
    bl printline
    ldp x29, x30, [sp], #32
    ret

// worker(id): JOBS/WORKERS times v = recv(jobs), sum += v*v; send(results, sum).
worker:
    stp x29, x30, [sp, #-32]!           // [sp+16] count, [sp+24] sum
    str xzr, [sp, #16]
    str xzr, [sp, #24]
1:  adrp x0, jobs
    ldr x0, [x0, :lo12:jobs]
    bl chanrecv
    mul x1, x0, x0
    ldr x2, [sp, #24]
    add x2, x2, x1
    str x2, [sp, #24]
    ldr x1, [sp, #16]
    add x1, x1, #1
    str x1, [sp, #16]
    cmp x1, #JOBS / WORKERS
    b.lt 1b
    adrp x0, results
    ldr x0, [x0, :lo12:results]
    ldr x1, [sp, #24]
    bl chansend
    ldp x29, x30, [sp], #32
    ret

    .data
    .balign 8
jobs:    .quad 0
results: .quad 0
msg_workers: .asciz "workers"
msg_sum: .asciz "sum of squares"
