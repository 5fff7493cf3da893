# push two values, pop them into other registers (no value carried through memory): push/pop update rsp through the stack engine, not with the access latency
.intel_syntax noprefix
loop:
    push rbx
    push r12
    pop rdx
    pop rdi
    dec rcx
    jnz loop
