/*
 * strstr: the Two-Way algorithm (Crochemore and Perrin, "Two-way string
 * matching", JACM 1991), linear in the lengths of haystack and needle with
 * constant extra space, plus a Horspool shift on the window's last byte.
 * The structure follows musl's strstr. The haystack's end is found lazily,
 * so a long haystack is not scanned in full before the search starts.
 */
#include <stdint.h>
#include <string.h>

/* ISO C's interfaces take const and hand back non-const pointers. */
#define UNCONST(p) ((char *)(uintptr_t)(p))

#define BSET_BITS (8 * sizeof(size_t))
#define BSET_ADD(set, b)                                                       \
    ((set)[(b) / BSET_BITS] |= (size_t)1 << (b) % BSET_BITS)
#define BSET_HAS(set, b) (((set)[(b) / BSET_BITS] >> (b) % BSET_BITS) & 1)

/*
 * Maximal suffix of (n)[0..l) under the byte order, or its reverse when
 * (rev). Returns the index just before the suffix (so (size_t)-1 when it is
 * the whole needle: the arithmetic wraps on purpose) and stores the
 * suffix's period in (*period).
 */
static size_t max_suffix(const unsigned char *n, size_t l, int rev,
                         size_t *period)
{
    size_t i = (size_t)-1, j = 0, k = 1, p = 1;

    while (j + k < l) {
        unsigned char a = n[i + k], b = n[j + k];
        if (a == b) {
            if (k == p) {
                j += p;
                k = 1;
            } else {
                k++;
            }
        } else if (rev ? a < b : a > b) {
            j += k;
            k = 1;
            p = j - i;
        } else {
            i = j++;
            k = p = 1;
        }
    }
    *period = p;
    return i;
}

static char *two_way(const unsigned char *h, const unsigned char *n)
{
    size_t set[256 / BSET_BITS] = {0};
    size_t last_at[256]; /* for bytes in set: 1 + last index in needle */
    size_t l, ms, ms2, p, p2, k, mem, mem0;
    const unsigned char *end;

    /* The needle's length, checking that the haystack is as long. */
    for (l = 0; n[l] && h[l]; l++) {
        BSET_ADD(set, n[l]);
        last_at[n[l]] = l + 1;
    }
    if (n[l])
        return NULL;

    /* The critical factorisation n = n[0..ms] n[ms+1..l). */
    ms = max_suffix(n, l, 0, &p);
    ms2 = max_suffix(n, l, 1, &p2);
    if (ms2 + 1 > ms + 1) {
        ms = ms2;
        p = p2;
    }

    /* A periodic needle remembers how much of its prefix already matched
     * (mem) after a shift by the period; otherwise shift past the larger
     * half. */
    if (memcmp(n, n + p, ms + 1) == 0) {
        mem0 = l - p;
    } else {
        mem0 = 0;
        p = (ms > l - ms - 1 ? ms : l - ms - 1) + 1;
    }
    mem = 0;

    /* Invariant: h[0..end-h) holds no NUL; every shift is at most l. */
    end = h;
    for (;;) {
        if ((size_t)(end - h) < l) {
            size_t grow = l | 63;
            const unsigned char *z = memchr(end, 0, grow);
            if (z) {
                end = z;
                if ((size_t)(end - h) < l)
                    return NULL;
            } else {
                end += grow;
            }
        }

        if (!BSET_HAS(set, h[l - 1])) {
            h += l;
            mem = 0;
            continue;
        }
        k = l - last_at[h[l - 1]];
        if (k) {
            if (mem && k < p)
                k = l - p;
            h += k;
            mem = 0;
            continue;
        }

        /* Right half, left to right. */
        for (k = ms + 1 > mem ? ms + 1 : mem; n[k] && n[k] == h[k]; k++)
            ;
        if (n[k]) {
            h += k - ms;
            mem = 0;
            continue;
        }
        /* Left half, right to left, down to what is known to match. */
        for (k = ms + 1; k > mem && n[k - 1] == h[k - 1]; k--)
            ;
        if (k <= mem)
            return UNCONST(h);
        h += p;
        mem = mem0;
    }
}

char *strstr(const char *hay, const char *needle)
{
    const unsigned char *n = (const unsigned char *)needle;

    if (!n[0])
        return UNCONST(hay);
    hay = strchr(hay, n[0]);
    if (!hay || !n[1])
        return UNCONST(hay);
    return two_way((const unsigned char *)hay, n);
}
