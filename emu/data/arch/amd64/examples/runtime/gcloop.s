# emu:runtime
# Allocation loop: build a linked list of LIST nodes reachable from a global,
# then allocate ROUNDS*GARBAGE unreachable nodes (several GCs) and walk the
# list after every round: a node freed by a GC while live shows up as a wrong
# count or sum ("list corrupted", exit 1).
    .equ LIST, 100
    .equ ROUNDS, 10
    .equ GARBAGE, 200
    .equ NODE, 24                       # next, value, pad
    .globl main
    .text
main:
    sub rsp, 40
    mov qword ptr [rsp], 1              # i
1:  mov edi, NODE                       # n = new(Node)
    lea rsi, [rip + node_type]
    call mallocgc
    mov rcx, qword ptr [rsp]
    mov qword ptr [rax + 8], rcx        # n.value = i
    mov rcx, qword ptr [rip + list]
    mov qword ptr [rax], rcx            # n.next = list
    mov qword ptr [rip + list], rax     # list = n
    inc qword ptr [rsp]
    cmp qword ptr [rsp], LIST
    jle 1b
    mov qword ptr [rsp + 8], 1          # round
2:  mov qword ptr [rsp], 0              # garbage: nodes nobody keeps
3:  mov edi, NODE
    lea rsi, [rip + node_type]
    call mallocgc
    mov qword ptr [rax + 8], 7
    inc qword ptr [rsp]
    cmp qword ptr [rsp], GARBAGE
    jl 3b
    xor ecx, ecx                        # walk: count (at most LIST+1) and sum
    xor edx, edx
    mov rax, qword ptr [rip + list]
4:  test rax, rax
    jz 5f
    inc rcx
    add rdx, qword ptr [rax + 8]
    mov rax, qword ptr [rax]
    cmp rcx, LIST
    jle 4b
5:  cmp rcx, LIST
    jne 6f
    cmp rdx, LIST * (LIST + 1) / 2
    jne 6f
    lea rdi, [rip + msg_ok]
    mov rsi, qword ptr [rsp + 8]
    call printline
    inc qword ptr [rsp + 8]
    cmp qword ptr [rsp + 8], ROUNDS
    jle 2b
    lea rdi, [rip + msg_sum]
    mov esi, LIST * (LIST + 1) / 2
    call printline
    add rsp, 40
    ret
6:  mov qword ptr [rsp + 16], rdx
    lea rdi, [rip + msg_bad]
    mov rsi, rcx
    call printline
    mov edi, 1
    call exit

    .data
    .balign 8
list:   .quad 0
node_type:                              # size, kind (KIND_GC_PROG), gc0 mask, gc1 program
    .quad NODE, 0x100, node_mask, node_prog
node_mask: .space 16                    # byte 0: the unrolled flag
node_prog: .byte 1, 3, 0x16, 0          # insData 3 words: pointer, scalar, scalar; insEnd
msg_ok:  .asciz "list ok after round"
msg_sum: .asciz "list sum"
msg_bad: .asciz "list corrupted: nodes"
