/*
 * The heap allocator (contract in <pith/alloc.h>).
 *
 * Region layout: [struct alloc_ctl][page map][pad to a page][blocks...][end]
 *
 * Blocks: every byte from ctl->lo to ctl->end belongs to exactly one block.
 * A block starts with a 16-byte header (size and flags, then a meta word)
 * and is a multiple of 16 bytes long. A free block also holds free-list
 * links after its header and its size in its last 8 bytes (the footer),
 * so freeing a block can merge it with both neighbours in O(1); two free
 * blocks are never adjacent. A header-only sentinel at ctl->end, never
 * free, stops the merging at the top.
 *
 * Free blocks sit in TLSF lists (Masmano et al., "TLSF: a new dynamic
 * memory allocator for real-time systems", ECRTS 2004): first level by
 * power of two, second level 16 linear steps within it, one bitmap bit per
 * non-empty list. A request is rounded up to the next list boundary, so
 * the head of the first non-empty list at or above it always fits: O(1),
 * good fit. When no such list exists, the first few blocks of the
 * request's own list are tried before giving up, so that a request for
 * (nearly) the whole heap still finds the one free block that can hold it.
 *
 * Small requests are served from slabs: a slab is a block of one to eight
 * pages, page-aligned, holding equal slots of one size class and a bitmap
 * of free slots. The page map (one byte per page) says which pages belong
 * to a slab, so a pointer finds its slab in O(1) and slot objects carry no
 * header. Keeping free slots in a bitmap rather than a list threaded
 * through the slots means a write after free cannot corrupt the
 * allocator's own state, and makes double frees exact to detect. Each slab
 * keeps one byte per slot for (class size - requested size), which makes
 * in_use exact.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pith/alloc.h>
#include <pith/err.h>
#include <pith/plat.h>

#define PAGE_SHIFT 12
#define PAGE       ((size_t)1 << PAGE_SHIFT)
#define GRAN       ((size_t)ALLOC_ALIGN)
#define HDR        ((size_t)16) /* block header */
#define MIN_BLOCK  ((size_t)48) /* header, two links, footer, rounded */
#define MAX_REGION ((size_t)1 << 46)

#define SL_SHIFT 4
#define SL_COUNT (1u << SL_SHIFT)
#define FL_SHIFT 8  /* blocks below 256 bytes: first level 0, 16-byte steps */
#define FL_COUNT 39 /* blocks below 2^46 bytes */
#define SCAN_MAX 16 /* blocks tried in a request's own list */

/* Low bits of a block's head word; the rest is its size. */
#define B_USED      1u
#define B_PREV_FREE 2u /* the block below is free: its footer is valid */
#define B_SLAB      4u
#define B_FLAGS     ((uint64_t)15)

/* Low 16 bits of a block's meta word. A used block that holds one
 * allocation keeps the size asked for in the bits above. */
#define M_MASK 0xffffu
#define M_USED 0xa10cu
#define M_FREE 0xf4eeu
#define M_SLAB 0x51abu
#define M_END  0xe4d0u

#define NCLS           24
#define SLAB_MAX_PAGES 8
#define SLAB_WORDS     4 /* bitmap words: at most 256 slots a slab */
#define SLAB_MAGIC     0x51ab0c1au

/*
 * The region's bytes are blocks, slabs, footers and user data in turn, so
 * the structures that describe them are read and written through types
 * exempt from type-based alias analysis.
 */
#define ALIAS __attribute__((__may_alias__))

struct ALIAS blk {
    uint64_t head;           /* size | B_* */
    uint64_t meta;           /* M_* | requested size << 16 */
    struct blk *next, *prev; /* free blocks only */
};

typedef uint64_t ALIAS word_t;

/* Lies just after the header of its block, at the start of a page. */
struct ALIAS slab {
    struct slab *next, *prev; /* in its class's list of slabs with room */
    uint64_t freemap[SLAB_WORDS];
    uint32_t magic;
    uint16_t nfree;
    uint8_t cls;
    uint8_t pad;
    /* then one byte a slot: class size - requested size */
};

