/*
 * Host unit tests for lib/alloc: contract edges, alignment, a long
 * randomized run checked against a shadow model, exhaustion, coalescing,
 * fragmentation, and misuse detection (in child processes).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pith/alloc.h>
#include <pith/err.h>
#include <pith/plat.h>

#include "../../tests/unit.h"

/* What lib/alloc needs of the platform, on the host. */
void plat_console_write(const char *buf, size_t len)
{
    fwrite(buf, 1, len, stderr);
}

void plat_abort(void)
{
    abort();
}

/* Block header of a large allocation (see alloc.c): used to predict the
 * largest allocation an empty heap can hold. */
#define BLOCK_HDR 16

static uint8_t *region;
static size_t region_size;

static uint8_t *new_region(size_t size)
{
    if (region)
        munmap(region, region_size);
    region = mmap(NULL, size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    region_size = size;
    /* The allocator must not count on a zero-filled region. */
    memset(region, 0xa5, size);
    return region;
}

static struct alloc_stats stats(void)
{
    struct alloc_stats st;
    alloc_stats(&st);
    return st;
}

static int in_region(const void *p, size_t n)
{
    const uint8_t *q = p;
    return q >= region && q <= region + region_size &&
           n <= (size_t)(region + region_size - q);
}

/* xorshift64*: fixed seeds make every run the same. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* ---- Patterns ---------------------------------------------------------- */

/* Byte i of a block is byte i % 8 of word i / 8 of the pattern, so that
 * any prefix of a block holds the prefix of its pattern. */
static void fill(void *p, size_t n, uint64_t id)
{
    uint64_t *w = p, s = id * 0x9e3779b97f4a7c15ull;
    uint8_t *b = p;
    size_t i;

    for (i = 0; i < n / 8; i++)
        w[i] = s ^ i;
    for (i = n & ~(size_t)7; i < n; i++)
        b[i] = (uint8_t)((s ^ (i / 8)) >> (i % 8 * 8));
}

/* Nonzero when the first (n) bytes at (p) hold the pattern of (id). */
static int check(const void *p, size_t n, uint64_t id)
{
    const uint64_t *w = p;
    const uint8_t *b = p;
    uint64_t s = id * 0x9e3779b97f4a7c15ull, bad = 0;
    size_t i;

    for (i = 0; i < n / 8; i++)
        bad |= w[i] ^ (s ^ i);
    for (i = n & ~(size_t)7; i < n; i++)
        bad |= b[i] ^ (uint8_t)((s ^ (i / 8)) >> (i % 8 * 8));
    return bad == 0;
}

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t acc = 0;
    size_t i;

    for (i = 0; i < n; i++)
        acc |= b[i];
    return acc == 0;
}

/* Frees everything, then checks that the heap is whole again: the one
 * allocation an empty heap can hold succeeds, and the footprint comes back
 * to (f0), its value right after alloc_init(). */
static void check_whole(size_t f0)
{
    struct alloc_stats st = stats();
    size_t most = st.heap_size - f0 - BLOCK_HDR;
    void *p;

    T_CHECKF(st.in_use == 0, "in_use %zu", st.in_use);
    T_CHECK(st.allocs == st.frees);
    p = alloc_malloc(most);
    T_CHECKF(p != NULL, "malloc(%zu) of an empty heap failed", most);
    T_CHECK(alloc_malloc(16) == NULL); /* nothing left at all */
    alloc_free(p);
    st = stats();
    T_CHECKF(st.footprint == f0, "footprint %zu, %zu after init", st.footprint,
             f0);
    p = alloc_malloc(most + 16);
    T_CHECK(p == NULL);
}

/* ---- Tests ------------------------------------------------------------- */

/* Must run first: nothing has called alloc_init() yet. */
static void test_before_init(void)
{
    struct alloc_stats st;

    memset(&st, 0xff, sizeof st);
    T_CHECK(alloc_malloc(10) == NULL);
    T_CHECK(alloc_malloc(0) == NULL);
    T_CHECK(alloc_calloc(1, 1) == NULL);
    T_CHECK(alloc_realloc(NULL, 10) == NULL);
    T_CHECK(alloc_aligned(64, 10) == NULL);
    alloc_free(NULL);
    alloc_stats(&st);
    T_CHECK(st.heap_size == 0 && st.in_use == 0 && st.allocs == 0 &&
            st.failures == 0 && st.footprint == 0);
}

