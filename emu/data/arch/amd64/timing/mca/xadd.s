# xadd: the stub body, runtime_asm/amd64/runtime.s (xadd)
.intel_syntax noprefix
    mov eax, esi
    lock xadd dword ptr [rdi], eax
    add eax, esi
