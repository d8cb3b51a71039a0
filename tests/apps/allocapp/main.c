/*
 * allocapp: the alloc module over the heap region the platform hands the
 * image: allocations succeed, statistics add up, memory is returned. On
 * spt, malloc() itself is the module's; on unix it stays glibc's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pith/alloc.h>
#include <pith/rt.h>

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            printf("allocapp: FAIL: %s (line %d)\n", #c, __LINE__);            \
            return 1;                                                          \
        }                                                                      \
    } while (0)

int app_main(int argc, char **argv)
{
    static void *p[1000];
    struct alloc_stats st;
    char *s;
    unsigned i;

    (void)argc;
    (void)argv;
    alloc_stats(&st);
    CHECK(st.heap_size > 0 && st.in_use == 0);
    CHECK(st.heap_size <= rt_start_info()->heap_size);
    for (i = 0; i < 1000; i++) {
        p[i] = alloc_malloc(100 + i);
        CHECK(p[i] != NULL);
        memset(p[i], (int)i, 100 + i);
    }
    alloc_stats(&st);
    CHECK(st.in_use == 1000 * 100 + 999 * 1000 / 2);
    CHECK(st.allocs - st.frees == 1000);
    for (i = 0; i < 1000; i++)
        alloc_free(p[i]);
    alloc_stats(&st);
    CHECK(st.in_use == 0 && st.high_water == 1000 * 100 + 999 * 1000 / 2);
    CHECK(alloc_malloc(st.heap_size) == NULL);
    alloc_stats(&st);
    CHECK(st.failures == 1);

    s = malloc(64);
    CHECK(s != NULL);
    snprintf(s, 64, "malloc works");
    printf("allocapp: %s; heap %zu KiB, high water %zu bytes\n", s,
           st.heap_size / 1024, st.high_water);
    free(s);
    printf("allocapp: ok\n");
    return 0;
}
