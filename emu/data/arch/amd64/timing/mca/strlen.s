# byte scan: load, test, branch on the loaded value
.intel_syntax noprefix
loop:
    movzx eax, byte ptr [rdi]
    add rdi, 1
    test eax, eax
    jnz loop
