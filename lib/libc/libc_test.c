/*
 * Host test for pith's libc: its objects are linked in with every symbol
 * renamed pith_* (see module.mk), so each function can be run side by side
 * with glibc's on the same inputs. The platform functions libc calls are
 * defined here as pith_plat_*: the console is captured into a buffer, and
 * abort and exit jump back into the test.
 */

/* pith's errno values, read before glibc's headers define their own. */
#include "include/errno.h"
static const int pith_errnos[] = {EDOM,  ERANGE, EINVAL, ENOSYS,
                                  EBADF, ENOENT, ENOMEM};
#undef EDOM
#undef ERANGE
#undef EINVAL
#undef ENOSYS
#undef EBADF
#undef ENOENT
#undef ENOMEM
#undef errno

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "unit.h"

/* ---- pith's libc, renamed ------------------------------------------- */

void *pith_memcpy(void *dst, const void *src, size_t n);
void *pith_memmove(void *dst, const void *src, size_t n);
void *pith_memset(void *dst, int c, size_t n);
int pith_memcmp(const void *a, const void *b, size_t n);
void *pith_memchr(const void *s, int c, size_t n);
size_t pith_strlen(const char *s);
size_t pith_strnlen(const char *s, size_t max);
int pith_strcmp(const char *a, const char *b);
int pith_strncmp(const char *a, const char *b, size_t n);
char *pith_strchr(const char *s, int c);
char *pith_strrchr(const char *s, int c);
char *pith_strstr(const char *hay, const char *needle);
size_t pith_strspn(const char *s, const char *accept);
size_t pith_strcspn(const char *s, const char *reject);
char *pith_strcpy(char *dst, const char *src);
char *pith_strncpy(char *dst, const char *src, size_t n);
char *pith_strcat(char *dst, const char *src);
char *pith_strncat(char *dst, const char *src, size_t n);
int pith_strcasecmp(const char *a, const char *b);
int pith_strncasecmp(const char *a, const char *b, size_t n);

int pith_isalnum(int c);
int pith_isalpha(int c);
int pith_isdigit(int c);
int pith_isxdigit(int c);
int pith_isspace(int c);
int pith_isupper(int c);
int pith_islower(int c);
int pith_isprint(int c);
int pith_isgraph(int c);
int pith_ispunct(int c);
int pith_iscntrl(int c);
int pith_toupper(int c);
int pith_tolower(int c);

/* No format attribute: the tests pass formats gcc would rightly reject. */
int pith_snprintf(char *buf, size_t size, const char *fmt, ...);
int pith_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int pith_printf(const char *fmt, ...);
int pith_puts(const char *s);
int pith_putchar(int c);

long pith_strtol(const char *s, char **end, int base);
unsigned long pith_strtoul(const char *s, char **end, int base);
long long pith_strtoll(const char *s, char **end, int base);
unsigned long long pith_strtoull(const char *s, char **end, int base);
int pith_atoi(const char *s);
int pith_abs(int x);
long pith_labs(long x);
long long pith_llabs(long long x);
void pith_qsort(void *base, size_t n, size_t size,
                int (*cmp)(const void *, const void *));
void *pith_bsearch(const void *key, const void *base, size_t n, size_t size,
                   int (*cmp)(const void *, const void *));
void pith_abort(void);
void pith_exit(int status);

int *pith___errno_location(void);
void pith___assert_fail(const char *expr, const char *file, unsigned line,
                        const char *func);
void pith___stack_chk_fail(void);
void *pith___memcpy_chk(void *dst, const void *src, size_t n, size_t size);
void *pith___memmove_chk(void *dst, const void *src, size_t n, size_t size);
void *pith___memset_chk(void *dst, int c, size_t n, size_t size);
long long pith_time(long long *t);
int pith_open(const char *path, int flags, ...);
ssize_t pith_read(int fd, void *buf, size_t n);
int pith_close(int fd);

#define PITH_ERRNO (*pith___errno_location())

/* ---- The platform, as libc sees it ----------------------------------- */

static char console[1 << 20];
static size_t console_len, console_writes;
static uint64_t wall_ns;
static jmp_buf escape;
static int exit_status;

void pith_plat_console_write(const char *buf, size_t len);
uint64_t pith_plat_clock_wall(void);
void pith_plat_exit(int status) __attribute__((noreturn));
void pith_plat_abort(void) __attribute__((noreturn));

void pith_plat_console_write(const char *buf, size_t len)
{
    size_t room = sizeof(console) - console_len;

    memcpy(console + console_len, buf, len < room ? len : room);
    console_len += len < room ? len : room;
    console_writes++;
}

uint64_t pith_plat_clock_wall(void)
{
    return wall_ns;
}

/* Both leave through the setjmp in the test that armed (escape). */
void pith_plat_exit(int status)
{
    exit_status = status;
    longjmp(escape, 2);
}

void pith_plat_abort(void)
{
    longjmp(escape, 1);
}

/*
 * Under ASan: glibc's printf is handed formats that ASan's printf
 * interceptor does not know ("%5%") on purpose; keep it from warning.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "check_printf=0";
}

static void console_reset(void)
{
    console_len = 0;
    console_writes = 0;
}

/* ---- Helpers --------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic, so failures reproduce. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t rnd_below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static int sign_of(int x)
{
    return (x > 0) - (x < 0);
}

/* ---- snprintf -------------------------------------------------------- */

static char g_buf[1024], p_buf[1024];
static long fmt_cases;

/*
 * Formats the arguments with glibc and with pith into (size) bytes of
 * identically pre-filled buffers, and compares return values and the
 * whole buffers (so a write past (size) shows too).
 */
static void cmp_fmt(size_t size, const char *fmt, ...)
{
    va_list a, b;
    int rg, rp;
    int null_buf = size == 0 && (fmt_cases & 1);

    fmt_cases++;
    memset(g_buf, 0xa5, sizeof(g_buf));
    memset(p_buf, 0xa5, sizeof(p_buf));
    va_start(a, fmt);
    va_copy(b, a);
    rg = vsnprintf(null_buf ? NULL : g_buf, size, fmt, a);
    rp = pith_vsnprintf(null_buf ? NULL : p_buf, size, fmt, b);
    va_end(a);
    va_end(b);
    T_CHECKF(rg == rp && memcmp(g_buf, p_buf, sizeof(g_buf)) == 0,
             "fmt \"%s\" size %zu: glibc %d \"%.60s\", pith %d \"%.60s\"", fmt,
             size, rg, g_buf, rp, p_buf);
}

