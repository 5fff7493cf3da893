# Driver for the contended conformance cases (appended to the stubs; calls them by name).
# contend_main(table): table = [n][job 0]...[job n-1], a job = 8 doublewords:
#   +0 stub, +8 a0, +16 step, +24 a1, +32 count, +40 tid word (ptid/ctid), +48 stack top.
# One thread per job (clone with CHILD_CLEARTID), each calling stub(a0 + i*step, a1)
# count times; the main thread joins them all with futex, then exit_group(0).

.globl contend_main
contend_main:
    mv s1, a0
    ld s2, 0(s1)
    addi s3, s1, 8
    mv s4, s2
1:  beqz s4, 3f
    li a0, 0x350f00             # CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|PARENT_SETTID|CHILD_CLEARTID
    ld a1, 48(s3)
    addi a2, s3, 40
    li a3, 0
    addi a4, s3, 40
    call sys_clone
    beqz a0, contend_child
    addi s3, s3, 64
    addi s4, s4, -1
    j 1b
3:  addi s3, s1, 8
    mv s4, s2
4:  beqz s4, 6f
5:  lw a2, 40(s3)
    beqz a2, 7f
    addi a0, s3, 40
    li a1, 0
    li a3, 0
    li a4, 0
    li a5, 0
    call sys_futex
    j 5b
7:  addi s3, s3, 64
    addi s4, s4, -1
    j 4b
6:  li a0, 0
    call sys_exit_group

# The child: back from sys_clone through ra with a0 = 0, sp = its stack, s3 = its job.
contend_child:
    ld s5, 8(s3)
    ld s6, 32(s3)
1:  beqz s6, 2f
    mv a0, s5
    ld a1, 24(s3)
    ld t0, 0(s3)
    jalr t0
    ld t1, 16(s3)
    add s5, s5, t1
    addi s6, s6, -1
    j 1b
2:  li a0, 0
    call sys_exit

# cas_increment(ptr32): *ptr += 1 with an atomicload/cas retry loop.
.globl cas_increment
cas_increment:
    addi sp, sp, -16
    sd s1, 0(sp)
    sd ra, 8(sp)
    mv s1, a0
1:  mv a0, s1
    call atomicload
    mv a1, a0
    addiw a2, a0, 1
    mv a0, s1
    call cas
    beqz a0, 1b
    ld s1, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 16
    ret

# Message passing (the Go runtime's publish/observe pattern), for the weak memory models.
# The message is a flag word at ptr and a data word at ptr+64; one publisher, many observers.
# mp_publish_store(ptr): data += 1, then publish it with atomicstore(&flag, data).
.globl mp_publish_store
mp_publish_store:
    lw a2, 64(a0)
    addiw a1, a2, 1
    sw a1, 64(a0)
    j atomicstore

# mp_publish_cas(ptr): data += 1, then publish it with cas(&flag, data-1, data).
.globl mp_publish_cas
mp_publish_cas:
    lw a1, 64(a0)
    addiw a2, a1, 1
    sw a2, 64(a0)
    j cas

# mp_observe(log, ptr): log[0] = atomicload(&flag), then log[1] = data (a plain load).
.globl mp_observe
mp_observe:
    addi sp, sp, -32
    sd s1, 0(sp)
    sd s2, 8(sp)
    sd ra, 16(sp)
    mv s1, a0
    mv s2, a1
    mv a0, a1
    call atomicload
    lw a1, 64(s2)
    sw a0, 0(s1)
    sw a1, 4(s1)
    ld s1, 0(sp)
    ld s2, 8(sp)
    ld ra, 16(sp)
    addi sp, sp, 32
    ret
