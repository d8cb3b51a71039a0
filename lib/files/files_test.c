/*
 * Unit tests for lib/files over a table of its own, as `pith build` would
 * generate it: sorted in strcmp() order (bytes past 0x7f sort high), with
 * paths that are prefixes of each other. Built with -DFILES_TEST_EMPTY,
 * over an image with no files.
 */
#include <pith/err.h>
#include <pith/files.h>
#include <stdint.h>
#include <string.h>

#include "unit.h"

static const uint8_t d_a[] = "A";

#ifndef FILES_TEST_EMPTY
static const uint8_t d_ab[] = "a-b", d_a_b[] = "a/b\0x", d_a_b_c[] = "",
                     d_a0[] = "0123456789", d_zz[] = "zz", d_zu[] = "\xc3\xa9";

const struct pith_file pith_files[] = {
    {"a", d_a, 1},         {"a-b", d_ab, 3},
    {"a/b", d_a_b, 5}, /* binary: a NUL inside */
    {"a/b/c", d_a_b_c, 0}, {"a0", d_a0, 10},
    {"zz", d_zz, 2},       {"z\xc3\xa9", d_zu, 2},
};
const unsigned pith_nfiles = sizeof pith_files / sizeof pith_files[0];
#else
/* A table with an entry that files_count() says is not there. */
const struct pith_file pith_files[] = {{"a", d_a, 1}};
const unsigned pith_nfiles = 0;
#endif

static void test_table_sorted(void)
{
    unsigned i;
    for (i = 1; i < pith_nfiles; i++)
        T_CHECKF(strcmp(pith_files[i - 1].path, pith_files[i].path) < 0,
                 "'%s' before '%s'", pith_files[i - 1].path,
                 pith_files[i].path);
}

static void test_get_each(void)
{
    unsigned i;
    for (i = 0; i < pith_nfiles; i++) {
        const uint8_t *data = NULL;
        size_t size = 99;
        char path[32];
        /* A copy: the lookup compares bytes, not pointers. */
        snprintf(path, sizeof path, "%s", pith_files[i].path);
        T_CHECKF(files_get(path, &data, &size) == PITH_OK, "%s", path);
        T_CHECKF(data == pith_files[i].data && size == pith_files[i].size, "%s",
                 path);
        T_CHECK(files_get(path, NULL, NULL) == PITH_OK);
        T_CHECK(files_get(path, &data, NULL) == PITH_OK);
        T_CHECK(files_get(path, NULL, &size) == PITH_OK);
    }
}

static void test_misses(void)
{
    static const char *const miss[] = {
        "",     "/a",    "a/", "a/b/", "a/b/c/d", "a-",    "a1",
        "A",    "b",     "z",  "zz/",  "zzz",     "z\xc3", "z\xc3\xa9\x80",
        "\xff", "a/b\n", " a", "a ",   "0",
    };
    size_t i;
    for (i = 0; i < sizeof miss / sizeof miss[0]; i++) {
        const uint8_t *data = d_a;
        size_t size = 42;
        T_CHECKF(files_get(miss[i], &data, &size) == PITH_ENOENT, "'%s'",
                 miss[i]);
        T_CHECKF(data == d_a && size == 42, "'%s' wrote its outputs", miss[i]);
    }
#ifdef FILES_TEST_EMPTY
    T_CHECK(files_get("a", NULL, NULL) == PITH_ENOENT);
#endif
    T_CHECK(files_get(NULL, NULL, NULL) == PITH_EINVAL);
}

static void test_count_at(void)
{
    size_t i;
    T_CHECK(files_count() == pith_nfiles);
    for (i = 0; i < files_count(); i++)
        T_CHECK(files_at(i) == &pith_files[i]);
    T_CHECK(files_at(files_count()) == NULL);
    T_CHECK(files_at(SIZE_MAX) == NULL);
#ifdef FILES_TEST_EMPTY
    T_CHECK(files_count() == 0 && files_at(0) == NULL);
#else
    T_CHECK(files_count() == 7);
    T_CHECK(files_at(2)->size == 5 && files_at(2)->data[4] == 'x');
#endif
}

int main(void)
{
    T_RUN(test_table_sorted);
    T_RUN(test_get_each);
    T_RUN(test_misses);
    T_RUN(test_count_at);
    return t_done();
}
