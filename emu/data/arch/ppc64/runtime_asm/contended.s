# Driver for the contended conformance cases (appended to the stubs; calls them by name).
# contend_main(table): table = [n][job 0]...[job n-1], a job = 8 doublewords:
#   +0 stub, +8 a0, +16 step, +24 a1, +32 count, +40 tid word (ptid/ctid), +48 stack top.
# One thread per job (clone with CHILD_CLEARTID), each calling stub(a0 + i*step, a1)
# count times; the main thread joins them all with futex, then exit_group(0).

.globl contend_main
contend_main:
    mr 15, 3
    ld 16, 0(15)
    addi 14, 15, 8
    mr 17, 16
1:  cmpdi 17, 0
    beq 3f
    lis 3, 0x35
    ori 3, 3, 0x0f00
    ld 4, 48(14)
    addi 5, 14, 40
    li 6, 0
    addi 7, 14, 40
    bl sys_clone
    cmpdi 3, 0
    beq contend_child
    addi 14, 14, 64
    addi 17, 17, -1
    b 1b
3:  addi 14, 15, 8
    mr 17, 16
4:  cmpdi 17, 0
    beq 6f
5:  lwz 5, 40(14)
    cmpwi 5, 0
    beq 7f
    addi 3, 14, 40
    li 4, 0
    li 6, 0
    li 7, 0
    li 8, 0
    bl sys_futex
    b 5b
7:  addi 14, 14, 64
    addi 17, 17, -1
    b 4b
6:  li 3, 0
    bl sys_exit_group

# The child: back from sys_clone through lr with r3 = 0, r1 = its stack, r14 = its job.
contend_child:
    ld 18, 8(14)
    ld 19, 32(14)
1:  cmpdi 19, 0
    beq 2f
    mr 3, 18
    ld 4, 24(14)
    ld 12, 0(14)
    mtctr 12
    bctrl
    ld 5, 16(14)
    add 18, 18, 5
    addi 19, 19, -1
    b 1b
2:  li 3, 0
    bl sys_exit

# cas_increment(ptr32): *ptr += 1 with an atomicload/cas retry loop.
.globl cas_increment
cas_increment:
    mflr 0
    std 0, 16(1)
    std 31, -8(1)
    stdu 1, -48(1)
    mr 31, 3
1:  mr 3, 31
    bl atomicload
    mr 4, 3
    addi 5, 3, 1
    mr 3, 31
    bl cas
    cmpdi 3, 0
    beq 1b
    addi 1, 1, 48
    ld 0, 16(1)
    mtlr 0
    ld 31, -8(1)
    blr

# Message passing (the Go runtime's publish/observe pattern), for the weak memory models.
# The message is a flag word at ptr and a data word at ptr+64; one publisher, many observers.
# mp_publish_store(ptr): data += 1, then publish it with atomicstore(&flag, data).
.globl mp_publish_store
mp_publish_store:
    lwz 5, 64(3)
    addi 4, 5, 1
    stw 4, 64(3)
    b atomicstore

# mp_publish_cas(ptr): data += 1, then publish it with cas(&flag, data-1, data).
.globl mp_publish_cas
mp_publish_cas:
    lwz 4, 64(3)
    addi 5, 4, 1
    stw 5, 64(3)
    b cas

# mp_observe(log, ptr): log[0] = atomicload(&flag), then log[1] = data (a plain load).
.globl mp_observe
mp_observe:
    mflr 0
    std 0, 16(1)
    std 31, -8(1)
    std 30, -16(1)
    stdu 1, -48(1)
    mr 31, 3
    mr 30, 4
    mr 3, 4
    bl atomicload
    lwz 5, 64(30)
    stw 3, 0(31)
    stw 5, 4(31)
    addi 1, 1, 48
    ld 0, 16(1)
    mtlr 0
    ld 31, -8(1)
    ld 30, -16(1)
    blr
