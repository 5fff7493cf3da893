# Driver for the contended conformance cases (appended to the stubs; calls them by name).
# contend_main(table): table = [n][job 0]...[job n-1], a job = 8 quadwords:
#   +0 stub, +8 a0, +16 step, +24 a1, +32 count, +40 tid word (ptid/ctid), +48 stack top.
# One thread per job (clone with CHILD_CLEARTID), each calling stub(a0 + i*step, a1)
# count times; the main thread joins them all with futex, then exit_group(0).

.globl contend_main
contend_main:
    mov r12, rdi
    mov r13, qword ptr [r12]
    lea rbx, [r12+8]
    mov r15, r13
1:  test r15, r15
    jz 3f
    mov rsi, qword ptr [rbx+48]
    sub rsi, 8
    lea rax, [rip+contend_child]
    mov qword ptr [rsi], rax
    mov edi, 0x350f00
    lea rdx, [rbx+40]
    lea rcx, [rbx+40]
    xor r8d, r8d
    call sys_clone
    add rbx, 64
    dec r15
    jmp 1b
3:  lea rbx, [r12+8]
    mov r15, r13
4:  test r15, r15
    jz 6f
5:  mov edx, dword ptr [rbx+40]
    test edx, edx
    jz 7f
    lea rdi, [rbx+40]
    xor esi, esi
    xor ecx, ecx
    xor r8d, r8d
    xor r9d, r9d
    call sys_futex
    jmp 5b
7:  add rbx, 64
    dec r15
    jmp 4b
6:  xor edi, edi
    call sys_exit_group

# The child: sys_clone's ret popped this address from the new stack; rbx = its job.
contend_child:
    mov r12, qword ptr [rbx+8]
    mov r13, qword ptr [rbx+32]
1:  test r13, r13
    jz 2f
    mov rdi, r12
    mov rsi, qword ptr [rbx+24]
    call qword ptr [rbx]
    add r12, qword ptr [rbx+16]
    dec r13
    jmp 1b
2:  xor edi, edi
    call sys_exit

# cas_increment(ptr32): *ptr += 1 with an atomicload/cas retry loop.
.globl cas_increment
cas_increment:
    push rbx
    mov rbx, rdi
1:  mov rdi, rbx
    call atomicload
    mov esi, eax
    lea edx, [rax+1]
    mov rdi, rbx
    call cas
    test eax, eax
    jz 1b
    pop rbx
    ret

# Message passing (the Go runtime's publish/observe pattern), for the weak memory models.
# The message is a flag word at ptr and a data word at ptr+64; one publisher, many observers.
# mp_publish_store(ptr): data += 1, then publish it with atomicstore(&flag, data).
.globl mp_publish_store
mp_publish_store:
    mov esi, dword ptr [rdi+64]
    add esi, 1
    mov dword ptr [rdi+64], esi
    jmp atomicstore

# mp_publish_cas(ptr): data += 1, then publish it with cas(&flag, data-1, data).
.globl mp_publish_cas
mp_publish_cas:
    mov esi, dword ptr [rdi+64]
    lea edx, [rsi+1]
    mov dword ptr [rdi+64], edx
    jmp cas

# mp_observe(log, ptr): log[0] = atomicload(&flag), then log[1] = data (a plain load).
.globl mp_observe
mp_observe:
    push rbx
    push rbp
    sub rsp, 8
    mov rbx, rdi
    mov rbp, rsi
    mov rdi, rsi
    call atomicload
    mov ecx, dword ptr [rbp+64]
    mov dword ptr [rbx], eax
    mov dword ptr [rbx+4], ecx
    add rsp, 8
    pop rbp
    pop rbx
    ret
