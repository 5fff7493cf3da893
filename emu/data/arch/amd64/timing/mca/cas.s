# cas: no software loop on x86, the stub body, runtime_asm/amd64/runtime.s (cas)
.intel_syntax noprefix
    mov eax, esi
    lock cmpxchg dword ptr [rdi], edx
    sete al
    movzx eax, al