/* Expects pith alone to give (want) and a return value of strlen(want). */
static void want_fmt(const char *want, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = pith_vsnprintf(p_buf, sizeof(p_buf), fmt, ap);
    va_end(ap);
    T_CHECKF(r == (int)strlen(want) && strcmp(p_buf, want) == 0,
             "fmt \"%s\": want \"%s\", got %d \"%s\"", fmt, want, r, p_buf);
}

static const long long edge_ints[] = {
    0,          1,          -1,           7,
    8,          9,          10,           15,
    16,         127,        128,          255,
    256,        -128,       -129,         32767,
    32768,      65535,      65536,        -32768,
    INT_MAX,    INT_MIN,    UINT_MAX,     LLONG_MAX,
    LLONG_MIN,  1LL << 32,  -(1LL << 32), 0x7fffffffffffLL,
    1000000007, -999999999,
};

static long long rnd_int(void)
{
    switch (rnd() % 4) {
    case 0:
        return edge_ints[rnd_below(sizeof(edge_ints) / sizeof(*edge_ints))];
    case 1:
        return (long long)(rnd() >> rnd_below(64));
    case 2:
        return (long long)rnd_below(101) - 50;
    default:
        return (long long)rnd();
    }
}

static const char *const strings[] = {
    "",
    "a",
    "hello",
    "a somewhat longer string, with spaces",
    "tab\tnewline\n",
    "\xc3\xa9t\xc3\xa9",
    NULL,
};

static int stack_marker;

static void test_snprintf_fixed(void)
{
    static const char *const int_fmts[] = {
        "%d",     "%i",     "%u",  "%x",   "%X",    "%o",    "%5d",    "%-5d",
        "%05d",   "%+d",    "% d", "%+ d", "%.0d",  "%.0x",  "%#.0o",  "%#.0x",
        "%#o",    "%#x",    "%#X", "%#5o", "%#08x", "%-#8x", "%08.3d", "%.10d",
        "%-+08d", "%0-8d|", "%+u", "% x",  "%+.0d", "% .0i", "%hhd",   "%hhu",
        "%hhx",   "%hd",    "%hu", "%ho",  "%ld",   "%lu",   "%lx",    "%lld",
        "%llu",   "%llo",   "%zd", "%zu",  "%zx",   "%jd",   "%ju",    "%td",
        "%tu",    "%tx",    "%c",  "%5c",  "%-5c|", "%05c",  "x%%y%d", "%5%%d",
        "%-5%%d",
    };
    char local;

    for (size_t f = 0; f < sizeof(int_fmts) / sizeof(*int_fmts); f++) {
        for (size_t i = 0; i < sizeof(edge_ints) / sizeof(*edge_ints); i++) {
            long long v = edge_ints[i];
            /* The 64-bit length modifiers take v whole. */
            if (strpbrk(int_fmts[f], "ljzt"))
                cmp_fmt(sizeof(g_buf), int_fmts[f], v);
            else
                cmp_fmt(sizeof(g_buf), int_fmts[f], (int)v);
        }
    }
    for (size_t i = 0; i < sizeof(edge_ints) / sizeof(*edge_ints); i++) {
        cmp_fmt(sizeof(g_buf), "%+#0 -20.15llx|%-#30.25llo|", edge_ints[i],
                edge_ints[i]);
    }

    static const char *const str_fmts[] = {
        "%s",   "%10s",   "%-10s|",   "%.3s",  "%.0s", "%.6s",
        "%.5s", "%10.2s", "%-10.7s|", "%010s", "%#s",  "%+ s",
    };
    for (size_t f = 0; f < sizeof(str_fmts) / sizeof(*str_fmts); f++) {
        for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++)
            cmp_fmt(sizeof(g_buf), str_fmts[f], strings[i]);
    }

    static const char *const ptr_fmts[] = {
        "%p",  "%20p", "%-20p|", "%020p", "%.20p",        "%+p",
        "% p", "%#p",  "%.0p",   "%3p",   "%-+#025.18p|",
    };
    const void *ptrs[] = {NULL,
                          &local,
                          (void *)1,
                          (void *)UINTPTR_MAX,
                          (void *)0xdeadbeef,
                          &stack_marker};
    for (size_t f = 0; f < sizeof(ptr_fmts) / sizeof(*ptr_fmts); f++) {
        for (size_t i = 0; i < sizeof(ptrs) / sizeof(*ptrs); i++)
            cmp_fmt(sizeof(g_buf), ptr_fmts[f], ptrs[i]);
    }

    /* '*' widths and precisions, negative ones included. */
    for (int w = -12; w <= 12; w += 3) {
        for (int p = -3; p <= 12; p += 3) {
            cmp_fmt(sizeof(g_buf), "%*.*d|", w, p, -42);
            cmp_fmt(sizeof(g_buf), "%0*.*x|", w, p, 0xbeef);
            cmp_fmt(sizeof(g_buf), "%*.*s|", w, p, "string");
            cmp_fmt(sizeof(g_buf), "%-*c|", w, 'q');
            cmp_fmt(sizeof(g_buf), "%0*d|", w, 77);
        }
    }

    /* Several conversions and literal text in one format. */
    cmp_fmt(sizeof(g_buf), "a%db%sc%xd%pe%%f%cg%lluh", -5, "mid", 0xabcu,
            (void *)&local, 'Z', ULLONG_MAX);
    cmp_fmt(sizeof(g_buf), "%s=%d; %s=%s; %08.3x", "k", 1, "j", (char *)NULL,
            0x1fu);
    cmp_fmt(sizeof(g_buf), "no conversions at all");
    cmp_fmt(sizeof(g_buf), "");

    /* Output far longer than the buffer: the would-be length. */
    cmp_fmt(16, "%*d", 100000, 5);
    cmp_fmt(16, "%.100000d", 5);
    cmp_fmt(0, "%-*s|", 5000, "x");
}

