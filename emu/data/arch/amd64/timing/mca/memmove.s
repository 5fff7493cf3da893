# memmove forward copy: one `rep movsq` iteration per 8 bytes, runtime_asm/amd64/runtime.s
.intel_syntax noprefix
    rep movsq