static void test_init_errors(void)
{
    uint8_t *r = new_region(1 << 20);
    void *p;

    T_CHECK(alloc_init(NULL, 1 << 20) == PITH_EINVAL);
    T_CHECK(alloc_init(r + 8, (1 << 20) - 8) == PITH_EINVAL);
    T_CHECK(alloc_init(r + 1, (1 << 20) - 1) == PITH_EINVAL);
    T_CHECK(alloc_init(r, ALLOC_MIN_REGION - 16) == PITH_EINVAL);
    T_CHECK(alloc_init(r, 0) == PITH_EINVAL);
    T_CHECK(alloc_init((void *)(UINTPTR_MAX & ~(uintptr_t)15), 1 << 20) ==
            PITH_EINVAL);
    T_CHECK(alloc_malloc(1) == NULL); /* still not initialised */

    T_CHECK(alloc_init(r, ALLOC_MIN_REGION) == PITH_OK);
    T_CHECK(stats().heap_size == ALLOC_MIN_REGION);
    p = alloc_malloc(100);
    T_CHECK(p != NULL && in_region(p, 100));
    alloc_free(p);
    p = alloc_malloc(20000);
    T_CHECK(p != NULL && in_region(p, 20000));
    alloc_free(p);

    /* A 16-byte aligned base and an odd size are fine. */
    T_CHECK(alloc_init(r + 16, (1 << 20) - 16 - 5) == PITH_OK);
    T_CHECK(stats().heap_size == (1 << 20) - 16 - 5);
    check_whole(stats().footprint);

    /* A failed alloc_init() keeps the heap it had. */
    p = alloc_malloc(32);
    T_CHECK(p != NULL);
    T_CHECK(alloc_init(r + 8, 1 << 19) == PITH_EINVAL);
    T_CHECK(stats().in_use == 32);
    alloc_free(p);
}

static void test_alignment(void)
{
    static void *ps[4096];
    size_t n, i, k = 0, align;

    T_CHECK(alloc_init(new_region(64 << 20), 64 << 20) == PITH_OK);
    for (n = 0; n <= 5000; n += (n < 300 ? 1 : 37)) {
        ps[k] = alloc_malloc(n);
        T_CHECKF(ps[k] && (uintptr_t)ps[k] % 16 == 0, "malloc(%zu)", n);
        memset(ps[k], 0x11, n);
        k++;
        ps[k] = alloc_calloc(1, n);
        T_CHECKF(ps[k] && (uintptr_t)ps[k] % 16 == 0, "calloc(%zu)", n);
        T_CHECK(all_zero(ps[k], n));
        memset(ps[k], 0x22, n);
        k++;
    }
    for (align = 1; align <= 8192; align *= 2) {
        static const size_t sizes[] = {0, 1, 15, 16, 100, 2048, 3000, 70000};
        for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            void *p = alloc_aligned(align, sizes[i]);
            size_t want = align < 16 ? 16 : align;
            T_CHECKF(p && (uintptr_t)p % want == 0,
                     "aligned_alloc(%zu, %zu) = %p", align, sizes[i], p);
            memset(p, 0x33, sizes[i]);
            ps[k++] = p;
        }
    }
    T_CHECK(k < sizeof ps / sizeof ps[0]);
    T_CHECK(stats().failures == 0);
    /* Bad alignments are refused, and are not failures for lack of
     * memory. */
    T_CHECK(alloc_aligned(0, 16) == NULL);
    T_CHECK(alloc_aligned(24, 16) == NULL);
    T_CHECK(alloc_aligned(4097, 16) == NULL);
    T_CHECK(stats().failures == 0);
    while (k)
        alloc_free(ps[--k]);
    T_CHECK(stats().in_use == 0);
}

