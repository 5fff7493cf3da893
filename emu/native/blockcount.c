/* emu block counter: unicorn C hooks that count basic-block executions per
 * (thread, block), end a slice after an instruction budget (deterministic
 * slicing without unicorn's per-instruction `count=`), and optionally run a
 * set-associative LRU cache model on guest loads and stores.
 *
 * Loaded through ctypes; hook functions are registered with the binding's
 * `uc_hook_add` by address. emu/native/counter.py holds a pure-Python twin
 * of every rule here and must stay identical in results.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t addr, count, self, penalty, partial;
    uint32_t tid, ninsns, used, pad;
} bc_slot;

typedef int (*bc_new_fn)(uint64_t addr, uint32_t size);
typedef int (*bc_stop_fn)(void *uc);

typedef struct {
    uint64_t sets, ways, line_shift, penalty, accesses, misses;
    uint64_t *tags, *stamps; /* stamp 0 = empty way */
} bc_level;

typedef struct {
    bc_slot *slots;
    uint64_t cap, nused, executed, budget, last_addr, clock, short_by;
    uint64_t short_addr, short_size, head_left; /* the block cut by the budget; its head to run */
    int64_t cur, short_slot;
    uint32_t tid, has_last, nlevels, suspended;
    int32_t error;
    bc_new_fn on_new;
    bc_stop_fn stop;
    bc_level levels[4];
} bc_ctx;

