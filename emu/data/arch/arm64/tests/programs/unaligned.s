// An exclusive load from an address that is not 8-aligned: an alignment fault, which Linux
// (and qemu-aarch64) deliver as SIGBUS: exit status 135, nothing on stdout.
    .globl _start
    .text
_start:
    adrp    x0, m
    add     x0, x0, :lo12:m
    add     x0, x0, #4
    ldaxr   x1, [x0]
    mov     x0, #0
    mov     x8, #93
    svc     #0

    .data
    .balign 16
m:
    .zero   16
