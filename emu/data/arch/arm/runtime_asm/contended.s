@ Driver for the contended conformance cases (appended to the stubs; calls them by name).
@ contend_main(table): table = [n][job 0]...[job n-1], a job = 8 words:
@   +0 stub, +4 a0, +8 step, +12 a1, +16 count, +20 tid word (ptid/ctid), +24 stack top.
@ One thread per job (clone with CHILD_CLEARTID), each calling stub(a0 + i*step, a1)
@ count times; the main thread joins them all with futex, then exit_group(0).

.globl contend_main
contend_main:
    mov r8, r0
    ldr r9, [r8]
    add r6, r8, #4
    mov r11, r9
1:  cmp r11, #0
    beq 3f
    movw r0, #0x0f00
    movt r0, #0x35
    ldr r1, [r6, #24]
    add r2, r6, #20
    mov r3, #0
    add r4, r6, #20
    bl sys_clone
    cmp r0, #0
    beq contend_child
    add r6, r6, #32
    sub r11, r11, #1
    b 1b
3:  add r6, r8, #4
    mov r11, r9
4:  cmp r11, #0
    beq 6f
5:  ldr r2, [r6, #20]
    cmp r2, #0
    beq 7f
    add r0, r6, #20
    mov r1, #0
    mov r3, #0
    mov r4, #0
    mov r5, #0
    bl sys_futex
    b 5b
7:  add r6, r6, #32
    sub r11, r11, #1
    b 4b
6:  mov r0, #0
    bl sys_exit_group

@ The child: back from sys_clone through lr with r0 = 0, sp = its stack, r6 = its job.
contend_child:
    ldr r8, [r6, #4]
    ldr r9, [r6, #16]
1:  cmp r9, #0
    beq 2f
    mov r0, r8
    ldr r1, [r6, #12]
    ldr r12, [r6]
    blx r12
    ldr r2, [r6, #8]
    add r8, r8, r2
    sub r9, r9, #1
    b 1b
2:  mov r0, #0
    bl sys_exit

@ cas_increment(ptr32): *ptr += 1 with an atomicload/cas retry loop.
.globl cas_increment
cas_increment:
    push {r4, lr}
    mov r4, r0
1:  mov r0, r4
    bl atomicload
    mov r1, r0
    add r2, r0, #1
    mov r0, r4
    bl cas
    cmp r0, #0
    beq 1b
    pop {r4, pc}

@ Message passing (the Go runtime's publish/observe pattern), for the weak memory models.
@ The message is a flag word at ptr and a data word at ptr+64; one publisher, many observers.
@ mp_publish_store(ptr): data += 1, then publish it with atomicstore(&flag, data).
.globl mp_publish_store
mp_publish_store:
    ldr r2, [r0, #64]
    add r1, r2, #1
    str r1, [r0, #64]
    b atomicstore

@ mp_publish_cas(ptr): data += 1, then publish it with cas(&flag, data-1, data).
.globl mp_publish_cas
mp_publish_cas:
    ldr r1, [r0, #64]
    add r2, r1, #1
    str r2, [r0, #64]
    b cas

@ mp_observe(log, ptr): log[0] = atomicload(&flag), then log[1] = data (a plain load).
.globl mp_observe
mp_observe:
    push {r4, r5, lr}
    mov r4, r0
    mov r5, r1
    mov r0, r1
    bl atomicload
    ldr r1, [r5, #64]
    str r0, [r4]
    str r1, [r4, #4]
    pop {r4, r5, pc}
