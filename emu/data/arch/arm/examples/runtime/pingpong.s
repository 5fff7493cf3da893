@ emu:runtime
@ Ping-pong: two goroutines bounce a counter over two unbuffered channels;
@ each prints what it received; main waits on `done`, then prints the total.
    .syntax unified
    .globl main
    .text
main:
    push {r4, lr}
    mov r0, #0
    bl makechan
    ldr r1, =ping
    str r0, [r1]
    mov r0, #0
    bl makechan
    ldr r1, =pong
    str r0, [r1]
    mov r0, #0
    bl makechan
    ldr r1, =done
    str r0, [r1]
    ldr r0, =player
    mov r1, #0                          @ player 0: receives on ping, sends on pong
    bl newproc
    ldr r0, =player
    mov r1, #1                          @ player 1: receives on pong, sends on ping
    bl newproc
    ldr r0, =ping                       @ serve
    ldr r0, [r0]
    mov r1, #1
    bl chansend
    ldr r0, =done
    ldr r0, [r0]
    bl chanrecv
    mov r1, r0
    ldr r0, =msg_final
    bl printline
    pop {r4, pc}

@ player(id): v = recv(chans[id]); print names[id], v; send(chans[1-id], v+1)
@ until v reaches 10, then report v on done. Frame: [sp] id, [sp+4] v.
player:
    push {r4, lr}
    sub sp, sp, #8
    str r0, [sp]
1:  ldr r1, [sp]
    ldr r0, =chans
    ldr r0, [r0, r1, lsl #2]
    ldr r0, [r0]
    bl chanrecv
    str r0, [sp, #4]
    mov r1, r0
    ldr r2, [sp]
    ldr r0, =names
    ldr r0, [r0, r2, lsl #2]
    bl printline
    bl gosched                          @ let the other side run: the order stays fixed
    ldr r1, [sp, #4]
    cmp r1, #10
    bge 5f
    ldr r2, [sp]
    rsb r2, r2, #1
    ldr r0, =chans
    ldr r0, [r0, r2, lsl #2]
    ldr r0, [r0]
    add r1, r1, #1
    bl chansend
    b 1b
5:  ldr r0, =done
    ldr r0, [r0]
    ldr r1, [sp, #4]
    bl chansend
    add sp, sp, #8
    pop {r4, pc}
    .ltorg

    .data
ping:   .word 0
pong:   .word 0
done:   .word 0
msg_ping: .asciz "ping"
msg_pong: .asciz "pong"
msg_final: .asciz "final ball"
    .balign 4
chans:  .word ping, pong
names:  .word msg_ping, msg_pong