struct alloc_ctl {
    uintptr_t lo;     /* first block, page-aligned */
    uintptr_t end;    /* the sentinel header */
    uint8_t *pagemap; /* a page from lo: 0, or 1 + its index in its slab */
    uint64_t fl_map;  /* bit fl: sl_map[fl] != 0 */
    uint16_t sl_map[FL_COUNT];
    struct blk *heads[FL_COUNT][SL_COUNT];
    struct slab *partial[NCLS]; /* slabs with free and used slots */
    struct slab *spare[NCLS];   /* one empty slab kept per class */
    uint16_t nslots[NCLS];
    uint16_t slot0[NCLS]; /* offset of the first slot from the slab's block */
    /* ceil(2^32 / class size): offset * recip >> 32 is offset / class
     * size exactly while offset < 2^32 / 2048, far beyond any slab. */
    uint32_t recip[NCLS];
    uint8_t npages[NCLS];
    struct alloc_stats st;
};

static const uint16_t class_size[NCLS] = {
    16,  32,  48,  64,  80,  96,  112, 128,  160,  192,  224,  256,
    320, 384, 448, 512, 640, 768, 896, 1024, 1280, 1536, 1792, 2048,
};

static struct alloc_ctl *ctl;

/* ---- Misuse ---------------------------------------------------------- */

static size_t put(char *buf, size_t n, const char *s)
{
    while (*s && n < 200)
        buf[n++] = *s++;
    return n;
}

__attribute__((noreturn, cold)) static void fail(const char *op,
                                                 const char *what, int line)
{
    char buf[224], digits[12];
    size_t n = 0, d = 0;
    unsigned l = (unsigned)line;

    n = put(buf, n, "pith: alloc: ");
    n = put(buf, n, op);
    n = put(buf, n, what);
    n = put(buf, n, " (alloc.c:");
    do {
        digits[d++] = (char)('0' + l % 10);
        l /= 10;
    } while (l && d < sizeof digits);
    while (d)
        buf[n++] = digits[--d];
    buf[n++] = ')';
    buf[n++] = '\n';
    plat_console_write(buf, n);
    plat_abort();
}

#define FAIL(op, what) fail(op, what, __LINE__)

/* ---- Blocks ------------------------------------------------------------ */

static inline unsigned msb(size_t x)
{
    return 63u - (unsigned)__builtin_clzll((unsigned long long)x);
}

static inline uintptr_t align_up(uintptr_t x, size_t a)
{
    return (x + a - 1) & ~(uintptr_t)(a - 1);
}

static inline size_t bsize(const struct blk *b)
{
    return (size_t)(b->head & ~B_FLAGS);
}

static inline struct blk *at(uintptr_t a)
{
    return (struct blk *)a;
}

static inline struct blk *after(const struct blk *b)
{
    return at((uintptr_t)b + bsize(b));
}

static inline void update_footprint(size_t add, size_t sub)
{
    ctl->st.footprint = ctl->st.footprint + add - sub;
    if (ctl->st.footprint > ctl->st.footprint_high_water)
        ctl->st.footprint_high_water = ctl->st.footprint;
}

/* The footer of the free block below (b). */
static inline uint64_t footer_below(const struct blk *b)
{
    return *(const word_t *)((uintptr_t)b - 8);
}

static void mapping(size_t size, unsigned *fl, unsigned *sl)
{
    if (size < ((size_t)1 << FL_SHIFT)) {
        *fl = 0;
        *sl = (unsigned)(size >> 4);
    } else {
        unsigned m = msb(size);
        *fl = m - (FL_SHIFT - 1);
        *sl = (unsigned)(size >> (m - SL_SHIFT)) & (SL_COUNT - 1);
    }
}

static void list_insert(struct blk *b)
{
    unsigned fl, sl;
    struct blk *h;

    mapping(bsize(b), &fl, &sl);
    h = ctl->heads[fl][sl];
    b->next = h;
    b->prev = NULL;
    if (h)
        h->prev = b;
    ctl->heads[fl][sl] = b;
    ctl->fl_map |= (uint64_t)1 << fl;
    ctl->sl_map[fl] |= (uint16_t)(1u << sl);
}

static void list_remove(struct blk *b)
{
    unsigned fl, sl;

    mapping(bsize(b), &fl, &sl);
    if (b->next)
        b->next->prev = b->prev;
    if (b->prev) {
        b->prev->next = b->next;
    } else {
        ctl->heads[fl][sl] = b->next;
        if (!b->next) {
            ctl->sl_map[fl] &= (uint16_t) ~(1u << sl);
            if (!ctl->sl_map[fl])
                ctl->fl_map &= ~((uint64_t)1 << fl);
        }
    }
}

/* Makes (size) bytes at (b) a free block and files it. Leaves the next
 * block's B_PREV_FREE to the caller. */
static void make_free(struct blk *b, size_t size, uint64_t prev_free)
{
    b->head = size | prev_free;
    b->meta = M_FREE;
    *(word_t *)((uintptr_t)b + size - 8) = size;
    list_insert(b);
}