static void test_small(void)
{
    static void *ps[2049];
    size_t f0, n;
    void *a, *b, *p, *q;
    struct alloc_stats st;

    T_CHECK(alloc_init(new_region(8 << 20), 8 << 20) == PITH_OK);
    f0 = stats().footprint;

    /* malloc(0): unique, non-NULL, freeable, 0 bytes in use. */
    a = alloc_malloc(0);
    b = alloc_malloc(0);
    T_CHECK(a && b && a != b);
    st = stats();
    T_CHECK(st.in_use == 0 && st.allocs == 2);
    alloc_free(a);
    alloc_free(b);
    a = alloc_calloc(0, 5);
    b = alloc_calloc(5, 0);
    T_CHECK(a && b && a != b);
    alloc_free(a);
    alloc_free(b);

    /* Every size up to and a little past the slab limit. */
    for (n = 0; n <= 2048; n++) {
        ps[n] = alloc_malloc(n);
        T_CHECKF(ps[n] != NULL, "malloc(%zu)", n);
        fill(ps[n], n, n);
    }
    st = stats();
    T_CHECK(st.in_use == 2048 * 2049 / 2);
    for (n = 0; n <= 2048; n++) {
        T_CHECKF(check(ps[n], n, n), "malloc(%zu) contents", n);
        alloc_free(ps[n]);
    }

    /* realloc within a size class stays in place and keeps the bytes. */
    p = alloc_malloc(100);
    fill(p, 100, 7);
    q = alloc_realloc(p, 112);
    T_CHECK(q == p && check(q, 100, 7));
    q = alloc_realloc(q, 97);
    T_CHECK(q == p && check(q, 97, 7));
    T_CHECK(stats().in_use == 97);
    alloc_free(q);

    /* A freed slot comes back with its old bytes; calloc clears them. */
    p = alloc_malloc(64);
    memset(p, 0xee, 64);
    alloc_free(p);
    q = alloc_calloc(8, 8);
    T_CHECK(q == p && all_zero(q, 64));
    alloc_free(q);

    check_whole(f0);
}

/* A block grown in place into the free rest of the heap takes only what
 * it grows by: the footprint's high-water mark never sees the whole rest
 * (it did, for a moment, inside realloc). */
static void test_realloc_footprint(void)
{
    void *p, *q;
    size_t n;

    T_CHECK(alloc_init(new_region(16 << 20), 16 << 20) == PITH_OK);
    p = alloc_malloc(64 << 10);
    T_CHECK(p != NULL);
    for (n = 65 << 10; n < (1 << 20); n += 1 << 10) {
        q = alloc_realloc(p, n);
        T_CHECK(q != NULL);
        p = q;
    }
    T_CHECKF(stats().footprint_high_water < (2 << 20),
             "footprint high water %zu after growing to 1 MiB",
             stats().footprint_high_water);
    alloc_free(p);
}

static void test_realloc(void)
{
    size_t f0, n, prev;
    void *p, *q, *r;

    T_CHECK(alloc_init(new_region(16 << 20), 16 << 20) == PITH_OK);
    f0 = stats().footprint;

    /* Grow from a slab slot to large blocks, then shrink back. */
    p = alloc_malloc(1);
    fill(p, 1, 99);
    prev = 1;
    for (n = 3; n < (4 << 20); n = n * 3 + 1) {
        p = alloc_realloc(p, n);
        T_CHECKF(p && (uintptr_t)p % 16 == 0, "realloc to %zu", n);
        T_CHECKF(check(p, prev, 99), "grow to %zu", n);
        fill(p, n, 99);
        prev = n;
        T_CHECK(stats().in_use == n);
    }
    for (; n > 1; n /= 5) {
        p = alloc_realloc(p, n);
        T_CHECKF(p != NULL, "realloc to %zu", n);
        T_CHECKF(check(p, n < prev ? n : prev, 99), "shrink to %zu", n);
        fill(p, n, 99);
        prev = n;
        T_CHECK(stats().in_use == n);
    }

    /* A large block grows in place into the free block above it. */
    q = alloc_malloc(10000);
    r = alloc_malloc(10000);
    fill(q, 10000, 5);
    alloc_free(r);
    r = alloc_realloc(q, 19000);
    T_CHECK(r == q && check(r, 10000, 5));
    r = alloc_realloc(r, 5000);
    T_CHECK(r == q && check(r, 5000, 5));

    /* realloc(p, 0) frees and returns NULL; realloc(NULL, n) allocates. */
    T_CHECK(alloc_realloc(r, 0) == NULL);
    T_CHECK(alloc_realloc(p, 0) == NULL);
    p = alloc_realloc(NULL, 300);
    T_CHECK(p != NULL);
    T_CHECK(stats().in_use == 300);
    alloc_free(p);

    /* A realloc that cannot be met leaves the block alone. */
    p = alloc_malloc(3000);
    fill(p, 3000, 6);
    T_CHECK(alloc_realloc(p, 32 << 20) == NULL);
    T_CHECK(check(p, 3000, 6) && stats().in_use == 3000);
    T_CHECK(stats().failures == 1);
    alloc_free(p);

    check_whole(f0);
}

/* The long run against a model. */
struct live {
    uint8_t *p;
    size_t n;
    uint64_t id;
};

