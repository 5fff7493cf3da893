"""A toy Go runtime for emu guests, modelled on the seed's proc1.go / malloc.go / mgc.go.

    proc.py        the G/M/P scheduler (goroutines, threads, processors, notes)
    malloc.py      mallocgc: size classes, zeroing, GC programs
    mheap.py       the arena, spans and the heap bitmap
    mgc.py         the mark-sweep collector
    mem.py         sysReserve / sysMap / mmap_fixed / addrspace_free
    chan.py        channels
    hypercalls.py  the guest-visible entry points
    runtime.py     the per-process glue: answering hypercalls between slices, roots, traces
    link.py        assembling a program with the stubs and rt0.s
    check.py       Go's start-up check() through the stubs (`emu check`)

Every operation Go's runtime performs through an assembly stub (atomics, memclr,
gosave/gogo, the sys_* syscalls) runs that stub on the emulated CPU; what Go
does with plain loads and stores is done with plain guest-memory reads and writes.
"""
