// exit_group(42) after a write to stderr: the status (and nothing on stdout) is what qemu gives.
    .globl _start
    .text
_start:
    mov     x0, #2
    adrp    x1, msg
    add     x1, x1, :lo12:msg
    mov     x2, #5
    mov     x8, #64                 // write
    svc     #0
    mov     x0, #42
    mov     x8, #94                 // exit_group
    svc     #0

    .section .rodata
msg:
    .ascii  "bye!\n"
