# emu:runtime
# Ping-pong: two goroutines bounce a counter over two unbuffered channels;
# each prints what it received; main waits on `done`, then prints the total.
    .globl main
    .text
main:
    addi sp, sp, -16
    sd s1, 0(sp)
    sd ra, 8(sp)
    li a0, 0
    call makechan
    la t0, ping
    sd a0, 0(t0)
    li a0, 0
    call makechan
    la t0, pong
    sd a0, 0(t0)
    li a0, 0
    call makechan
    la t0, done
    sd a0, 0(t0)
    la a0, player
    li a1, 0                            # player 0: receives on ping, sends on pong
    call newproc
    la a0, player
    li a1, 1                            # player 1: receives on pong, sends on ping
    call newproc
    la a0, ping                         # serve
    ld a0, 0(a0)
    li a1, 1
    call chansend
    la a0, done
    ld a0, 0(a0)
    call chanrecv
    mv a1, a0
    la a0, msg_final
    call printline
    ld s1, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 16
    ret

# player(id): v = recv(chans[id]); print names[id], v; send(chans[1-id], v+1)
# until v reaches 10, then report v on done. Frame: [sp+16] id, [sp+24] v.
player:
    addi sp, sp, -32
    sd s0, 0(sp)
    sd ra, 8(sp)
    sd a0, 16(sp)
1:  ld t1, 16(sp)
    la t0, chans
    slli t1, t1, 3
    add t0, t0, t1
    ld a0, 0(t0)
    ld a0, 0(a0)
    call chanrecv
    sd a0, 24(sp)
    mv a1, a0
    ld t2, 16(sp)
    la t0, names
    slli t2, t2, 3
    add t0, t0, t2
    ld a0, 0(t0)
    call printline
    call gosched                        # let the other side run: the order stays fixed
    ld a1, 24(sp)
    li t0, 10
    bge a1, t0, 5f
    ld t2, 16(sp)
    li t3, 1
    sub t2, t3, t2
    la t0, chans
    slli t2, t2, 3
    add t0, t0, t2
    ld a0, 0(t0)
    ld a0, 0(a0)
    addi a1, a1, 1
    call chansend
    j 1b
5:  la a0, done
    ld a0, 0(a0)
    ld a1, 24(sp)
    call chansend
    ld s0, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 32
    ret

    .data
    .balign 8
ping:   .quad 0
pong:   .quad 0
done:   .quad 0
chans:  .quad ping, pong
names:  .quad msg_ping, msg_pong
msg_ping: .asciz "ping"
msg_pong: .asciz "pong"
msg_final: .asciz "final ball"