/* The head of the first list whose blocks all hold (size) bytes. */
static struct blk *search(size_t size)
{
    unsigned fl, sl, slm;

    if (size >= ((size_t)1 << FL_SHIFT))
        size += ((size_t)1 << (msb(size) - SL_SHIFT)) - 1;
    mapping(size, &fl, &sl);
    if (fl >= FL_COUNT)
        return NULL;
    slm = ctl->sl_map[fl] & (~0u << sl);
    if (!slm) {
        uint64_t flm = ctl->fl_map & (~(uint64_t)0 << (fl + 1));
        if (!flm)
            return NULL;
        fl = (unsigned)__builtin_ctzll(flm);
        slm = ctl->sl_map[fl];
    }
    return ctl->heads[fl][__builtin_ctz(slm)];
}

/*
 * Where a block of (size) bytes can start inside free block (b) so that
 * its start plus (off) is a multiple of (align); 0 when it does not fit.
 * A gap left below it must be able to stand as a free block.
 */
static uintptr_t place(const struct blk *b, size_t size, size_t align,
                       size_t off)
{
    uintptr_t s = (uintptr_t)b, a = align_up(s + off, align) - off;

    if (a != s && a - s < MIN_BLOCK)
        a += align;
    return a + size <= s + bsize(b) ? a : 0;
}

/* Turns free block (b), already off its list, into a used block of (size)
 * bytes at (a), freeing what is left on either side. */
static struct blk *carve(struct blk *b, uintptr_t a, size_t size)
{
    uintptr_t s = (uintptr_t)b;
    size_t total = bsize(b);
    uint64_t prev_free = b->head & B_PREV_FREE;
    struct blk *n = at(a);

    if (a != s) {
        make_free(b, a - s, prev_free);
        total -= a - s;
        prev_free = B_PREV_FREE;
    }
    if (total - size >= MIN_BLOCK) {
        make_free(at(a + size), total - size, 0); /* above: B_PREV_FREE */
    } else {
        size = total;
        at(a + size)->head &= ~(uint64_t)B_PREV_FREE;
    }
    n->head = size | prev_free | B_USED;
    update_footprint(size, 0);
    return n;
}

/* A used block of (size) bytes whose address plus (off) is a multiple of
 * (align), or NULL. (size) and (align) are below 2^46. */
static struct blk *take(size_t size, size_t align, size_t off)
{
    size_t want = align > GRAN ? size + align + MIN_BLOCK : size;
    struct blk *b = search(want);
    uintptr_t a = b ? place(b, size, align, off) : 0;

    if (!a) {
        unsigned fl, sl, i;
        mapping(want, &fl, &sl);
        if (fl >= FL_COUNT)
            return NULL;
        b = ctl->heads[fl][sl];
        for (i = 0; b && i < SCAN_MAX; b = b->next, i++) {
            if ((a = place(b, size, align, off)) != 0)
                break;
        }
        if (!a)
            return NULL;
    }
    list_remove(b);
    return carve(b, a, size);
}

/* Frees used block (b), merging it with free neighbours. */
static void release(struct blk *b)
{
    size_t size = bsize(b);
    struct blk *n = after(b);

    update_footprint(0, size);
    b->meta = M_FREE;
    b->head &= ~(uint64_t)B_USED;
    if (!(n->head & B_USED)) {
        list_remove(n);
        size += bsize(n);
    }
    if (b->head & B_PREV_FREE) {
        struct blk *p = at((uintptr_t)b - (size_t)footer_below(b));
        list_remove(p);
        size += bsize(p);
        b = p;
    }
    make_free(b, size, 0);
    after(b)->head |= B_PREV_FREE;
}

/* Cuts used block (b) to (size) bytes when what is left can be freed. */
static void trim(struct blk *b, size_t size)
{
    size_t cur = bsize(b);
    struct blk *t;

    if (cur - size < MIN_BLOCK)
        return;
    b->head = size | (b->head & B_FLAGS);
    t = at((uintptr_t)b + size);
    t->head = (cur - size) | B_USED;
    t->meta = M_USED;
    release(t);
}

/* Grows or shrinks used block (b) in place to (size) bytes; 0 when the
 * block above is not free or not large enough. */
static int resize(struct blk *b, size_t size)
{
    size_t cur = bsize(b);
    struct blk *n = after(b);

    if (size > cur) {
        if ((n->head & B_USED) || cur + bsize(n) < size)
            return 0;
        list_remove(n);
        /* The whole free block joins, then trim() gives back what is not
         * needed: count the join without a high-water mark, so that the
         * mark sees only what stays (a block grown by 16 bytes into the
         * free rest of the heap never "took" all of it). */
        ctl->st.footprint += bsize(n);
        cur += bsize(n);
        b->head = cur | (b->head & B_FLAGS);
        after(b)->head &= ~(uint64_t)B_PREV_FREE;
    }
    trim(b, size);
    update_footprint(0, 0);
    return 1;
}

/* ---- Slabs ------------------------------------------------------------ */

static inline unsigned class_of(size_t n)
{
    size_t m;
    unsigned b;

    if (n <= 128)
        return n ? (unsigned)((n - 1) >> 4) : 0;
    m = n - 1;
    b = msb(m);
    return 8 + (b - 7) * 4 + (unsigned)((m >> (b - 2)) & 3);
}

static inline uint8_t *slack(struct slab *s)
{
    return (uint8_t *)(s + 1);
}

static inline uintptr_t slab_base(const struct slab *s)
{
    return (uintptr_t)s - HDR;
}

static void slab_release(struct slab *s)
{
    struct blk *b = at(slab_base(s));
    size_t pg = (slab_base(s) - ctl->lo) >> PAGE_SHIFT;

    memset(ctl->pagemap + pg, 0, ctl->npages[s->cls]);
    s->magic = 0;
    b->head &= ~(uint64_t)B_SLAB;
    release(b);
}

/* Gives every kept empty slab back to the free blocks; 0 if none was. */
static int flush_spares(void)
{
    int n = 0;
    unsigned c;

    for (c = 0; c < NCLS; c++) {
        if (ctl->spare[c]) {
            slab_release(ctl->spare[c]);
            ctl->spare[c] = NULL;
            n++;
        }
    }
    return n;
}

static struct blk *take_or_flush(size_t size, size_t align, size_t off)
{
    struct blk *b = take(size, align, off);

    if (!b && flush_spares())
        b = take(size, align, off);
    return b;
}

static struct slab *slab_new(unsigned c)
{
    size_t pages = ctl->npages[c], n = ctl->nslots[c], pg, i;
    struct blk *b = take_or_flush(pages << PAGE_SHIFT, PAGE, 0);
    struct slab *s;

    if (!b)
        return NULL;
    b->head |= B_SLAB;
    b->meta = M_SLAB;
    s = (struct slab *)((uintptr_t)b + HDR);
    for (i = 0; i < SLAB_WORDS; i++) {
        s->freemap[i] = n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
        n -= n >= 64 ? 64 : n;
    }
    s->magic = SLAB_MAGIC;
    s->nfree = ctl->nslots[c];
    s->cls = (uint8_t)c;
    pg = ((uintptr_t)b - ctl->lo) >> PAGE_SHIFT;
    for (i = 0; i < pages; i++)
        ctl->pagemap[pg + i] = (uint8_t)(i + 1);
    return s;
}

static void *slab_get(size_t n)
{
    unsigned c = class_of(n), w = 0, i;
    struct slab *s = ctl->partial[c];

    if (!s) {
        s = ctl->spare[c];
        ctl->spare[c] = NULL;
        if (!s && !(s = slab_new(c)))
            return NULL;
        s->next = s->prev = NULL;
        ctl->partial[c] = s;
    }
    while (!s->freemap[w])
        w++;
    i = w * 64 + (unsigned)__builtin_ctzll(s->freemap[w]);
    s->freemap[w] &= s->freemap[w] - 1;
    if (--s->nfree == 0) {
        ctl->partial[c] = s->next;
        if (s->next)
            s->next->prev = NULL;
        s->next = NULL;
    }
    slack(s)[i] = (uint8_t)(class_size[c] - n);
    return (void *)(slab_base(s) + ctl->slot0[c] + (size_t)i * class_size[c]);
}

static void slab_put(struct slab *s, unsigned i)
{
    unsigned c = s->cls;

    s->freemap[i / 64] |= (uint64_t)1 << (i % 64);
    if (s->nfree++ == 0) {
        s->prev = NULL;
        s->next = ctl->partial[c];
        if (s->next)
            s->next->prev = s;
        ctl->partial[c] = s;
    }
    if (s->nfree < ctl->nslots[c])
        return;
    if (s->prev)
        s->prev->next = s->next;
    else
        ctl->partial[c] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    if (!ctl->spare[c])
        ctl->spare[c] = s;
    else
        slab_release(s);
}

/* ---- Pointers handed back --------------------------------------------- */

/*
 * Finds what (p), given to (op), points at: a slot (*sp, *ip) or a block
 * (*bp). Aborts unless it is the start of a live allocation.
 */
static void lookup(void *p, const char *op, struct slab **sp, unsigned *ip,
                   struct blk **bp)
{
    uintptr_t a = (uintptr_t)p;
    struct blk *b;
    uint64_t h, m;
    size_t size;
    unsigned e;

    if (!ctl)
        FAIL(op, " before alloc_init");
    if (a < ctl->lo || a >= ctl->end)
        FAIL(op, " of a pointer outside the heap");
    if (a & (GRAN - 1))
        FAIL(op, " of a pointer that is not an allocation");
    e = ctl->pagemap[(a - ctl->lo) >> PAGE_SHIFT];
    if (e) {
        size_t pg = ((a - ctl->lo) >> PAGE_SHIFT) - (e - 1);
        uintptr_t base = ctl->lo + (pg << PAGE_SHIFT);
        struct slab *s = (struct slab *)(base + HDR);
        unsigned c = s->cls;
        uint32_t off, i;

        if (s->magic != SLAB_MAGIC || c >= NCLS)
            FAIL(op, ": heap damaged (slab header overwritten)");
        if (a - base < ctl->slot0[c])
            FAIL(op, " of a pointer that is not an allocation");
        off = (uint32_t)(a - base - ctl->slot0[c]);
        i = (uint32_t)(((uint64_t)off * ctl->recip[c]) >> 32);
        if (off != i * class_size[c] || i >= ctl->nslots[c])
            FAIL(op, " of a pointer that is not an allocation");
        if (s->freemap[i / 64] & ((uint64_t)1 << (i % 64)))
            FAIL(op, " of a pointer already freed (double free)");
        *sp = s;
        *ip = i;
        *bp = NULL;
        return;
    }
    if (a - ctl->lo < HDR)
        FAIL(op, " of a pointer that is not an allocation");
    b = at(a - HDR);
    h = b->head;
    m = b->meta;
    size = (size_t)(h & ~B_FLAGS);
    if ((m & M_MASK) == M_FREE && !(h & B_USED))
        FAIL(op, " of a pointer already freed (double free)");
    if ((m & M_MASK) != M_USED || (h & (B_USED | B_SLAB)) != B_USED ||
        size < MIN_BLOCK || size > ctl->end - (uintptr_t)b ||
        (size & (GRAN - 1)) || (m >> 16) > size - HDR ||
        (after(b)->head & B_PREV_FREE))
        FAIL(op, " of a pointer that is not an allocation");
    *sp = NULL;
    *bp = b;
}

/* ---- Contract ---------------------------------------------------------- */

int alloc_init(void *base, size_t size)
{
    uintptr_t b = (uintptr_t)base, lo, end;
    struct alloc_ctl *c = base;
    size_t npages;
    unsigned k;

    if (!base || (b & (GRAN - 1)) || size < ALLOC_MIN_REGION ||
        size > UINTPTR_MAX - b)
        return PITH_EINVAL;
    if (size > MAX_REGION)
        size = MAX_REGION;
    npages = size >> PAGE_SHIFT;
    lo = align_up(b + align_up(sizeof *c, GRAN) + npages, PAGE);
    end = ((b + size) & ~(uintptr_t)(GRAN - 1)) - HDR;
    if (lo >= end || end - lo < (SLAB_MAX_PAGES + 1) * PAGE)
        return PITH_EINVAL;

    memset(c, 0, sizeof *c);
    c->lo = lo;
    c->end = end;
    c->pagemap = (uint8_t *)(b + align_up(sizeof *c, GRAN));
    memset(c->pagemap, 0, npages);
    for (k = 0; k < NCLS; k++) {
        /* The fewest pages that waste at most 1/16, else the least waste. */
        size_t sz = class_size[k], best = 0, best_waste = 0, p;
        size_t top = HDR + sizeof(struct slab);
        for (p = 1; p <= SLAB_MAX_PAGES; p++) {
            size_t bytes = p * PAGE, n = (bytes - top) / (sz + 1), waste;
            if (n > SLAB_WORDS * 64)
                n = SLAB_WORDS * 64;
            while (align_up(top + n, GRAN) + n * sz > bytes)
                n--;
            waste = bytes - n * sz;
            if (!best || waste * best * PAGE < best_waste * bytes) {
                best = p;
                best_waste = waste;
                c->nslots[k] = (uint16_t)n;
                c->slot0[k] = (uint16_t)align_up(top + n, GRAN);
            }
            if (waste * 16 <= bytes)
                break;
        }
        c->npages[k] = (uint8_t)best;
        c->recip[k] = (uint32_t)((((uint64_t)1 << 32) + sz - 1) / sz);
    }
    c->st.heap_size = size;
    c->st.footprint = c->st.footprint_high_water = size - (end - lo);

    ctl = c;
    at(end)->head = HDR | B_USED;
    at(end)->meta = M_END;
    make_free(at(lo), end - lo, 0);
    at(end)->head |= B_PREV_FREE;
    return PITH_OK;
}

