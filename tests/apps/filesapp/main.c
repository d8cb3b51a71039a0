/*
 * filesapp: lists the files baked into the image (the manifest's `files
 * data` line) as "file PATH SIZE FNV1A64", looks each up by its path, and
 * checks what include/pith/files.h promises: sorted, aligned, followed by
 * a NUL. With the argument "write", writes to a file's data, which must
 * fault: it is read-only.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pith/err.h>
#include <pith/files.h>
#include <pith/rt.h>

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            printf("filesapp: FAIL: %s (line %d)\n", #c, __LINE__);            \
            return 1;                                                          \
        }                                                                      \
    } while (0)

static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    while (n--) {
        h ^= *p++;
        h *= 0x100000001b3ull;
    }
    return h;
}

int app_main(int argc, char **argv)
{
    const struct pith_file *prev = NULL;
    const uint8_t *data;
    size_t i, size;

    if (argc == 2 && strcmp(argv[1], "write") == 0) {
        volatile uint8_t *p;
        CHECK(files_count() > 0);
        p = (volatile uint8_t *)(uintptr_t)files_at(0)->data;
        *p = 'X';
        printf("filesapp: wrote to a file's data\n");
        return 1;
    }
    for (i = 0; i < files_count(); i++) {
        const struct pith_file *f = files_at(i);
        CHECK(f != NULL);
        printf("file %s %zu %016llx\n", f->path, f->size,
               (unsigned long long)fnv1a64(f->data, f->size));
        CHECK(prev == NULL || strcmp(prev->path, f->path) < 0);
        CHECK((uintptr_t)f->data % PITH_FILES_ALIGN == 0);
        CHECK(f->data[f->size] == 0);
        CHECK(files_get(f->path, &data, &size) == PITH_OK);
        CHECK(data == f->data && size == f->size);
        prev = f;
    }
    CHECK(files_at(files_count()) == NULL);
    CHECK(files_get("data", &data, &size) == PITH_ENOENT);
    CHECK(files_get("data/", NULL, NULL) == PITH_ENOENT);
    CHECK(files_get("nosuch", NULL, NULL) == PITH_ENOENT);
    CHECK(files_get("/data/hello.txt", NULL, NULL) == PITH_ENOENT);
    printf("filesapp: %zu files, ok\n", files_count());
    return 0;
}