static void test_snprintf_truncation(void)
{
    for (size_t size = 0; size < 40; size++) {
        cmp_fmt(size, "%s", "twenty characters...");
        cmp_fmt(size, "%d and %s", -1234, "twenty characters...");
        cmp_fmt(size, "%-8x|%5c", 0xabcu, 'c');
        cmp_fmt(size, "%%%.4s%%", "abcdefg");
    }
    for (size_t size = 0; size < 40; size++) {
        cmp_fmt(size, "%s", "0123456789abcdefghijklmnopqrstuvwxyz");
        cmp_fmt(size, "%20d|%-20u", INT_MIN, UINT_MAX);
    }
    /* size 0 writes nothing, not even a NUL; NULL is allowed then. */
    memset(p_buf, 'x', 4);
    T_CHECK(pith_snprintf(p_buf, 0, "%d", 123) == 3 && p_buf[0] == 'x');
    T_CHECK(pith_snprintf(NULL, 0, "%s%d", "abc", 12345) == 8);
    T_CHECK(pith_snprintf(p_buf, 1, "%d", 123) == 3 && p_buf[0] == 0);
    /* More than INT_MAX bytes is an error. */
    T_CHECK(pith_snprintf(NULL, 0, "%*d", INT_MAX, 1) == INT_MAX);
    T_CHECK(pith_snprintf(p_buf, 8, "%*d%d", INT_MAX, 1, 2) == -1);
    T_CHECK(pith_snprintf(NULL, 0, "%*d%*d", INT_MAX, 1, INT_MIN, 2) == -1);
}

/* One random specification, one random argument. */
static void fmt_random_one(void)
{
    static const char convs[] = "diuxXocsp%";
    static const char *const lens[] = {"", "hh", "h", "l", "ll", "z", "j", "t"};
    char fmt[96], *f = fmt;
    int conv = convs[rnd_below(sizeof(convs) - 1)];
    int star_w = 0, star_p = 0, sw = 0, sp = 0;
    size_t len = 0, size;
    unsigned nstars;

    if (rnd() % 4 == 0)
        f += sprintf(f, "<%u>", (unsigned)rnd_below(100));
    *f++ = '%';
    for (int i = (int)rnd_below(4); i > 0; i--)
        *f++ = "-+ #0"[rnd_below(5)];
    switch (rnd() % 4) {
    case 1:
        f += sprintf(f, "%u", (unsigned)rnd_below(rnd() % 8 ? 30 : 300));
        break;
    case 2:
        *f++ = '*';
        star_w = 1;
        sw = (int)rnd_below(70) - 35;
        break;
    }
    switch (rnd() % 5) {
    case 1:
        *f++ = '.';
        break;
    case 2:
    case 3:
        f += sprintf(f, ".%u", (unsigned)rnd_below(rnd() % 8 ? 30 : 300));
        break;
    case 4:
        f += sprintf(f, ".*");
        star_p = 1;
        sp = (int)rnd_below(50) - 10;
        break;
    }
    if (strchr("diuxXo", conv)) {
        len = rnd_below(sizeof(lens) / sizeof(*lens));
        f += sprintf(f, "%s", lens[len]);
    }
    *f++ = (char)conv;
    if (rnd() % 4 == 0)
        f += sprintf(f, "[%c]", 'a' + (int)rnd_below(26));
    *f = 0;

    switch (rnd() % 6) {
    case 0:
        size = 0;
        break;
    case 1:
        size = 1 + rnd_below(8);
        break;
    case 2:
        size = rnd_below(80);
        break;
    default:
        size = sizeof(g_buf);
        break;
    }

    /* The '*' arguments come first, then the value. */
    nstars = (unsigned)(star_w + star_p);
#define CMP_STARS(val)                                                         \
    do {                                                                       \
        if (nstars == 2)                                                       \
            cmp_fmt(size, fmt, sw, sp, val);                                   \
        else if (nstars == 1)                                                  \
            cmp_fmt(size, fmt, star_w ? sw : sp, val);                         \
        else                                                                   \
            cmp_fmt(size, fmt, val);                                           \
    } while (0)

    long long v = rnd_int();
    if (conv == 's') {
        char rs[40];
        const char *s = strings[rnd_below(sizeof(strings) / sizeof(*strings))];
        if (rnd() % 3 == 0) {
            size_t n = rnd_below(sizeof(rs));
            for (size_t i = 0; i < n; i++)
                rs[i] = (char)(1 + rnd_below(255));
            rs[n] = 0;
            s = rs;
        }
        CMP_STARS(s);
    } else if (conv == 'p') {
        void *p = rnd() % 4 ? (void *)(uintptr_t)v : NULL;
        CMP_STARS(p);
    } else if (conv == 'c' || conv == '%' || len <= 2) {
        CMP_STARS((int)v);
    } else if (len == 3) {
        CMP_STARS((long)v);
    } else if (len == 4) {
        CMP_STARS(v);
    } else if (len == 5) {
        CMP_STARS((size_t)v);
    } else if (len == 6) {
        CMP_STARS((intmax_t)v);
    } else {
        CMP_STARS((ptrdiff_t)v);
    }
#undef CMP_STARS
}

static void test_snprintf_random(void)
{
    for (int i = 0; i < 60000; i++)
        fmt_random_one();
    T_CHECK(fmt_cases > 60000);
}

static void test_snprintf_unsupported(void)
{
    /* Copied out as written, consuming no argument. */
    want_fmt("%f 5", "%f %d", 5);
    want_fmt("%5.2f|7", "%5.2f|%d", 7);
    want_fmt("%n", "%n");
    want_fmt("%Lf", "%Lf");
    want_fmt("%lc %ls", "%lc %ls");
    want_fmt("%hs %llp", "%hs %llp");
    want_fmt("%y%-08q", "%y%-08q");
    want_fmt("%a%e%g%E%G", "%a%e%g%E%G");
    want_fmt("%m", "%m");
    want_fmt("%1$d", "%1$d");
    want_fmt("abc%", "abc%");
    want_fmt("abc%-05.", "abc%-05.");
    want_fmt("%ll", "%ll");
    /* A '*' before an unknown conversion was still read. */
    want_fmt("%*f|9", "%*f|%d", 3, 9);
}