static int by_addr(const void *a, const void *b)
{
    const struct live *x = a, *y = b;
    return x->p < y->p ? -1 : x->p > y->p;
}

static size_t random_size(void)
{
    uint64_t r = rnd() % 1000;

    if (r < 700)
        return rnd() % 257;
    if (r < 900)
        return 257 + rnd() % (2048 - 256);
    if (r < 980)
        return 2049 + rnd() % (16384 - 2048);
    if (r < 997)
        return 16385 + rnd() % (65536 - 16384);
    return 65537 + rnd() % (262144 - 65536 + 1);
}

#define SLOTS 2000

static void no_overlap(const struct live *slots, struct live *tmp)
{
    size_t i, k = 0;

    for (i = 0; i < SLOTS; i++) {
        if (slots[i].p)
            tmp[k++] = slots[i];
    }
    qsort(tmp, k, sizeof *tmp, by_addr);
    for (i = 0; i < k; i++) {
        size_t n = tmp[i].n ? tmp[i].n : 1;
        T_CHECK(in_region(tmp[i].p, n));
        if (i + 1 < k)
            T_CHECKF(tmp[i].p + n <= tmp[i + 1].p,
                     "blocks %p+%zu and %p overlap", (void *)tmp[i].p, tmp[i].n,
                     (void *)tmp[i + 1].p);
    }
}

static void test_random(void)
{
    static struct live slots[SLOTS], tmp[SLOTS];
    size_t sum = 0, max = 0, nlive = 0, f0, fails = 0, op, i;
    uint64_t next_id = 1;
    struct alloc_stats st;

    T_CHECK(alloc_init(new_region(64 << 20), 64 << 20) == PITH_OK);
    f0 = stats().footprint;
    rng_state = 0x1234567887654321ull;
    memset(slots, 0, sizeof slots);

    for (op = 0; op < 200000; op++) {
        struct live *s = &slots[rnd() % SLOTS];
        uint64_t r = rnd() % 100;
        size_t n = random_size();
        uint8_t *p;

        if (!s->p) {
            if (r < 55) {
                p = alloc_malloc(n);
            } else if (r < 80) {
                size_t m = 1 + rnd() % 8;
                p = alloc_calloc(m, n / m);
                n = n / m * m;
                T_CHECKF(!p || all_zero(p, n), "calloc(%zu) not zero", n);
            } else if (r < 90) {
                size_t align = (size_t)16 << (rnd() % 9);
                p = alloc_aligned(align, n);
                T_CHECK((uintptr_t)p % align == 0);
            } else {
                p = alloc_realloc(NULL, n);
            }
            if (!p) {
                fails++;
            } else {
                s->p = p;
                s->n = n;
                s->id = next_id++;
                fill(p, n, s->id);
                sum += n;
                nlive++;
            }
        } else if (r < 50) {
            T_CHECKF(check(s->p, s->n, s->id), "block %llu damaged",
                     (unsigned long long)s->id);
            alloc_free(s->p);
            sum -= s->n;
            nlive--;
            s->p = NULL;
        } else {
            T_CHECKF(check(s->p, s->n, s->id), "block %llu damaged",
                     (unsigned long long)s->id);
            if (r < 53)
                n = 0;
            p = alloc_realloc(s->p, n);
            if (n == 0) {
                T_CHECK(p == NULL);
                sum -= s->n;
                nlive--;
                s->p = NULL;
            } else if (!p) {
                fails++;
            } else {
                size_t keep = n < s->n ? n : s->n;
                T_CHECKF(check(p, keep, s->id), "realloc lost bytes of %llu",
                         (unsigned long long)s->id);
                sum = sum - s->n + n;
                s->p = p;
                s->n = n;
                s->id = next_id++;
                fill(p, n, s->id);
            }
        }
        if (sum > max)
            max = sum;
        if (s->p)
            T_CHECK((uintptr_t)s->p % 16 == 0);
        st = stats();
        T_CHECKF(st.in_use == sum, "op %zu: in_use %zu, model %zu", op,
                 st.in_use, sum);
        T_CHECKF(st.high_water == max, "op %zu: high_water %zu, model %zu", op,
                 st.high_water, max);
        T_CHECK(st.allocs - st.frees == nlive);
        T_CHECK(st.failures == fails);
        T_CHECK(st.footprint >= st.in_use && st.footprint <= st.heap_size);
        if (op % 10000 == 0)
            no_overlap(slots, tmp);
    }
    no_overlap(slots, tmp);
    st = stats();
    T_CHECK(st.footprint_high_water >= st.high_water);
    for (i = 0; i < SLOTS; i++) {
        if (slots[i].p) {
            T_CHECK(check(slots[i].p, slots[i].n, slots[i].id));
            alloc_free(slots[i].p);
        }
    }
    T_CHECK(stats().in_use == 0);
    T_CHECK(stats().high_water == max);
    check_whole(f0);
}

