# read(0, buf, 16); exit with its result
.text
.globl _start
_start:
  xor eax, eax
  xor edi, edi
  lea rsi, [rip + buf]
  mov edx, 16
  syscall
  mov edi, eax
  mov eax, 231
  syscall
.data
buf: .zero 16