/* ---- printf to the console ------------------------------------------- */

static void test_printf_console(void)
{
    static char big[100001];
    int r;

    console_reset();
    r = pith_printf("hello %s %d%c", "world", 42, '\n');
    T_CHECK(r == 15 && console_len == 15 &&
            memcmp(console, "hello world 42\n", 15) == 0);

    /* Longer than any internal buffer: goes out whole, in pieces. */
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    console_reset();
    r = pith_printf("[%s|%-3000d|%.5000u]", big, -7, 3u);
    T_CHECK(r == 1 + 100000 + 1 + 3000 + 1 + 5000 + 1);
    T_CHECK(console_len == (size_t)r && console_writes > 1);
    T_CHECK(console[0] == '[' && memcmp(console + 1, big, 100000) == 0);
    T_CHECK(memcmp(console + 100002, "-7   ", 5) == 0);
    T_CHECK(console[100001 + 3001] == '|' && console[100003 + 3000] == '0');
    T_CHECK(console[console_len - 2] == '3' && console[console_len - 1] == ']');

    console_reset();
    T_CHECK(pith_printf("%s", "") == 0 && console_len == 0);

    console_reset();
    r = pith_puts("a line");
    T_CHECK(r >= 0 && console_len == 7 && memcmp(console, "a line\n", 7) == 0);

    console_reset();
    T_CHECK(pith_putchar('x') == 'x' && pith_putchar(0x1ff) == 0xff);
    T_CHECK(console_len == 2 && console[0] == 'x' &&
            (unsigned char)console[1] == 0xff);
}

/* ---- strtol family --------------------------------------------------- */

static long strtol_cases;

static void cmp_strto(const char *s, int base)
{
    char *ge, *pe;
    int gerr, perr;
    /* On a bad base glibc leaves *end alone (ASan's interceptor does
     * not); pith sets it to (s). */
    int bad_base = base < 0 || base == 1 || base > 36;

    strtol_cases++;
#define CMP_ONE(fn, type, pf)                                                  \
    do {                                                                       \
        type gv, pv;                                                           \
        errno = 4242;                                                          \
        PITH_ERRNO = 4242;                                                     \
        ge = pe = NULL;                                                        \
        gv = fn(s, &ge, base);                                                 \
        gerr = errno;                                                          \
        pv = pith_##fn(s, &pe, base);                                          \
        perr = PITH_ERRNO;                                                     \
        T_CHECKF(gv == pv && gerr == perr && (bad_base ? pe == s : ge == pe),  \
                 #fn "(\"%s\", %d): glibc " pf " errno %d end %td, "           \
                     "pith " pf " errno %d end %td",                           \
                 s, base, gv, gerr, ge ? ge - s : -1, pv, perr,                \
                 pe ? pe - s : -1);                                            \
        PITH_ERRNO = 0;                                                        \
        T_CHECK(pith_##fn(s, NULL, base) == pv);                               \
    } while (0)

    CMP_ONE(strtol, long, "%ld");
    CMP_ONE(strtoul, unsigned long, "%lu");
    CMP_ONE(strtoll, long long, "%lld");
    CMP_ONE(strtoull, unsigned long long, "%llu");
#undef CMP_ONE
}

static void to_base(unsigned long long v, int base, char *out)
{
    char tmp[80];
    int n = 0;

    do {
        tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % (unsigned)base];
        v /= (unsigned)base;
    } while (v);
    while (n)
        *out++ = tmp[--n];
    *out = 0;
}

/* Adds one to the base-(base) numeral (s) in place (room for a carry). */
static void increment(char *s, int base)
{
    size_t n = strlen(s);

    for (size_t i = n; i-- > 0;) {
        int d = isdigit((unsigned char)s[i]) ? s[i] - '0' : s[i] - 'a' + 10;
        if (d + 1 < base) {
            s[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[d + 1];
            return;
        }
        s[i] = '0';
    }
    memmove(s + 1, s, n + 1);
    s[0] = '1';
}

static void test_strtol_edges(void)
{
    static const char *const fixed[] = {
        "",
        " ",
        "0",
        "-0",
        "+0",
        "00",
        "0x",
        "0X",
        "0x ",
        "-0x",
        "+0xg",
        "  0xz",
        "0xx1",
        "0x0x1",
        "0b101",
        "08",
        "09",
        "0777",
        "-0777",
        "z",
        "Z",
        "zz",
        "-",
        "+",
        "+-1",
        "-+1",
        "--1",
        " \t\n\v\f\r42",
        " \t\n\v\f\r-42xyz",
        "\2051", /* bytes 0x85 and 0xa0: not spaces in the C locale */
        "\2401",
        "1 2",
        "12abc",
        "1e5",
        "0x1p3",
        "0xFFffFFff",
        "0x7fffffffffffffff",
        "0x8000000000000000",
        "-0x8000000000000000",
        "-0x8000000000000001",
        "0xffffffffffffffff",
        "0x10000000000000000",
        "-0xffffffffffffffff",
        "-0x10000000000000000",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "-18446744073709551615",
        "-18446744073709551616",
        "99999999999999999999999999999999999999999999xyz",
        "-99999999999999999999999999999999999999999999 ",
        "000000000000000000000000000000000000000000001",
        "2147483647",
        "2147483648",
        "-2147483649",
        "4294967296",
    };
    static const int bases[] = {0, 2, 3, 8, 10, 16, 35, 36, -1, 1, 37, 99};
    char num[100];

    for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++) {
        for (size_t b = 0; b < sizeof(bases) / sizeof(*bases); b++)
            cmp_strto(fixed[i], bases[b]);
    }

    /* Around 2^63 and 2^64 in every base, with every sign. */
    static const unsigned long long around[] = {
        LLONG_MAX - 1,
        LLONG_MAX,
        (unsigned long long)LLONG_MAX + 1,
        (unsigned long long)LLONG_MAX + 2,
        ULLONG_MAX - 1,
        ULLONG_MAX,
        UINT_MAX,
        (unsigned long long)UINT_MAX + 1,
    };
    for (int base = 2; base <= 36; base++) {
        for (size_t i = 0; i < sizeof(around) / sizeof(*around); i++) {
            for (int sign = 0; sign < 3; sign++) {
                num[0] = "+- "[sign];
                to_base(around[i], base, num + 1);
                cmp_strto(num, base);
                if (base == 16 || base == 8 || base == 10)
                    cmp_strto(num, 0);
                if (around[i] == ULLONG_MAX) {
                    increment(num + 1, base); /* 2^64 */
                    cmp_strto(num, base);
                    increment(num + 1, base);
                    cmp_strto(num, base);
                }
            }
        }
    }
    /* Errors only set errno; success leaves it alone (checked above with
     * a sentinel value); EINVAL for a bad base. */
    PITH_ERRNO = 0;
    T_CHECK(pith_strtol("5", NULL, 1) == 0 && PITH_ERRNO == EINVAL);
}

