/* The block scoreboard of emu/timing/scoreboard.py, in C: the same algorithm, the same
 * double arithmetic in the same order, so both give identical cycle counts (tested).
 *
 * Why C: `--cycles` prices every distinct block of a run by issuing it ITERATIONS times
 * through the pipeline model; in Python that is ~300 instruction issues per block at a few
 * microseconds each, which made `--cycles` cost several times the run itself on a Go test
 * binary (16,000 distinct blocks).
 *
 * Registers and ports arrive as small integers (the caller numbers those of one block);
 * a port of -1 is "none". flags: bit 0 serialize, bit 2 has an update latency. Which
 * registers an instruction waits for, and how early, is resolved by the caller (a predicted
 * branch waits only for a counter it updates itself). */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SB_SERIALIZE 1
#define SB_UPDATE 4
#define SB_EPS 1e-9

typedef struct {
    double *starts, *ends;
    int n, cap;
} sb_port;

static double sb_max(double a, double b) { return a > b ? a : b; }

static int sb_grow(sb_port *p) {
    if (p->n < p->cap) return 0;
    int cap = p->cap ? p->cap * 2 : 16;
    double *s = realloc(p->starts, cap * sizeof(double));
    if (!s) return -1;
    p->starts = s;
    double *e = realloc(p->ends, cap * sizeof(double));
    if (!e) return -1;
    p->ends = e;
    p->cap = cap;
    return 0;
}

/* bisect_right over starts / bisect_left over ends, as Python's bisect module. */
static int sb_bisect_right(const double *a, int n, double x) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (x < a[mid]) hi = mid; else lo = mid + 1;
    }
    return lo;
}

