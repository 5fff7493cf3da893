# emu:runtime
# Ping-pong: two goroutines bounce a counter over two unbuffered channels;
# each prints what it received; main waits on `done`, then prints the total.
# One source for ppc64 and ppc64le (ELFv2).
    .abiversion 2
    .globl main
    .text
main:
    mflr 0
    std 0, 16(1)
    stdu 1, -48(1)
    li 3, 0
    bl makechan
    lis 4, ping@ha
    std 3, ping@l(4)
    li 3, 0
    bl makechan
    lis 4, pong@ha
    std 3, pong@l(4)
    li 3, 0
    bl makechan
    lis 4, done@ha
    std 3, done@l(4)
    lis 3, player@ha
    addi 3, 3, player@l
    li 4, 0                             # player 0: receives on ping, sends on pong
    bl newproc
    lis 3, player@ha
    addi 3, 3, player@l
    li 4, 1                             # player 1: receives on pong, sends on ping
    bl newproc
    lis 3, ping@ha                      # serve
    ld 3, ping@l(3)
    li 4, 1
    bl chansend
    lis 3, done@ha
    ld 3, done@l(3)
    bl chanrecv
    addi 4, 3, 0
    lis 3, msg_final@ha
    addi 3, 3, msg_final@l
    bl printline
    addi 1, 1, 48
    ld 0, 16(1)
    mtlr 0
    blr

# player(id): v = recv(in); print; send(out, v+1) until v reaches 10, then
# report v on done. Frame: 32(1) id, 40(1) v.
player:
    mflr 0
    std 0, 16(1)
    stdu 1, -48(1)
    std 3, 32(1)
1:  ld 5, 32(1)
    lis 3, ping@ha
    ld 3, ping@l(3)
    cmpdi 5, 0
    beq 2f
    lis 3, pong@ha
    ld 3, pong@l(3)
2:  bl chanrecv
    std 3, 40(1)
    addi 4, 3, 0
    ld 5, 32(1)
    lis 3, msg_ping@ha
    addi 3, 3, msg_ping@l
    cmpdi 5, 0
    beq 3f
    lis 3, msg_pong@ha
    addi 3, 3, msg_pong@l
3:  bl printline
    bl gosched                          # let the other side run: the order stays fixed
    ld 4, 40(1)
    cmpdi 4, 10
    bge 5f
    ld 5, 32(1)
    lis 3, pong@ha
    ld 3, pong@l(3)
    cmpdi 5, 0
    beq 4f
    lis 3, ping@ha
    ld 3, ping@l(3)
4:  addi 4, 4, 1
    bl chansend
    b 1b
5:  lis 3, done@ha
    ld 3, done@l(3)
    ld 4, 40(1)
    bl chansend
    addi 1, 1, 48
    ld 0, 16(1)
    mtlr 0
    blr

    .data
    .balign 8
ping:   .quad 0
pong:   .quad 0
done:   .quad 0
msg_ping: .asciz "ping"
msg_pong: .asciz "pong"
msg_final: .asciz "final ball"