static void test_strtol_random(void)
{
    static const char alphabet[] = "0123456789abcdefxyzABCDEFXYZ";
    char s[64];

    for (int i = 0; i < 40000; i++) {
        char *p = s;
        int base = rnd() % 3 ? (int)rnd_below(37)
                             : (int)"\0\x08\x0a\x10"[rnd_below(4)];
        for (int w = (int)rnd_below(3); w > 0; w--)
            *p++ = " \t\n\v\f\r"[rnd_below(6)];
        if (rnd() % 2)
            *p++ = "+-"[rnd_below(2)];
        switch (rnd() % 5) {
        case 0:
            *p++ = '0';
            break;
        case 1:
            *p++ = '0';
            *p++ = rnd() % 2 ? 'x' : 'X';
            break;
        }
        for (size_t n = rnd_below(rnd() % 4 ? 8 : 30); n > 0; n--)
            *p++ = alphabet[rnd_below(sizeof(alphabet) - 1)];
        if (rnd() % 3 == 0)
            *p++ = " -.g"[rnd_below(4)];
        *p = 0;
        if (base != 1)
            cmp_strto(s, base);
    }
    T_CHECK(strtol_cases > 40000);
}

static void test_atoi_abs(void)
{
    static const char *const s[] = {
        "0", "-17", "  +42abc", "2147483647", "-2147483648", "", "x1"};

    for (size_t i = 0; i < sizeof(s) / sizeof(*s); i++)
        T_CHECKF(pith_atoi(s[i]) == atoi(s[i]), "atoi(\"%s\")", s[i]);
    T_CHECK(pith_abs(-5) == 5 && pith_abs(5) == 5 && pith_abs(0) == 0);
    T_CHECK(pith_abs(INT_MIN + 1) == INT_MAX);
    T_CHECK(pith_abs(INT_MIN) == INT_MIN); /* as glibc does in practice */
    T_CHECK(pith_labs(LONG_MIN + 1) == LONG_MAX && pith_labs(-3L) == 3);
    T_CHECK(pith_llabs(LLONG_MIN + 1) == LLONG_MAX && pith_llabs(-3LL) == 3);
}

/* ---- qsort and bsearch ----------------------------------------------- */

static long compares;

/* An upper bound for log2(n), n >= 1. */
static double log2_of(size_t n)
{
    double l = 0;

    while (n > 1) {
        n >>= 1;
        l++;
    }
    return l + 1;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    compares++;
    return (x > y) - (x < y);
}

static size_t elem_size;

static int cmp_bytes(const void *a, const void *b)
{
    return memcmp(a, b, elem_size);
}

enum pattern { RANDOM, SORTED, REVERSE, EQUAL, FEW, ORGAN, SAWTOOTH, NPAT };

static void fill_ints(int *a, size_t n, enum pattern pat)
{
    for (size_t i = 0; i < n; i++) {
        switch (pat) {
        case RANDOM:
            a[i] = (int)rnd();
            break;
        case SORTED:
            a[i] = (int)i;
            break;
        case REVERSE:
            a[i] = (int)(n - i);
            break;
        case EQUAL:
            a[i] = 7;
            break;
        case FEW:
            a[i] = (int)rnd_below(4);
            break;
        case ORGAN:
            a[i] = (int)(i < n / 2 ? i : n - i);
            break;
        default:
            a[i] = (int)(i % 17);
            break;
        }
    }
}

static void test_qsort_ints(void)
{
    static int a[20000], b[20000];
    static const size_t sizes[] = {0,  1,   2,   3,   4,    5,    7,
                                   11, 12,  13,  14,  16,   17,   31,
                                   64, 100, 101, 255, 1000, 4099, 20000};

    for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); s++) {
        size_t n = sizes[s];
        for (int pat = 0; pat < NPAT; pat++) {
            fill_ints(a, n, (enum pattern)pat);
            memcpy(b, a, n * sizeof(*a));
            qsort(b, n, sizeof(*b), cmp_int);
            compares = 0;
            pith_qsort(a, n, sizeof(*a), cmp_int);
            T_CHECKF(memcmp(a, b, n * sizeof(*a)) == 0,
                     "qsort n %zu pattern %d", n, pat);
            /* Generous, but far below n^2 for every pattern. */
            if (n > 1) {
                double bound = 3.0 * (double)n * log2_of(n);
                T_CHECKF(compares <= (long)bound + 40,
                         "qsort n %zu pattern %d: %ld compares", n, pat,
                         compares);
            }
        }
    }
}

static void test_qsort_sizes(void)
{
    static unsigned char a[300 * 40], b[300 * 40];
    static const size_t esizes[] = {1, 2, 3, 4, 7, 8, 13, 16, 24, 40};

    for (size_t e = 0; e < sizeof(esizes) / sizeof(*esizes); e++) {
        elem_size = esizes[e];
        for (int round = 0; round < 20; round++) {
            size_t n = rnd_below(300);
            /* Small alphabet: many equal elements. */
            for (size_t i = 0; i < n * elem_size; i++)
                a[i] = (unsigned char)(round % 2 ? rnd() : rnd_below(3));
            /* Sort at an odd address too. */
            unsigned char *pa = round % 3 == 0 ? a + 1 : a;
            if (pa != a)
                memmove(pa, a, n * elem_size);
            memcpy(b, pa, n * elem_size);
            qsort(b, n, elem_size, cmp_bytes);
            pith_qsort(pa, n, elem_size, cmp_bytes);
            T_CHECKF(memcmp(pa, b, n * elem_size) == 0, "qsort n %zu size %zu",
                     n, elem_size);
        }
    }
}

