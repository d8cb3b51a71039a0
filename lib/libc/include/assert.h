/* assert.h: assert(), which aborts the image loudly unless NDEBUG is set. */

/* No include guard: each inclusion re-reads NDEBUG, as ISO C requires. */
#undef assert

#ifdef NDEBUG
#define assert(e) ((void)0)
#else
/*
 * Prints "assertion failed: EXPR (FILE:LINE, FUNC)" on the console and
 * calls plat_abort(). The name and signature are glibc's, so objects built
 * against glibc's assert.h link too.
 */
void __assert_fail(const char *expr, const char *file, unsigned int line,
                   const char *func) __attribute__((noreturn));
#define assert(e)                                                              \
    ((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, __func__))
#endif

#ifndef static_assert
#define static_assert _Static_assert
#endif