/* The size of a block that holds (n) bytes; (n) at most the heap size. */
static size_t block_for(size_t n)
{
    size_t size = align_up(n, GRAN) + HDR;
    return size < MIN_BLOCK ? MIN_BLOCK : size;
}

static void *get(size_t n, size_t align)
{
    size_t heap = ctl->end - ctl->lo;
    struct blk *b;

    if (n <= ALLOC_SMALL_MAX && align <= GRAN)
        return slab_get(n);
    if (n > heap || align > heap)
        return NULL;
    b = take_or_flush(block_for(n), align, HDR);
    if (!b)
        return NULL;
    b->meta = ((uint64_t)n << 16) | M_USED;
    return (void *)((uintptr_t)b + HDR);
}

static void grow_in_use(size_t add, size_t sub)
{
    ctl->st.in_use = ctl->st.in_use + add - sub;
    if (ctl->st.in_use > ctl->st.high_water)
        ctl->st.high_water = ctl->st.in_use;
}

static void *count(void *p, size_t n)
{
    if (!p) {
        ctl->st.failures++;
        return NULL;
    }
    ctl->st.allocs++;
    grow_in_use(n, 0);
    return p;
}

void *alloc_malloc(size_t n)
{
    if (!ctl)
        return NULL;
    return count(get(n, GRAN), n);
}

void *alloc_calloc(size_t n, size_t m)
{
    size_t t;
    void *p;

    if (!ctl)
        return NULL;
    if (__builtin_mul_overflow(n, m, &t))
        return count(NULL, 0);
    p = get(t, GRAN);
    if (p)
        memset(p, 0, t);
    return count(p, t);
}

void *alloc_aligned(size_t align, size_t n)
{
    if (!ctl || !align || (align & (align - 1)))
        return NULL;
    return count(get(n, align < GRAN ? GRAN : align), n);
}

/* Frees what lookup() found; returns the size that was asked for. */
static size_t put_back(struct slab *s, unsigned i, struct blk *b)
{
    size_t old;

    if (s) {
        old = class_size[s->cls] - slack(s)[i];
        slab_put(s, i);
    } else {
        old = (size_t)(b->meta >> 16);
        release(b);
    }
    return old;
}

void alloc_free(void *p)
{
    struct slab *s;
    struct blk *b;
    unsigned i;

    if (!p)
        return;
    lookup(p, "free", &s, &i, &b);
    grow_in_use(0, put_back(s, i, b));
    ctl->st.frees++;
}

void *alloc_realloc(void *p, size_t n)
{
    struct slab *s;
    struct blk *b;
    unsigned i;
    size_t old;
    void *q;

    if (!p)
        return alloc_malloc(n);
    lookup(p, "realloc", &s, &i, &b);
    if (n == 0) {
        grow_in_use(0, put_back(s, i, b));
        ctl->st.frees++;
        return NULL;
    }
    if (s) {
        unsigned c = s->cls;
        old = class_size[c] - slack(s)[i];
        if (n <= ALLOC_SMALL_MAX && class_of(n) == c) {
            slack(s)[i] = (uint8_t)(class_size[c] - n);
            grow_in_use(n, old);
            return p;
        }
    } else {
        old = (size_t)(b->meta >> 16);
        if (n <= ctl->end - ctl->lo && resize(b, block_for(n))) {
            b->meta = ((uint64_t)n << 16) | M_USED;
            grow_in_use(n, old);
            return p;
        }
    }
    q = get(n, GRAN);
    if (!q) {
        ctl->st.failures++;
        return NULL;
    }
    memcpy(q, p, old < n ? old : n);
    put_back(s, i, b);
    grow_in_use(n, old);
    return q;
}

void alloc_stats(struct alloc_stats *st)
{
    if (ctl)
        *st = ctl->st;
    else
        memset(st, 0, sizeof *st);
}