/*
 * McIlroy's adversary ("A killer adversary for quicksort", 1999): values
 * are decided lazily so that each pivot is as bad as possible. A plain
 * quicksort does n^2/2 comparisons against it; introsort must stay
 * O(n log n), with a stack of O(log n).
 */
static int *adv_val, adv_gas, adv_solid, adv_candidate;
static uintptr_t adv_stack_low;

static int cmp_adversary(const void *px, const void *py)
{
    int x = *(const int *)px, y = *(const int *)py;
    char here;

    compares++;
    if ((uintptr_t)&here < adv_stack_low)
        adv_stack_low = (uintptr_t)&here;
    if (adv_val[x] == adv_gas && adv_val[y] == adv_gas)
        adv_val[x == adv_candidate ? x : y] = adv_solid++;
    if (adv_val[x] == adv_gas)
        adv_candidate = x;
    else if (adv_val[y] == adv_gas)
        adv_candidate = y;
    return adv_val[x] - adv_val[y];
}

static void test_qsort_adversary(void)
{
    static int idx[100000], val[100000];
    static const size_t sizes[] = {100, 1000, 10000, 100000};
    char top;

    for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); s++) {
        size_t n = sizes[s];
        double bound = 5.0 * (double)n * log2_of(n);
        adv_val = val;
        adv_gas = (int)n - 1;
        adv_solid = adv_candidate = 0;
        for (size_t i = 0; i < n; i++) {
            idx[i] = (int)i;
            val[i] = adv_gas;
        }
        compares = 0;
        adv_stack_low = (uintptr_t)&top;
        pith_qsort(idx, n, sizeof(*idx), cmp_adversary);
        T_CHECKF(compares <= (long)bound, "adversary n %zu: %ld compares", n,
                 compares);
        T_CHECKF((uintptr_t)&top - adv_stack_low < 16384,
                 "adversary n %zu: %zu bytes of stack", n,
                 (size_t)((uintptr_t)&top - adv_stack_low));
        for (size_t i = 1; i < n; i++)
            T_CHECK(val[idx[i - 1]] <= val[idx[i]]);
    }
}

static void test_bsearch(void)
{
    static int a[1000];

    for (size_t n = 0; n < 60; n++) {
        for (size_t i = 0; i < n; i++)
            a[i] = (int)(2 * i + 1); /* odd keys: evens are absent */
        for (int key = -1; key <= (int)(2 * n + 1); key++) {
            int *g = bsearch(&key, a, n, sizeof(*a), cmp_int);
            int *p = pith_bsearch(&key, a, n, sizeof(*a), cmp_int);
            T_CHECKF(g == p, "bsearch n %zu key %d", n, key);
        }
    }
    /* Duplicates: any equal element will do. */
    for (size_t i = 0; i < 100; i++)
        a[i] = (int)(i / 10);
    for (int key = 0; key < 10; key++) {
        int *p = pith_bsearch(&key, a, 100, sizeof(*a), cmp_int);
        T_CHECK(p && *p == key);
    }
}

/* ---- ctype ----------------------------------------------------------- */

static void test_ctype(void)
{
    for (int c = -1; c <= 255; c++) {
#define CMP_CLASS(fn) T_CHECKF(!fn(c) == !pith_##fn(c), #fn "(%d)", c)
        CMP_CLASS(isalnum);
        CMP_CLASS(isalpha);
        CMP_CLASS(isdigit);
        CMP_CLASS(isxdigit);
        CMP_CLASS(isspace);
        CMP_CLASS(isupper);
        CMP_CLASS(islower);
        CMP_CLASS(isprint);
        CMP_CLASS(isgraph);
        CMP_CLASS(ispunct);
        CMP_CLASS(iscntrl);
#undef CMP_CLASS
        T_CHECKF(toupper(c) == pith_toupper(c), "toupper(%d)", c);
        T_CHECKF(tolower(c) == pith_tolower(c), "tolower(%d)", c);
    }
}

/* ---- mem* ------------------------------------------------------------ */

static unsigned char src[8192], dst_g[8192], dst_p[8192];

static void fill_random(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)rnd();
}

static void test_memcpy_memset(void)
{
    static const size_t big[] = {1000, 4096, 4103, 8000};

    fill_random(src, sizeof(src));
    for (size_t so = 0; so < 16; so++) {
        for (size_t d = 0; d < 16; d++) {
            for (size_t n = 0; n < 140; n++) {
                fill_random(dst_g, 200);
                memcpy(dst_p, dst_g, 200);
                memcpy(dst_g + d, src + so, n);
                T_CHECK(pith_memcpy(dst_p + d, src + so, n) == dst_p + d);
                T_CHECKF(memcmp(dst_g, dst_p, 200) == 0,
                         "memcpy src+%zu dst+%zu n %zu", so, d, n);

                int c = (int)(n * 37 + d) - 300; /* negative and > 255 too */
                memset(dst_g + d, c, n);
                T_CHECK(pith_memset(dst_p + d, c, n) == dst_p + d);
                T_CHECKF(memcmp(dst_g, dst_p, 200) == 0,
                         "memset dst+%zu c %d n %zu", d, c, n);
            }
        }
    }
    for (size_t i = 0; i < sizeof(big) / sizeof(*big); i++) {
        size_t n = big[i], o = i;
        memset(dst_g, 1, sizeof(dst_g));
        memset(dst_p, 1, sizeof(dst_p));
        memcpy(dst_g + o, src + 3, n);
        pith_memcpy(dst_p + o, src + 3, n);
        T_CHECK(memcmp(dst_g, dst_p, sizeof(dst_g)) == 0);
        memset(dst_g + o, 0xee, n - 5);
        pith_memset(dst_p + o, 0xee, n - 5);
        T_CHECK(memcmp(dst_g, dst_p, sizeof(dst_g)) == 0);
    }
}

static void test_memmove(void)
{
    /* Both buffers take the same moves, so they stay equal. */
    fill_random(dst_g, sizeof(dst_g));
    memcpy(dst_p, dst_g, sizeof(dst_g));
    for (int i = 0; i < 20000; i++) {
        size_t n = rnd_below(i % 10 ? 100 : 2000);
        size_t from = rnd_below(sizeof(dst_g) - n), to;
        /* Mostly overlapping moves, in both directions. */
        if (i % 4) {
            long t = (long)from + (long)rnd_below(81) - 40;
            t = t < 0 ? 0 : t;
            to = (size_t)t > sizeof(dst_g) - n ? sizeof(dst_g) - n : (size_t)t;
        } else {
            to = rnd_below(sizeof(dst_g) - n);
        }
        fill_random(dst_g + from, n);
        memcpy(dst_p + from, dst_g + from, n);
        memmove(dst_g + to, dst_g + from, n);
        T_CHECK(pith_memmove(dst_p + to, dst_p + from, n) == dst_p + to);
        T_CHECKF(memcmp(dst_g, dst_p, sizeof(dst_g)) == 0,
                 "memmove from %zu to %zu n %zu", from, to, n);
    }
}

static void test_memcmp_memchr(void)
{
    unsigned char a[300], b[300];

    for (int i = 0; i < 20000; i++) {
        size_t n = rnd_below(200), o1 = rnd_below(16), o2 = rnd_below(16);
        fill_random(a + o1, n + 20);
        memcpy(b + o2, a + o1, n + 20);
        if (rnd() % 4) /* one difference, maybe beyond n */
            b[o2 + rnd_below(n + 20)] ^= (unsigned char)(1 + rnd_below(255));
        T_CHECKF(sign_of(memcmp(a + o1, b + o2, n)) ==
                     sign_of(pith_memcmp(a + o1, b + o2, n)),
                 "memcmp n %zu", n);

        int c = rnd() % 2 ? a[o1 + rnd_below(n + 1)] : (int)rnd_below(1024);
        T_CHECKF(memchr(a + o1, c, n) == pith_memchr(a + o1, c, n),
                 "memchr n %zu c %d", n, c);
    }
}

/* ---- str* ------------------------------------------------------------ */

/* A random string of length < (max) over "abc" (mostly) at (p). */
static char *rnd_str(char *p, size_t max, const char *alphabet)
{
    size_t n = rnd_below(max), k = strlen(alphabet);

    for (size_t i = 0; i < n; i++)
        p[i] = alphabet[rnd_below(k)];
    p[n] = 0;
    return p;
}

static void test_str_compare(void)
{
    char a[200], b[200];

    for (int i = 0; i < 20000; i++) {
        const char *alpha = i % 3 ? "abAB" : "a\x80\xff";
        char *s = rnd_str(a + rnd_below(8), 40, alpha);
        char *t = rnd_str(b + rnd_below(8), 40, alpha);
        size_t n = rnd_below(50);
        if (i % 5 == 0)
            strcpy(t, s);

        T_CHECK(strlen(s) == pith_strlen(s));
        T_CHECK(strnlen(s, n) == pith_strnlen(s, n));
        T_CHECKF(sign_of(strcmp(s, t)) == sign_of(pith_strcmp(s, t)),
                 "strcmp(\"%s\", \"%s\")", s, t);
        T_CHECKF(sign_of(strncmp(s, t, n)) == sign_of(pith_strncmp(s, t, n)),
                 "strncmp(\"%s\", \"%s\", %zu)", s, t, n);
        T_CHECKF(sign_of(strcasecmp(s, t)) == sign_of(pith_strcasecmp(s, t)),
                 "strcasecmp(\"%s\", \"%s\")", s, t);
        T_CHECKF(sign_of(strncasecmp(s, t, n)) ==
                     sign_of(pith_strncasecmp(s, t, n)),
                 "strncasecmp(\"%s\", \"%s\", %zu)", s, t, n);

        int c = i % 4 == 0   ? 0
                : i % 4 == 1 ? 256 + 'a' /* converted to char */
                : i % 4 == 2 ? -128      /* 0x80 as char */
                             : "abAB\x80\xff"[rnd_below(6)];
        T_CHECKF(strchr(s, c) == pith_strchr(s, c), "strchr(\"%s\", %d)", s, c);
        T_CHECKF(strrchr(s, c) == pith_strrchr(s, c), "strrchr(\"%s\", %d)", s,
                 c);

        char *acc = rnd_str(b + 100, 5, "abAB\x80");
        T_CHECKF(strspn(s, acc) == pith_strspn(s, acc),
                 "strspn(\"%s\", \"%s\")", s, acc);
        T_CHECKF(strcspn(s, acc) == pith_strcspn(s, acc),
                 "strcspn(\"%s\", \"%s\")", s, acc);
    }
    T_CHECK(pith_strspn("abc", "") == 0 && pith_strcspn("abc", "") == 3);
    T_CHECK(pith_strspn("", "abc") == 0 && pith_strcspn("", "abc") == 0);
    T_CHECK(pith_strncmp("abc", "abd", 0) == 0);
}

static void test_strstr(void)
{
    static char hay[100002], needle[2002];

    for (int i = 0; i < 30000; i++) {
        const char *alpha = i % 3 == 0 ? "ab" : i % 3 == 1 ? "abc" : "aab";
        char *h = rnd_str(hay + rnd_below(8), 200, alpha);
        char *n = needle + rnd_below(8);
        size_t hl = strlen(h);
        if (i % 2 && hl) { /* a piece of the haystack, maybe altered */
            size_t at = rnd_below(hl), len = rnd_below(hl - at + 1);
            memcpy(n, h + at, len);
            n[len] = 0;
            if (len && rnd() % 3 == 0)
                n[rnd_below(len)] = alpha[rnd_below(strlen(alpha))];
        } else {
            rnd_str(n, 14, alpha);
        }
        T_CHECKF(strstr(h, n) == pith_strstr(h, n), "strstr(\"%s\", \"%s\")", h,
                 n);
    }

    /* Periodic needles against long haystacks: the linear-time cases. */
    memset(hay, 'a', 100000);
    hay[100000] = 0;
    memset(needle, 'a', 2000);
    needle[1999] = 'b';
    needle[2000] = 0;
    T_CHECK(pith_strstr(hay, needle) == NULL);
    hay[99999] = 'b';
    T_CHECK(pith_strstr(hay, needle) == hay + 100000 - 2000);
    for (size_t i = 0; i < 100000; i++)
        hay[i] = "ab"[i % 2];
    for (size_t i = 0; i < 2000; i++)
        needle[i] = "ab"[i % 2];
    needle[1998] = 'b';
    T_CHECK(strstr(hay, needle) == pith_strstr(hay, needle));
    T_CHECK(pith_strstr("", "") != NULL && pith_strstr("abc", "") != NULL);
    T_CHECK(pith_strstr("", "a") == NULL && pith_strstr("ab", "abc") == NULL);
}

/* The truncating copies are what is being tested. */
#pragma GCC diagnostic ignored "-Wstringop-truncation"

static void test_str_copy(void)
{
    char g[128], p[128], s[64];

    for (int i = 0; i < 20000; i++) {
        size_t n = rnd_below(40), o = rnd_below(8);
        rnd_str(s, 30, "xyz");
        memset(g, '#', sizeof(g));
        rnd_str(g + o, 30, "ab");
        memcpy(p, g, sizeof(g));

        switch (i % 4) {
        case 0:
            strcpy(g + o, s);
            T_CHECK(pith_strcpy(p + o, s) == p + o);
            break;
        case 1:
            strncpy(g + o, s, n);
            T_CHECK(pith_strncpy(p + o, s, n) == p + o);
            break;
        case 2:
            strcat(g + o, s);
            T_CHECK(pith_strcat(p + o, s) == p + o);
            break;
        default:
            strncat(g + o, s, n);
            T_CHECK(pith_strncat(p + o, s, n) == p + o);
            break;
        }
        T_CHECKF(memcmp(g, p, sizeof(g)) == 0, "copy op %d n %zu", i % 4, n);
    }
}

/* ---- Runtime symbols, errno, assert, ending -------------------------- */

static void test_errno(void)
{
    static const int linux_errnos[] = {EDOM,  ERANGE, EINVAL, ENOSYS,
                                       EBADF, ENOENT, ENOMEM};

    T_CHECK(memcmp(pith_errnos, linux_errnos, sizeof(linux_errnos)) == 0);
    T_CHECK(pith___errno_location() == pith___errno_location());
    T_CHECK(pith___errno_location() != &errno);
}

static void test_runtime_symbols(void)
{
    char buf[16];
    long long t = 0;

    wall_ns = 1700000000123456789ull;
    T_CHECK(pith_time(NULL) == 1700000000);
    T_CHECK(pith_time(&t) == 1700000000 && t == 1700000000);

    PITH_ERRNO = 0;
    T_CHECK(pith_open("/dev/urandom", 0) == -1 && PITH_ERRNO == ENOSYS);
    PITH_ERRNO = 0;
    T_CHECK(pith_read(3, buf, sizeof(buf)) == -1 && PITH_ERRNO == ENOSYS);
    PITH_ERRNO = 0;
    T_CHECK(pith_close(3) == -1 && PITH_ERRNO == ENOSYS);

    /* Within bounds the _chk forms are the plain ones. */
    T_CHECK(pith___memcpy_chk(buf, "0123456789abcdef", 16, 16) == buf &&
            memcmp(buf, "0123456789abcdef", 16) == 0);
    T_CHECK(pith___memmove_chk(buf, buf + 1, 15, 16) == buf &&
            memcmp(buf, "123456789abcdeff", 16) == 0);
    T_CHECK(pith___memset_chk(buf, 'z', 16, 16) == buf && buf[15] == 'z');
}

static const char overflow_msg[] = "pith: buffer overflow detected\n";

/* Runs (what), which must abort after printing exactly (msg). */
#define EXPECT_ABORT(what, msg)                                                \
    do {                                                                       \
        console_reset();                                                       \
        if (setjmp(escape) == 0) {                                             \
            what;                                                              \
            T_CHECKF(0, "%s returned", #what);                                 \
        } else {                                                               \
            T_CHECKF(console_len == strlen(msg) &&                             \
                         memcmp(console, msg, console_len) == 0,               \
                     "%s printed \"%.*s\"", #what, (int)console_len, console); \
        }                                                                      \
    } while (0)

static void test_aborts(void)
{
    char buf[16];

    memset(buf, 0, sizeof(buf));
    EXPECT_ABORT(pith___stack_chk_fail(), "pith: stack smashing detected\n");
    EXPECT_ABORT(pith___memcpy_chk(buf, "0123456789abcdefg", 17, 16),
                 overflow_msg);
    EXPECT_ABORT(pith___memmove_chk(buf, buf + 1, 17, 16), overflow_msg);
    EXPECT_ABORT(pith___memset_chk(buf, 0, 17, 16), overflow_msg);
    T_CHECK(buf[0] == 0); /* nothing was written */
    EXPECT_ABORT(pith___assert_fail("x == 1", "lib/y.c", 42, "fn"),
                 "assertion failed: x == 1 (lib/y.c:42, fn)\n");
    EXPECT_ABORT(pith_abort(), "");

    exit_status = -1;
    console_reset();
    if (setjmp(escape) == 0) {
        pith_exit(3);
        T_CHECK(0);
    } else {
        T_CHECK(exit_status == 3);
    }
}

int main(void)
{
    T_RUN(test_snprintf_fixed);
    T_RUN(test_snprintf_truncation);
    T_RUN(test_snprintf_random);
    T_RUN(test_snprintf_unsupported);
    T_RUN(test_printf_console);
    T_RUN(test_strtol_edges);
    T_RUN(test_strtol_random);
    T_RUN(test_atoi_abs);
    T_RUN(test_qsort_ints);
    T_RUN(test_qsort_sizes);
    T_RUN(test_qsort_adversary);
    T_RUN(test_bsearch);
    T_RUN(test_ctype);
    T_RUN(test_memcpy_memset);
    T_RUN(test_memmove);
    T_RUN(test_memcmp_memchr);
    T_RUN(test_str_compare);
    T_RUN(test_strstr);
    T_RUN(test_str_copy);
    T_RUN(test_errno);
    T_RUN(test_runtime_symbols);
    T_RUN(test_aborts);
    return t_done();
}
