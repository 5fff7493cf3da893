# A racy program: two threads each print their letter 24 times with a busy loop between
# prints; the order of letters depends on where the scheduler preempts, i.e. on --seed.
    .globl _start
    .text
_start:
    mov     eax, 56                 # clone(thread flags | PARENT_SETTID | CHILD_CLEARTID)
    mov     edi, 0x350f00
    lea     rsi, [rip + stack_top]
    lea     rdx, [rip + tid]
    lea     r10, [rip + tid]
    xor     r8d, r8d
    syscall
    lea     r12, [rip + letter_a]
    test    rax, rax
    jnz     1f
    lea     r12, [rip + letter_b]
1:
    mov     r13d, 24
2:
    mov     ecx, 1500               # busy work between prints
3:
    dec     ecx
    jnz     3b
    mov     eax, 1
    mov     edi, 1
    mov     rsi, r12
    mov     edx, 1
    syscall
    dec     r13d
    jnz     2b
    lea     rax, [rip + letter_b]
    cmp     r12, rax
    jne     4f
    xor     edi, edi                # the child ends
    mov     eax, 60
    syscall
4:
    mov     edx, dword ptr [rip + tid]   # the parent joins, then ends the line
    test    edx, edx
    jz      5f
    mov     eax, 202
    lea     rdi, [rip + tid]
    xor     esi, esi
    xor     r10d, r10d
    syscall
    jmp     4b
5:
    mov     eax, 1
    mov     edi, 1
    lea     rsi, [rip + newline]
    mov     edx, 1
    syscall
    xor     edi, edi
    mov     eax, 231
    syscall

    .data
tid:
    .long   0
letter_a:
    .ascii  "A"
letter_b:
    .ascii  "B"
newline:
    .ascii  "\n"
    .bss
    .balign 16
stack:
    .zero   4096
stack_top:
