@ emu:runtime
@ Worker pool: WORKERS goroutines each take JOBS/WORKERS numbers from a
@ buffered `jobs` channel and send back the sum of their squares on
@ `results`; main feeds 1..JOBS and adds the partial sums.
    .syntax unified
    .equ WORKERS, 4
    .equ JOBS, 100
    .globl main
    .text
main:
    push {r4, lr}
    sub sp, sp, #8                      @ [sp] i, [sp+4] total
    mov r0, #WORKERS
    bl makechan
    ldr r1, =jobs
    str r0, [r1]
    mov r0, #0
    bl makechan
    ldr r1, =results
    str r0, [r1]
    mov r0, #0
    str r0, [sp]
1:  ldr r0, =worker
    ldr r1, [sp]
    bl newproc
    ldr r1, [sp]
    add r1, r1, #1
    str r1, [sp]
    cmp r1, #WORKERS
    blt 1b
    mov r0, #1
    str r0, [sp]
2:  ldr r0, =jobs
    ldr r0, [r0]
    ldr r1, [sp]
    bl chansend
    ldr r1, [sp]
    add r1, r1, #1
    str r1, [sp]
    cmp r1, #JOBS
    ble 2b
    mov r0, #0
    str r0, [sp]
    str r0, [sp, #4]
3:  ldr r0, =results
    ldr r0, [r0]
    bl chanrecv
    ldr r1, [sp, #4]
    add r1, r1, r0
    str r1, [sp, #4]
    ldr r1, [sp]
    add r1, r1, #1
    str r1, [sp]
    cmp r1, #WORKERS
    blt 3b
    ldr r0, =msg_workers
    mov r1, #WORKERS
    bl printline
    ldr r0, =msg_sum
    ldr r1, [sp, #4]
    bl printline
    add sp, sp, #8
    pop {r4, pc}

@ worker(id): JOBS/WORKERS times v = recv(jobs), sum += v*v; send(results, sum).
worker:
    push {r4, lr}
    sub sp, sp, #8                      @ [sp] count, [sp+4] sum
    mov r0, #0
    str r0, [sp]
    str r0, [sp, #4]
1:  ldr r0, =jobs
    ldr r0, [r0]
    bl chanrecv
    mul r1, r0, r0
    ldr r2, [sp, #4]
    add r2, r2, r1
    str r2, [sp, #4]
    ldr r1, [sp]
    add r1, r1, #1
    str r1, [sp]
    cmp r1, #JOBS / WORKERS
    blt 1b
    ldr r0, =results
    ldr r0, [r0]
    ldr r1, [sp, #4]
    bl chansend
    add sp, sp, #8
    pop {r4, pc}
    .ltorg

    .data
    .balign 4
jobs:    .word 0
results: .word 0
msg_workers: .asciz "workers"
msg_sum: .asciz "sum of squares"