static int sb_bisect_left(const double *a, int n, double x) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (a[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static double sb_gap(const sb_port *p, double earliest, double length) {
    double start = earliest;
    int first = sb_bisect_right(p->starts, p->n, earliest) - 1;
    if (first < 0) first = 0;
    for (int i = first; i < p->n; i++) {
        if (p->ends[i] <= start + SB_EPS) continue;
        if (p->starts[i] >= start + length - SB_EPS) break;
        start = p->ends[i];
    }
    return start;
}

static int sb_reserve(sb_port *p, double start, double end) {
    int first = sb_bisect_left(p->ends, p->n, start - SB_EPS);
    int last = sb_bisect_right(p->starts, p->n, end + SB_EPS);
    if (first < last) {
        if (p->starts[first] < start) start = p->starts[first];
        if (p->ends[last - 1] > end) end = p->ends[last - 1];
    } else if (sb_grow(p)) {
        return -1;
    }
    /* replace [first, last) by one interval */
    int tail = p->n - last;
    memmove(p->starts + first + 1, p->starts + last, tail * sizeof(double));
    memmove(p->ends + first + 1, p->ends + last, tail * sizeof(double));
    p->starts[first] = start;
    p->ends[first] = end;
    p->n = first + 1 + tail;
    return 0;
}

typedef struct {
    int *used;
    int cap;
} sb_cycles;

static double sb_in_order_slot(sb_cycles *c, double start, int width, int *error) {
    long cycle = (long)ceil(start - SB_EPS);
    if (cycle < 0) cycle = 0; /* starts are never negative */
    for (;; cycle++) {
        if (cycle >= c->cap) {
            int cap = c->cap ? c->cap : 64;
            while (cap <= cycle) cap *= 2;
            int *u = realloc(c->used, cap * sizeof(int));
            if (!u) { *error = 1; return start; }
            memset(u + c->cap, 0, (cap - c->cap) * sizeof(int));
            c->used = u;
            c->cap = cap;
        }
        if (c->used[cycle] < width) break;
    }
    c->used[cycle]++;
    return (double)cycle;
}

/* Steady-state cycles per execution, before the issue-width floor (which the caller applies);
 * negative on allocation failure. Per instruction (scoreboard.py's _Step): regs holds its
 * waits, then its late reads, then its writes, then its address writes (counts in nwaits,
 * nlate, nwrites, naddr); advance holds one value per wait (how early it may be read); bufs
 * holds its single-buffer ports (count in nbuf); slots its dispatch slots. */
double sb_block_cost(int n, const int *port, const double *latency, const double *rthroughput,
                     const double *update_latency, const int *flags, const int *slots,
                     const int *nwaits, const int *nlate, const int *nwrites, const int *naddr,
                     const int *regs, const double *advance, const int *nbuf, const int *bufs,
                     int nregs, int nports, int issue_width, int in_order, int loops, int iterations) {
    double *ready = calloc(nregs ? nregs : 1, sizeof(double));
    char *known = calloc(nregs ? nregs : 1, 1);
    sb_port *ports = calloc(nports ? nports : 1, sizeof(sb_port));
    double *buffer_free = calloc(nports ? nports : 1, sizeof(double));
    double *ends = calloc(iterations, sizeof(double));
    sb_cycles cycles = {0, 0};
    int error = !ready || !known || !ports || !buffer_free || !ends;
    long slot = 0;
    double last_start = 0.0, fence = 0.0, drained = 0.0, latest = 0.0;
    for (int it = 0; it < iterations && !error; it++) {
        if (!loops) {
            double base = sb_max((double)slot / issue_width, fence);
            for (int r = 0; r < nregs; r++)
                if (known[r]) ready[r] = base;
        }
        const int *reg = regs, *buf = bufs;
        const double *adv = advance;
        double iteration_latest = -INFINITY;
        for (int i = 0; i < n; i++) {
            double dispatch = (double)slot / issue_width;
            if (nbuf[i]) {
                for (int k = 0; k < nbuf[i]; k++) dispatch = sb_max(dispatch, buffer_free[buf[k]]);
                long need = (long)ceil(dispatch * issue_width - SB_EPS);
                if (need > slot) slot = need;
            }
            slot += slots[i];
            double start = sb_max(dispatch, fence);
            for (int k = 0; k < nwaits[i]; k++)
                start = sb_max(start, (known[reg[k]] ? ready[reg[k]] : 0.0) - adv[k]);
            reg += nwaits[i];
            adv += nwaits[i];
            if (flags[i] & SB_SERIALIZE) start = sb_max(start, drained);
            if (port[i] >= 0) start = sb_gap(&ports[port[i]], start, rthroughput[i]);
            if (in_order) start = sb_in_order_slot(&cycles, sb_max(start, last_start), issue_width, &error);
            for (int k = 0; k < nbuf[i]; k++) buffer_free[buf[k]] = start;
            buf += nbuf[i];
            if (port[i] >= 0 && sb_reserve(&ports[port[i]], start, start + rthroughput[i])) error = 1;
            double done = start + latency[i];
            for (int k = 0; k < nlate[i]; k++) done = sb_max(done, known[reg[k]] ? ready[reg[k]] : 0.0);
            reg += nlate[i];
            for (int k = 0; k < nwrites[i]; k++) { ready[reg[k]] = done; known[reg[k]] = 1; }
            reg += nwrites[i];
            double updated = start + ((flags[i] & SB_UPDATE) ? update_latency[i] : latency[i]);
            for (int k = 0; k < naddr[i]; k++) { ready[reg[k]] = updated; known[reg[k]] = 1; }
            reg += naddr[i];
            drained = sb_max(drained, done);
            if (flags[i] & SB_SERIALIZE) fence = done;
            last_start = start;
            iteration_latest = sb_max(iteration_latest, start);
        }
        latest = sb_max(latest, iteration_latest);
        ends[it] = latest;
    }
    int half = iterations / 2;
    double result = error ? -1.0 : (ends[iterations - 1] - ends[half - 1]) / (iterations - half);
    for (int p = 0; p < nports; p++) { free(ports[p].starts); free(ports[p].ends); }
    free(ports); free(buffer_free); free(ready); free(known); free(ends); free(cycles.used);
    return result;
}
