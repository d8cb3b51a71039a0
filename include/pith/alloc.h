/*
 * The heap allocator: malloc and friends over the one heap region the
 * platform hands an image (struct plat_start_info).
 *
 * Small requests (up to ALLOC_SMALL_MAX bytes) come from size-class slabs
 * in O(1); larger ones from a two-level segregated-fit free-block allocator
 * with boundary tags and coalescing, also O(1). No call does work that
 * grows with the number of allocations; only calloc, realloc and the
 * zeroing or copying they imply grow with the size asked for.
 *
 * Single-threaded, like everything above the platform contract. Every
 * result is aligned to ALLOC_ALIGN bytes. Misuse that can be detected
 * cheaply (freeing a pointer that is outside the region, not the start of
 * an allocation, or already free) is a programming error: the allocator
 * prints "pith: alloc: <what> (alloc.c:LINE)" on the console and calls
 * plat_abort().
 *
 * lib/alloc/stdlib.c provides malloc, calloc, realloc, free and
 * aligned_alloc on top of these for images; host builds keep their libc's.
 */
#ifndef PITH_ALLOC_H
#define PITH_ALLOC_H

#include <stddef.h>

/* Alignment of every pointer the allocator returns. */
#define ALLOC_ALIGN 16
/* Largest request served from a size-class slab. */
#define ALLOC_SMALL_MAX 2048
/* Smallest region alloc_init() accepts. */
#define ALLOC_MIN_REGION (64 * 1024)

/*
 * Takes ownership of the (size) bytes at (base) and makes them the heap.
 * (base) MUST be aligned to ALLOC_ALIGN (the platform's page-aligned heap
 * is); (size) MUST be at least ALLOC_MIN_REGION. Some of the region (about
 * 6 KiB plus one byte per 4 KiB page) holds the allocator's own state. The
 * region need not be zero-filled. Bytes beyond the first 2^46 are left
 * unused. Returns PITH_OK, or PITH_EINVAL when (base) is NULL or
 * misaligned, the region is too small, or it wraps around the address
 * space; then the allocator keeps its earlier state.
 *
 * A second call forgets the earlier region and every allocation in it.
 * Before the first successful call, every allocation function returns NULL
 * and alloc_free() accepts only NULL.
 */
int alloc_init(void *base, size_t size);

/*
 * Returns (n) bytes of uninitialised memory, or NULL when there is not
 * enough (counted in failures). alloc_malloc(0) returns a unique non-NULL
 * pointer, to be freed like any other (it occupies a 16-byte slot).
 */
void *alloc_malloc(size_t n);

/*
 * Returns (n) * (m) bytes, all zero, or NULL when there is not enough
 * memory or the product overflows size_t (both counted in failures).
 * (n) or (m) zero behaves as alloc_malloc(0).
 */
void *alloc_calloc(size_t n, size_t m);

/*
 * Resizes the allocation at (p) to (n) bytes, keeping its first min(old,
 * (n)) bytes; bytes beyond those are uninitialised. (p) MUST be NULL or a
 * live pointer returned by this allocator. May return (p) itself or move
 * the contents and free (p). Returns NULL when there is not enough memory
 * (counted in failures); then (p) is untouched and still live.
 * alloc_realloc(NULL, n) is alloc_malloc(n). alloc_realloc(p, 0) with (p)
 * not NULL frees (p) and returns NULL (not a failure).
 */
void *alloc_realloc(void *p, size_t n);

/*
 * Returns (n) bytes aligned to (align), or NULL. (align) MUST be a power of
 * two; otherwise the call returns NULL (not counted as a failure). Any (n)
 * is accepted, a multiple of (align) or not. (align) up to ALLOC_ALIGN
 * costs nothing more than alloc_malloc(); above, the request goes to the
 * free-block allocator, whatever its size. Free the result with
 * alloc_free().
 */
void *alloc_aligned(size_t align, size_t n);

/*
 * Frees the allocation at (p). (p) MUST be NULL (nothing happens) or a live
 * pointer returned by this allocator; anything else it detects aborts.
 */
void alloc_free(void *p);

/*
 * What the allocator has done. The counters cover the time since the last
 * alloc_init(); a realloc that moves a block counts as neither an alloc nor
 * a free, so (allocs - frees) is always the number of live allocations.
 */
struct alloc_stats {
    size_t heap_size;  /* the (size) given to alloc_init(), up to 2^46 */
    size_t in_use;     /* sum of the sizes asked for by live allocations */
    size_t high_water; /* largest in_use seen */
    size_t allocs;     /* allocations handed out, realloc(NULL, n) included */
    size_t frees;      /* allocations given back, realloc(p, 0) included */
    size_t failures;   /* requests refused because memory ran out */
    /* Bytes of the region not free for new allocations: the allocator's
     * state, block headers, rounding, slabs (with their free slots and up
     * to one empty slab kept per size class). */
    size_t footprint;
    size_t footprint_high_water; /* largest footprint seen */
};

/*
 * Stores the current figures in (*st), which MUST NOT be NULL. Before
 * alloc_init() they are all zero.
 */
void alloc_stats(struct alloc_stats *st);

#endif
