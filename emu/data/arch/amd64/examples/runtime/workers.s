# emu:runtime
# Worker pool: WORKERS goroutines each take JOBS/WORKERS numbers from a
# buffered `jobs` channel and send back the sum of their squares on
# `results`; main feeds 1..JOBS and adds the partial sums.
    .equ WORKERS, 4
    .equ JOBS, 100
    .globl main
    .text
main:
    sub rsp, 24                         # [rsp] i, [rsp+8] total
    mov edi, WORKERS
    call makechan
    mov qword ptr [rip + jobs], rax
    xor edi, edi
    call makechan
    mov qword ptr [rip + results], rax
    mov qword ptr [rsp], 0
1:  lea rdi, [rip + worker]
    mov rsi, qword ptr [rsp]
    call newproc
    inc qword ptr [rsp]
    cmp qword ptr [rsp], WORKERS
    jl 1b
    mov qword ptr [rsp], 1
2:  mov rdi, qword ptr [rip + jobs]
    mov rsi, qword ptr [rsp]
    call chansend
    inc qword ptr [rsp]
    cmp qword ptr [rsp], JOBS
    jle 2b
    mov qword ptr [rsp], 0
    mov qword ptr [rsp + 8], 0
3:  mov rdi, qword ptr [rip + results]
    call chanrecv
    add qword ptr [rsp + 8], rax
    inc qword ptr [rsp]
    cmp qword ptr [rsp], WORKERS
    jl 3b
    lea rdi, [rip + msg_workers]
    mov esi, WORKERS
    call printline
    lea rdi, [rip + msg_sum]
    mov rsi, qword ptr [rsp + 8]
    call printline
    add rsp, 24
    ret

# worker(id): JOBS/WORKERS times v = recv(jobs), sum += v*v; send(results, sum).
worker:
    sub rsp, 24                         # [rsp] count, [rsp+8] sum
    mov qword ptr [rsp], 0
    mov qword ptr [rsp + 8], 0
1:  mov rdi, qword ptr [rip + jobs]
    call chanrecv
    imul rax, rax
    add qword ptr [rsp + 8], rax
    inc qword ptr [rsp]
    cmp qword ptr [rsp], JOBS / WORKERS
    jl 1b
    mov rdi, qword ptr [rip + results]
    mov rsi, qword ptr [rsp + 8]
    call chansend
    add rsp, 24
    ret

    .data
    .balign 8
jobs:    .quad 0
results: .quad 0
msg_workers: .asciz "workers"
msg_sum: .asciz "sum of squares"