static uint64_t bc_hash(uint64_t addr, uint32_t tid) {
    uint64_t h = (addr ^ ((uint64_t)tid << 40)) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

static int64_t bc_find(bc_ctx *c, uint64_t addr, uint32_t tid) {
    uint64_t mask = c->cap - 1, i = bc_hash(addr, tid) & mask;
    while (c->slots[i].used) {
        if (c->slots[i].addr == addr && c->slots[i].tid == tid) return (int64_t)i;
        i = (i + 1) & mask;
    }
    return -1 - (int64_t)i; /* free slot where it would go */
}

static int bc_grow(bc_ctx *c) {
    bc_slot *old = c->slots;
    uint64_t oldcap = c->cap;
    bc_slot *fresh = calloc(oldcap * 2, sizeof(bc_slot));
    if (!fresh) return -1;
    c->slots = fresh;
    c->cap = oldcap * 2;
    for (uint64_t i = 0; i < oldcap; i++) {
        if (!old[i].used) continue;
        int64_t at = bc_find(c, old[i].addr, old[i].tid);
        c->slots[-1 - at] = old[i];
    }
    free(old);
    return 0;
}

bc_ctx *bc_new(void) {
    bc_ctx *c = calloc(1, sizeof(bc_ctx));
    if (!c) return NULL;
    c->cap = 1024;
    c->slots = calloc(c->cap, sizeof(bc_slot));
    c->budget = UINT64_MAX;
    c->cur = -1;
    c->short_slot = -1;
    return c;
}

void bc_free(bc_ctx *c) {
    if (!c) return;
    for (uint32_t l = 0; l < c->nlevels; l++) {
        free(c->levels[l].tags);
        free(c->levels[l].stamps);
    }
    free(c->slots);
    free(c);
}

void bc_set_callbacks(bc_ctx *c, bc_new_fn on_new, bc_stop_fn stop) { c->on_new = on_new; c->stop = stop; }
void bc_set_budget(bc_ctx *c, uint64_t budget) {
    c->budget = budget;
    c->short_by = 0;
    c->short_slot = -1;
}
uint64_t bc_short_by(bc_ctx *c) { return c->short_by; }

uint64_t bc_short_addr(bc_ctx *c) { return c->short_addr; }
uint64_t bc_short_size(bc_ctx *c) { return c->short_size; }

/* Head mode: the block hook does nothing and the code hook (installed on the cut block
 * only) lets exactly `short_by` instructions run, counting each as it starts. */
void bc_begin_head(bc_ctx *c) {
    c->suspended = 1;
    c->head_left = c->short_by;
    c->cur = c->short_slot;
}

void bc_end_head(bc_ctx *c) {
    c->suspended = 0;
    c->head_left = 0;
    c->short_by = 0;
    c->short_slot = -1;
    c->has_last = 0;
}
uint64_t bc_executed(bc_ctx *c) { return c->executed; }
int32_t bc_error(bc_ctx *c) { return c->error; }
uint64_t bc_capacity(bc_ctx *c) { return c->cap; }
bc_slot *bc_slots(bc_ctx *c) { return c->slots; }

void bc_set_thread(bc_ctx *c, uint32_t tid) {
    c->tid = tid;
    c->has_last = 0;
    c->cur = -1;
}

static int64_t bc_insert(bc_ctx *c, int64_t at, uint64_t addr, uint32_t size) {
    int n = c->on_new ? c->on_new(addr, size) : -1;
    if (n < 0) return -1;
    if ((c->nused + 1) * 2 > c->cap) {
        if (bc_grow(c)) return -1;
        at = bc_find(c, addr, c->tid);
    }
    bc_slot *s = &c->slots[-1 - at];
    memset(s, 0, sizeof *s);
    s->addr = addr;
    s->tid = c->tid;
    s->ninsns = (uint32_t)n;
    s->used = 1;
    c->nused++;
    return -1 - at;
}

/* UC_HOOK_BLOCK: check the budget first — a block stopped here does not run and
 * the hook fires again for it on resume, so it must not be counted now. A block
 * that would cross the budget is stopped too, with `short_by` set to the
 * instructions still allowed: the caller runs those in head mode (exact
 * preemption points, also inside blocks). */
void bc_block_hook(void *uc, uint64_t addr, uint32_t size, void *user) {
    bc_ctx *c = user;
    if (c->suspended) return;
    if (c->executed >= c->budget || c->error) {
        c->stop(uc);
        return;
    }
    int64_t i = bc_find(c, addr, c->tid);
    if (i < 0) i = bc_insert(c, i, addr, size);
    if (i < 0) {
        c->error = 1;
        c->stop(uc);
        return;
    }
    bc_slot *s = &c->slots[i];
    if (c->executed + s->ninsns > c->budget) {
        c->short_by = c->budget - c->executed;
        c->short_slot = i;
        c->short_addr = addr;
        c->short_size = size;
        c->stop(uc);
        return;
    }
    s->count++;
    if (c->has_last && c->last_addr == addr) s->self++;
    c->last_addr = addr;
    c->has_last = 1;
    c->cur = i;
    c->executed += s->ninsns;
}

/* UC_HOOK_CODE on the cut block, in head mode: count the instruction about to run, or stop
 * the engine before it once the head is done (unicorn checks for a stop after code hooks). */
void bc_code_hook(void *uc, uint64_t addr, uint32_t size, void *user) {
    bc_ctx *c = user;
    (void)addr; (void)size;
    if (!c->head_left) {
        c->stop(uc);
        return;
    }
    c->head_left--;
    c->executed++;
    if (c->short_slot >= 0) c->slots[c->short_slot].partial++;
}

int bc_add_level(bc_ctx *c, uint64_t size, uint64_t ways, uint64_t line, uint64_t penalty) {
    if (c->nlevels >= 4 || !ways || !line || (line & (line - 1))) return -1;
    bc_level *l = &c->levels[c->nlevels];
    l->sets = size / (ways * line);
    if (!l->sets) return -1;
    l->ways = ways;
    l->line_shift = (uint64_t)__builtin_ctzll(line);
    l->penalty = penalty;
    l->tags = calloc(l->sets * ways, sizeof(uint64_t));
    l->stamps = calloc(l->sets * ways, sizeof(uint64_t));
    if (!l->tags || !l->stamps) return -1;
    c->nlevels++;
    return 0;
}

void bc_level_stats(bc_ctx *c, uint32_t level, uint64_t *accesses, uint64_t *misses) {
    *accesses = c->levels[level].accesses;
    *misses = c->levels[level].misses;
}

/* One level: 1 on hit; on miss fill the least recently used way (lowest index on ties). */
static int bc_touch(bc_level *l, uint64_t line, uint64_t clock) {
    uint64_t set = line % l->sets, *tags = l->tags + set * l->ways, *stamps = l->stamps + set * l->ways;
    uint64_t victim = 0;
    l->accesses++;
    for (uint64_t w = 0; w < l->ways; w++) {
        if (stamps[w] && tags[w] == line) {
            stamps[w] = clock;
            return 1;
        }
        if (stamps[w] < stamps[victim]) victim = w;
    }
    l->misses++;
    tags[victim] = line;
    stamps[victim] = clock;
    return 0;
}

static uint64_t bc_access_line(bc_ctx *c, uint64_t addr) {
    uint64_t penalty = 0;
    c->clock++;
    for (uint32_t k = 0; k < c->nlevels; k++) {
        bc_level *l = &c->levels[k];
        if (bc_touch(l, addr >> l->line_shift, c->clock)) break;
        penalty += l->penalty;
    }
    return penalty;
}

/* UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE: charge misses to the running block. */
void bc_mem_hook(void *uc, int type, uint64_t addr, int size, int64_t value, void *user) {
    bc_ctx *c = user;
    (void)uc; (void)type; (void)value;
    if (!c->nlevels) return;
    uint64_t shift = c->levels[0].line_shift;
    uint64_t first = addr >> shift, last = (addr + (uint64_t)(size > 0 ? size - 1 : 0)) >> shift;
    uint64_t penalty = 0;
    for (uint64_t line = first; line <= last; line++) penalty += bc_access_line(c, line << shift);
    if (c->cur >= 0) c->slots[c->cur].penalty += penalty;
}

/* UC_HOOK_TLB_FILL (unicorn's virtual TLB mode) for an arch whose user addresses end below
 * what the engine accepts: unicorn would alias x86-64 non-canonical addresses to low memory.
 * Identity below `limit`; beyond it the physical page at `limit`, which nothing maps, so the
 * access faults as unmapped, and the page the guest asked for is kept for the report. Only
 * TLB misses reach this hook: C, because a Python one made page-striding copies ~7x slower. */
typedef struct {
    uint64_t paddr;
    int32_t perms;
} bc_tlb_entry;

typedef struct {
    uint64_t limit, refused;
} bc_user_space;

_Bool bc_tlb_fill(void *uc, uint64_t addr, int type, bc_tlb_entry *entry, void *user) {
    bc_user_space *space = user;
    (void)uc;
    (void)type;
    if (addr >= space->limit) {
        space->refused = addr;
        addr = space->limit;
    }
    entry->paddr = addr;
    entry->perms = 7; /* UC_PROT_ALL: the mapping's own protection is still checked */
    return 1;
}
