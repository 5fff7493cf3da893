// emu:runtime
// Ping-pong: two goroutines bounce a counter over two unbuffered channels;
// each prints what it received; main waits on `done`, then prints the total.
    .globl main
    .text
main:
    stp x19, x30, [sp, #-16]!
    mov x0, #0
    bl makechan
    adrp x1, ping
    str x0, [x1, :lo12:ping]
    mov x0, #0
    bl makechan
    adrp x1, pong
    str x0, [x1, :lo12:pong]
    mov x0, #0
    bl makechan
    adrp x1, done
    str x0, [x1, :lo12:done]
    adr x0, player
    mov x1, #0                          // player 0: receives on ping, sends on pong
    bl newproc
    adr x0, player
    mov x1, #1                          // player 1: receives on pong, sends on ping
    bl newproc
    adrp x0, ping                       // serve
    ldr x0, [x0, :lo12:ping]
    mov x1, #1
    bl chansend
    adrp x0, done
    ldr x0, [x0, :lo12:done]
    bl chanrecv
    mov x1, x0
    adrp x0, msg_final
    add x0, x0, :lo12:msg_final
    bl printline
    ldp x19, x30, [sp], #16
    ret

// player(id): v = recv(chans[id]); print names[id], v; send(chans[1-id], v+1)
// until v reaches 10, then report v on done. Frame: [sp] id, [sp+8] v.
player:
    stp x29, x30, [sp, #-32]!
    str x0, [sp, #16]
1:  ldr x1, [sp, #16]
    adrp x0, chans
    add x0, x0, :lo12:chans
    ldr x0, [x0, x1, lsl #3]
    ldr x0, [x0]
    bl chanrecv
    str x0, [sp, #24]
    mov x1, x0
    ldr x2, [sp, #16]
    adrp x0, names
    add x0, x0, :lo12:names
    ldr x0, [x0, x2, lsl #3]
    bl printline
    bl gosched                          // let the other side run: the order stays fixed
    ldr x1, [sp, #24]
    cmp x1, #10
    b.ge 5f
    ldr x2, [sp, #16]
    mov x3, #1
    sub x2, x3, x2
    adrp x0, chans
    add x0, x0, :lo12:chans
    ldr x0, [x0, x2, lsl #3]
    ldr x0, [x0]
    add x1, x1, #1
    bl chansend
    b 1b
5:  adrp x0, done
    ldr x0, [x0, :lo12:done]
    ldr x1, [sp, #24]
    bl chansend
    ldp x29, x30, [sp], #32
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
