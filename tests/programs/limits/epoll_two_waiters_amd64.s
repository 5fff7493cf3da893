# two threads sleep in epoll_wait on two epolls watching one pipe; main writes once
.text
.globl _start
_start:
  mov eax, 293
  lea rdi, [rip + fds]
  xor esi, esi
  syscall
  mov eax, 291
  xor edi, edi
  syscall
  mov r12, rax
  mov eax, 291
  xor edi, edi
  syscall
  mov r13, rax
  mov rdi, r12
  call watch
  mov rdi, r13
  call watch
  mov rbx, r12
  call spawn
  mov rbx, r13
  call spawn
  mov eax, 35
  lea rdi, [rip + nap]
  xor esi, esi
  syscall
  mov eax, 1
  mov edi, [rip + fds + 4]
  lea rsi, [rip + fds]
  mov edx, 1
  syscall
  mov eax, 35
  lea rdi, [rip + nap]
  xor esi, esi
  syscall
  xor edi, edi
  mov eax, 231
  syscall
watch:
  mov eax, 233
  mov esi, 1
  mov edx, [rip + fds]
  lea r10, [rip + ev]
  syscall
  ret
spawn:
  mov eax, 56
  mov edi, 0x10f00
  xor esi, esi
  xor edx, edx
  xor r10d, r10d
  xor r8d, r8d
  syscall
  test rax, rax
  jz waiter
  ret
waiter:
  mov eax, 232
  mov rdi, rbx
  lea rsi, [rip + out]
  mov edx, 1
  mov r10, -1
  syscall
  mov eax, 60
  xor edi, edi
  syscall
.data
fds: .long 0, 0
ev: .long 1, 0, 0
out: .zero 64
nap: .quad 0, 1000000
