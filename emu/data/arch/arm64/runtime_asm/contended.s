// Driver for the contended conformance cases (appended to the stubs; calls them by name).
// contend_main(table): table = [n][job 0]...[job n-1], a job = 8 doublewords:
//   +0 stub, +8 a0, +16 step, +24 a1, +32 count, +40 tid word (ptid/ctid), +48 stack top.
// One thread per job (clone with CHILD_CLEARTID), each calling stub(a0 + i*step, a1)
// count times; the main thread joins them all with futex, then exit_group(0).

.globl contend_main
contend_main:
    mov x19, x0
    ldr x20, [x19]
    add x21, x19, #8
    mov x22, x20
1:  cbz x22, 3f
    movz x0, #0x35, lsl #16
    movk x0, #0x0f00
    ldr x1, [x21, #48]
    add x2, x21, #40
    mov x3, #0
    add x4, x21, #40
    bl sys_clone
    cbz x0, contend_child
    add x21, x21, #64
    sub x22, x22, #1
    b 1b
3:  add x21, x19, #8
    mov x22, x20
4:  cbz x22, 6f
5:  ldr w2, [x21, #40]
    cbz w2, 7f
    add x0, x21, #40
    mov x1, #0
    mov x3, #0
    mov x4, #0
    mov x5, #0
    bl sys_futex
    b 5b
7:  add x21, x21, #64
    sub x22, x22, #1
    b 4b
6:  mov x0, #0
    bl sys_exit_group

// The child: back from sys_clone through lr with x0 = 0, sp = its stack, x21 = its job.
contend_child:
    ldr x23, [x21, #8]
    ldr x24, [x21, #32]
1:  cbz x24, 2f
    mov x0, x23
    ldr x1, [x21, #24]
    ldr x9, [x21]
    blr x9
    ldr x2, [x21, #16]
    add x23, x23, x2
    sub x24, x24, #1
    b 1b
2:  mov x0, #0
    bl sys_exit

// cas_increment(ptr32): *ptr += 1 with an atomicload/cas retry loop.
.globl cas_increment
cas_increment:
    stp x19, x30, [sp, #-16]!
    mov x19, x0
1:  mov x0, x19
    bl atomicload
    mov w1, w0
    add w2, w0, #1
    mov x0, x19
    bl cas
    cbz x0, 1b
    ldp x19, x30, [sp], #16
    ret

// Message passing (the Go runtime's publish/observe pattern), for the weak memory models.
// The message is a flag word at ptr and a data word at ptr+64; one publisher, many observers.
// mp_publish_store(ptr): data += 1, then publish it with atomicstore(&flag, data).
.globl mp_publish_store
mp_publish_store:
    ldr w2, [x0, #64]
    add w1, w2, #1
    str w1, [x0, #64]
    b atomicstore

// mp_publish_cas(ptr): data += 1, then publish it with cas(&flag, data-1, data).
.globl mp_publish_cas
mp_publish_cas:
    ldr w1, [x0, #64]
    add w2, w1, #1
    str w2, [x0, #64]
    b cas

// mp_observe(log, ptr): log[0] = atomicload(&flag), then log[1] = data (a plain load).
.globl mp_observe
mp_observe:
    stp x19, x30, [sp, #-32]!
    str x20, [sp, #16]
    mov x19, x0
    mov x20, x1
    mov x0, x1
    bl atomicload
    ldr w1, [x20, #64]
    str w0, [x19]
    str w1, [x19, #4]
    ldr x20, [sp, #16]
    ldp x19, x30, [sp], #32
    ret
