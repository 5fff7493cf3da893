# indexed gather: an index load feeds the address of the next load
.intel_syntax noprefix
loop:
    mov eax, dword ptr [rsi]
    mov rdx, qword ptr [rdi + rax*8]
    add rbx, rdx
    add rsi, 4
    dec rcx
    jnz loop