static void test_exhaustion(void)
{
    static void *ps[4096];
    static size_t ns[4096];
    static uint64_t ids[4096];
    uint64_t id = 0;
    size_t f0, k = 0, i, j, round;
    struct alloc_stats st;
    void *p;

    T_CHECK(alloc_init(new_region(1 << 20), 1 << 20) == PITH_OK);
    f0 = stats().footprint;

    /* Fill the heap with 1000-byte slots, then with 3000-byte blocks. */
    while ((p = alloc_malloc(1000)) != NULL && k < 4096)
        ps[k++] = p;
    st = stats();
    T_CHECK(st.failures == 1 && k > 800);
    alloc_free(ps[--k]);
    p = alloc_malloc(1000);
    T_CHECK(p != NULL);
    ps[k++] = p;
    T_CHECK(alloc_malloc(1000) == NULL);
    T_CHECK(stats().failures == 2);
    while (k)
        alloc_free(ps[--k]);
    while ((p = alloc_malloc(3000)) != NULL && k < 4096)
        ps[k++] = p;
    T_CHECK(stats().failures == 3 && k > 300);
    while (k)
        alloc_free(ps[--k]);
    check_whole(f0);

    /* Requests no heap can meet. */
    st = stats();
    T_CHECK(alloc_malloc(SIZE_MAX) == NULL);
    T_CHECK(alloc_malloc(SIZE_MAX / 2) == NULL);
    T_CHECK(alloc_calloc(SIZE_MAX / 2 + 1, 2) == NULL);
    T_CHECK(alloc_calloc(1 << 16, 1 << 16) == NULL);
    T_CHECK(alloc_aligned((size_t)1 << 40, 16) == NULL);
    T_CHECK(alloc_aligned(1 << 20, 16) == NULL);
    T_CHECK(stats().failures == st.failures + 6);

    /* Random sizes until the heap runs out, then free a random half, many
     * times over; the survivors keep their contents. */
    rng_state = 42;
    for (round = 0; round < 20; round++) {
        while (k < 4096) {
            size_t n = random_size() / 4;
            if (!(p = alloc_malloc(n)))
                break;
            ps[k] = p;
            ns[k] = n;
            ids[k] = ++id;
            fill(p, n, id);
            k++;
        }
        T_CHECK(k < 4096);
        for (i = 0, j = 0; i < k; i++) {
            T_CHECK(check(ps[i], ns[i], ids[i]));
            if (rnd() & 1) {
                alloc_free(ps[i]);
            } else {
                ps[j] = ps[i];
                ns[j] = ns[i];
                ids[j++] = ids[i];
            }
        }
        k = j;
        p = alloc_malloc(100);
        T_CHECK(p != NULL);
        alloc_free(p);
    }
    while (k)
        alloc_free(ps[--k]);
    check_whole(f0);
}

static void test_fragmentation(void)
{
    static void *a[1000], *b[1000], *c[1000];
    static void *small[30000];
    size_t f0, f_full, f_holes, i, k;
    struct alloc_stats st;

    T_CHECK(alloc_init(new_region(16 << 20), 16 << 20) == PITH_OK);
    f0 = stats().footprint;

    /* Alternate 3000- and 5000-byte blocks, free the 5000s: the holes
     * take 4000-byte blocks without the heap growing. */
    for (i = 0; i < 1000; i++) {
        a[i] = alloc_malloc(3000);
        b[i] = alloc_malloc(5000);
        T_CHECK(a[i] && b[i]);
    }
    f_full = stats().footprint;
    for (i = 0; i < 1000; i++)
        alloc_free(b[i]);
    f_holes = stats().footprint;
    T_CHECK(f_holes < f_full - 1000 * 5000);
    for (i = 0; i < 1000; i++) {
        c[i] = alloc_malloc(4000);
        T_CHECK(c[i] != NULL);
    }
    st = stats();
    T_CHECKF(st.footprint <= f_full, "footprint %zu > %zu", st.footprint,
             f_full);
    /* A block larger than any hole comes from the top. */
    b[0] = alloc_malloc(6 << 20);
    T_CHECK(b[0] != NULL);
    alloc_free(b[0]);
    for (i = 0; i < 1000; i++) {
        alloc_free(a[i]);
        alloc_free(c[i]);
    }
    check_whole(f0);

    /* Slabs: mixed small sizes, then free all but every 500th; the empty
     * slabs go back to the free blocks. */
    rng_state = 7;
    for (i = 0; i < 30000; i++) {
        small[i] = alloc_malloc(rnd() % 513);
        T_CHECK(small[i] != NULL);
    }
    f_full = stats().footprint;
    for (i = 0, k = 0; i < 30000; i++) {
        if (i % 500)
            alloc_free(small[i]);
        else
            small[k++] = small[i];
    }
    st = stats();
    T_CHECKF(st.footprint < f0 + (f_full - f0) / 4,
             "footprint %zu of %zu after freeing most small objects",
             st.footprint, f_full);
    /* The space comes back for large blocks. */
    b[0] = alloc_malloc((f_full - f0) / 2);
    T_CHECK(b[0] != NULL);
    alloc_free(b[0]);
    while (k)
        alloc_free(small[--k]);
    check_whole(f0);
}

