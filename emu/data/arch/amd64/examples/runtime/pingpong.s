# emu:runtime
# Ping-pong: two goroutines bounce a counter over two unbuffered channels;
# each prints what it received; main waits on `done`, then prints the total.
    .globl main
    .text
main:
    sub rsp, 24
    xor edi, edi
    call makechan
    mov qword ptr [rip + ping], rax
    xor edi, edi
    call makechan
    mov qword ptr [rip + pong], rax
    xor edi, edi
    call makechan
    mov qword ptr [rip + done], rax
    lea rdi, [rip + player]
    mov rsi, 0                          # player 0: receives on ping, sends on pong
    call newproc
    lea rdi, [rip + player]
    mov rsi, 1                          # player 1: receives on pong, sends on ping
    call newproc
    mov rdi, qword ptr [rip + ping]     # serve
    mov esi, 1
    call chansend
    mov rdi, qword ptr [rip + done]
    call chanrecv
    mov rsi, rax
    lea rdi, [rip + msg_final]
    call printline
    add rsp, 24
    ret

# player(id): ROUNDS times: v = recv(in); print; send(out, v+1). The last
# player to receive the final ball reports it on done.
player:
    sub rsp, 40
    mov qword ptr [rsp], rdi            # id
    mov qword ptr [rsp + 8], 0          # round
1:  mov rdi, qword ptr [rip + ping]
    cmp qword ptr [rsp], 0
    je 2f
    mov rdi, qword ptr [rip + pong]
2:  call chanrecv
    mov qword ptr [rsp + 16], rax       # v
    lea rdi, [rip + msg_ping]
    cmp qword ptr [rsp], 0
    je 3f
    lea rdi, [rip + msg_pong]
3:  mov rsi, rax
    call printline
    call gosched                        # let the other side run: the order stays fixed
    mov rax, qword ptr [rsp + 16]
    cmp rax, 10
    jge 5f
    mov rdi, qword ptr [rip + pong]
    cmp qword ptr [rsp], 0
    je 4f
    mov rdi, qword ptr [rip + ping]
4:  lea rsi, [rax + 1]
    call chansend
    jmp 1b
5:  mov rdi, qword ptr [rip + done]
    mov rsi, qword ptr [rsp + 16]
    call chansend
    add rsp, 40
    ret

    .data
ping:   .quad 0
pong:   .quad 0
done:   .quad 0
msg_ping: .asciz "ping"
msg_pong: .asciz "pong"
msg_final: .asciz "final ball"
