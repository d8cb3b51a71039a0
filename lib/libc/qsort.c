/*
 * qsort: introsort. Quicksort with a median-of-three pivot, recursing into
 * the smaller part and looping on the larger (so O(log n) stack); when the
 * depth passes 2 log2(n) the range is heapsorted instead, which bounds the
 * worst case at O(n log n) comparisons; short ranges get insertion sort.
 */
#include <stdint.h>
#include <stdlib.h>

typedef int (*cmp_fn)(const void *, const void *);

#define INSERTION_MAX 12

typedef unsigned long __attribute__((__may_alias__)) word;

static void swap(char *a, char *b, size_t size)
{
    if (((uintptr_t)a | (uintptr_t)b | size) % sizeof(word) == 0) {
        for (; size;
             size -= sizeof(word), a += sizeof(word), b += sizeof(word)) {
            word t = *(word *)a;
            *(word *)a = *(word *)b;
            *(word *)b = t;
        }
        return;
    }
    for (; size; size--, a++, b++) {
        char t = *a;
        *a = *b;
        *b = t;
    }
}

static void insertion_sort(char *a, size_t n, size_t size, cmp_fn cmp)
{
    for (size_t i = 1; i < n; i++) {
        for (char *p = a + i * size; p > a && cmp(p - size, p) > 0; p -= size)
            swap(p - size, p, size);
    }
}

/* Moves element (i) of the heap a[0..n) down to its place. */
static void sift_down(char *a, size_t i, size_t n, size_t size, cmp_fn cmp)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && cmp(a + c * size, a + (c + 1) * size) < 0)
            c++;
        if (cmp(a + i * size, a + c * size) >= 0)
            return;
        swap(a + i * size, a + c * size, size);
        i = c;
    }
}

static void heap_sort(char *a, size_t n, size_t size, cmp_fn cmp)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n, size, cmp);
    for (size_t end = n - 1; end > 0; end--) {
        swap(a, a + end * size, size);
        sift_down(a, 0, end, size, cmp);
    }
}

/*
 * Partitions a[0..n), n > INSERTION_MAX, around the median of its first,
 * middle and last elements; returns the pivot's final index p, with
 * a[0..p) <= a[p] <= a(p..n). Scans stop on elements equal to the pivot,
 * so runs of equal keys split in the middle rather than degrade.
 */
static size_t partition(char *a, size_t n, size_t size, cmp_fn cmp)
{
    char *mid = a + (n / 2) * size, *last = a + (n - 1) * size;
    size_t i = 1, j = n - 1;

    if (cmp(mid, a) < 0)
        swap(mid, a, size);
    if (cmp(last, mid) < 0) {
        swap(last, mid, size);
        if (cmp(mid, a) < 0)
            swap(mid, a, size);
    }
    swap(a, mid, size); /* the pivot waits at a[0] */

    for (;;) {
        while (i <= j && cmp(a + i * size, a) < 0)
            i++;
        while (i <= j && cmp(a + j * size, a) > 0)
            j--;
        if (i >= j)
            break;
        swap(a + i * size, a + j * size, size);
        i++;
        j--;
    }
    swap(a, a + j * size, size);
    return j;
}

static void intro_sort(char *a, size_t n, size_t size, cmp_fn cmp,
                       unsigned depth)
{
    while (n > INSERTION_MAX) {
        size_t p;
        if (depth-- == 0) {
            heap_sort(a, n, size, cmp);
            return;
        }
        p = partition(a, n, size, cmp);
        if (p < n - 1 - p) {
            intro_sort(a, p, size, cmp, depth);
            a += (p + 1) * size;
            n -= p + 1;
        } else {
            intro_sort(a + (p + 1) * size, n - 1 - p, size, cmp, depth);
            n = p;
        }
    }
    insertion_sort(a, n, size, cmp);
}

void qsort(void *base, size_t n, size_t size, cmp_fn cmp)
{
    unsigned depth = 0;

    if (n < 2 || size == 0)
        return;
    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    intro_sort(base, n, size, cmp, depth);
}
