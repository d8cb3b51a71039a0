/*
 * The C library's allocation functions for images, on top of lib/alloc.
 * Host builds never link this file: their libc keeps its own malloc.
 */
#include <stddef.h>
#include <stdlib.h>

#include <pith/alloc.h>

void *malloc(size_t size)
{
    return alloc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    return alloc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    return alloc_realloc(p, size);
}

void free(void *p)
{
    alloc_free(p);
}

void *aligned_alloc(size_t align, size_t size)
{
    return alloc_aligned(align, size);
}