/* Runs (fn) in a child with stderr in a pipe; checks that it aborts and
 * prints a line with (what). */
static void expect_abort(void (*fn)(void), const char *what)
{
    int fds[2], status = 0;
    char out[1024];
    size_t len = 0;
    ssize_t r;
    pid_t pid;

    if (pipe(fds) != 0) {
        T_CHECK(!"pipe");
        return;
    }
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        fn();
        _exit(0);
    }
    close(fds[1]);
    while (len < sizeof out - 1 &&
           (r = read(fds[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = 0;
    close(fds[0]);
    waitpid(pid, &status, 0);
    T_CHECKF(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
             "%s: child status %#x", what, status);
    T_CHECKF(strncmp(out, "pith: alloc: ", 13) == 0 && strstr(out, what) &&
                 strstr(out, " (alloc.c:"),
             "expected \"%s\", got \"%s\"", what, out);
}

static void free_outside(void)
{
    int x;
    alloc_free(&x);
}

static void free_misaligned(void)
{
    alloc_free((uint8_t *)alloc_malloc(64) + 8);
}

static void free_inside_slot(void)
{
    alloc_free((uint8_t *)alloc_malloc(64) + 16);
}

static void free_inside_block(void)
{
    alloc_free((uint8_t *)alloc_calloc(1, 10000) + 4096);
}

static void free_slot_twice(void)
{
    void *p = alloc_malloc(100);
    alloc_malloc(100); /* keeps the slab in use */
    alloc_free(p);
    alloc_free(p);
}

static void free_block_twice(void)
{
    void *p = alloc_malloc(10000);
    alloc_free(p);
    alloc_free(p);
}

static void free_merged_block_twice(void)
{
    void *p = alloc_malloc(10000), *q = alloc_malloc(10000);
    alloc_malloc(10000);
    alloc_free(p);
    alloc_free(q); /* merges into p's free block */
    alloc_free(q);
}

static void realloc_freed(void)
{
    void *p = alloc_malloc(5000);
    alloc_free(p);
    alloc_realloc(p, 6000);
}

static void free_heap_start(void)
{
    alloc_free(region + 4096);
}

static void test_misuse(void)
{
    T_CHECK(alloc_init(new_region(1 << 20), 1 << 20) == PITH_OK);
    expect_abort(free_outside, "free of a pointer outside the heap");
    expect_abort(free_misaligned, "free of a pointer that is not an");
    expect_abort(free_inside_slot, "free of a pointer that is not an");
    expect_abort(free_inside_block, "free of a pointer that is not an");
    expect_abort(free_slot_twice, "free of a pointer already freed");
    expect_abort(free_block_twice, "free of a pointer already freed");
    expect_abort(free_merged_block_twice, "free of a pointer already freed");
    expect_abort(realloc_freed, "realloc of a pointer already freed");
    expect_abort(free_heap_start, "free of a pointer outside the heap");
    /* The parent's heap is untouched by its children. */
    T_CHECK(stats().allocs == 0);
}

int main(void)
{
    T_RUN(test_before_init);
    T_RUN(test_init_errors);
    T_RUN(test_alignment);
    T_RUN(test_small);
    T_RUN(test_realloc);
    T_RUN(test_realloc_footprint);
    T_RUN(test_random);
    T_RUN(test_exhaustion);
    T_RUN(test_fragmentation);
    T_RUN(test_misuse);
    return t_done();
}
