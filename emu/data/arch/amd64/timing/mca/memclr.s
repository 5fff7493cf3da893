# memclr: one `rep stosq` iteration per 8 bytes, runtime_asm/amd64/runtime.s
.intel_syntax noprefix
    rep stosq
