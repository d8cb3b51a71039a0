/*
 * The smallest unit-test harness that tells the truth: each test function
 * prints one line, "ok NAME" or "not ok NAME: FILE:LINE: EXPR", and
 * tests/run counts those lines. A crash counts as a failure by exit status.
 *
 *   static void test_strlen(void) { T_CHECK(strlen("ab") == 2); }
 *   int main(void) { T_RUN(test_strlen); return t_done(); }
 */
#ifndef PITH_TESTS_UNIT_H
#define PITH_TESTS_UNIT_H

#include <stdio.h>

/* A failure message cut short is fine: the file and line come first. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static int t_failed_checks, t_tests_failed, t_tests_run;
static char t_first[512];

#define T_CHECK(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            if (t_failed_checks++ == 0) {                                      \
                int t_n_ = snprintf(t_first, sizeof t_first, "%s:%d: %s",      \
                                    __FILE__, __LINE__, #cond);                \
                (void)t_n_;                                                    \
            }                                                                  \
        }                                                                      \
    } while (0)

/* T_CHECKF(cond, fmt, ...): as T_CHECK, with a formatted detail. */
#define T_CHECKF(cond, ...)                                                    \
    do {                                                                       \
        if (!(cond)) {                                                         \
            if (t_failed_checks++ == 0) {                                      \
                int t_n_ = snprintf(t_first, sizeof t_first,                   \
                                    "%s:%d: ", __FILE__, __LINE__);            \
                t_n_ = snprintf(t_first + t_n_, sizeof t_first - (size_t)t_n_, \
                                __VA_ARGS__);                                  \
                (void)t_n_;                                                    \
            }                                                                  \
        }                                                                      \
    } while (0)

#define T_RUN(fn)                                                              \
    do {                                                                       \
        t_failed_checks = 0;                                                   \
        t_tests_run++;                                                         \
        fn();                                                                  \
        if (t_failed_checks) {                                                 \
            t_tests_failed++;                                                  \
            printf("not ok %s: %s (%d failed checks)\n", #fn, t_first,         \
                   t_failed_checks);                                           \
        } else {                                                               \
            printf("ok %s\n", #fn);                                            \
        }                                                                      \
        fflush(stdout);                                                        \
    } while (0)

static inline int t_done(void)
{
    return t_tests_failed ? 1 : 0;
}

#endif
