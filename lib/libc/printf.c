/*
 * snprintf and printf: one formatter writing into a sink. snprintf's sink
 * is the caller's buffer and drops what does not fit; printf's is a small
 * stack buffer flushed to the console whenever it fills, so output of any
 * length goes out whole. The formatter always counts every byte, which
 * gives C99's "would-be length" return value.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pith/plat.h>

struct sink {
    char *buf;
    size_t cap;   /* room in buf */
    size_t pos;   /* bytes now in buf */
    size_t total; /* bytes produced, kept or not */
    /* Empties buf when it is full; NULL drops bytes beyond cap. */
    void (*flush)(struct sink *s);
};

/* Makes room in (s), returning how much there is (0: drop). */
static size_t sink_room(struct sink *s)
{
    if (s->pos == s->cap && s->flush)
        s->flush(s);
    return s->cap - s->pos;
}

static void put_bytes(struct sink *s, const char *p, size_t n)
{
    s->total += n;
    for (; n; n--) {
        if (s->pos == s->cap && (!s->flush || (s->flush(s), s->pos == s->cap)))
            return;
        s->buf[s->pos++] = *p++;
    }
}

static void put_fill(struct sink *s, char c, size_t n)
{
    s->total += n;
    while (n) {
        size_t m = sink_room(s);
        if (m == 0)
            return;
        if (m > n)
            m = n;
        memset(s->buf + s->pos, c, m);
        s->pos += m;
        n -= m;
    }
}

/* One conversion specification, once parsed. */
struct spec {
    unsigned char left, plus, space, alt, zero;
    int width; /* >= 0 */
    int prec;  /* < 0: none given */
};

static size_t pad_of(const struct spec *sp, size_t len)
{
    return (size_t)sp->width > len ? (size_t)sp->width - len : 0;
}

/* Writes (p)[0..n) padded with spaces to the width. */
static void put_padded(struct sink *s, const struct spec *sp, const char *p,
                       size_t n)
{
    size_t pad = pad_of(sp, n);

    if (!sp->left)
        put_fill(s, ' ', pad);
    put_bytes(s, p, n);
    if (sp->left)
        put_fill(s, ' ', pad);
}

/*
 * Writes (v) in (base) with an optional (sign) character and (prefix),
 * honouring precision, '#' for octal, zero padding and width.
 */
static void put_number(struct sink *s, const struct spec *sp,
                       unsigned long long v, unsigned base, int upper,
                       char sign, const char *prefix)
{
    const char *xd = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[3 * sizeof(v)]; /* octal needs 22 for 64 bits */
    char *end = digits + sizeof(digits), *d = end;
    size_t nd, zeros, body, pfx = strlen(prefix);

    if (v || sp->prec != 0) {
        do {
            *--d = xd[v % base];
            v /= base;
        } while (v);
    }
    nd = (size_t)(end - d);
    zeros = sp->prec > 0 && (size_t)sp->prec > nd ? (size_t)sp->prec - nd : 0;
    /* '#' with 'o': the first digit printed must be a 0. */
    if (sp->alt && base == 8 && zeros == 0 && (nd == 0 || *d != '0'))
        zeros = 1;
    body = (sign != 0) + pfx + zeros + nd;
    if (sp->zero && !sp->left && sp->prec < 0) {
        zeros += pad_of(sp, body);
        body = (sign != 0) + pfx + zeros + nd;
    }

    if (!sp->left)
        put_fill(s, ' ', pad_of(sp, body));
    if (sign)
        put_bytes(s, &sign, 1);
    put_bytes(s, prefix, pfx);
    put_fill(s, '0', zeros);
    put_bytes(s, d, nd);
    if (sp->left)
        put_fill(s, ' ', pad_of(sp, body));
}

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

/* Reads a decimal field, saturating at INT_MAX. */
static int read_decimal(const char **fmt)
{
    int v = 0;

    for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++) {
        int dg = **fmt - '0';
        v = v > (INT_MAX - dg) / 10 ? INT_MAX : v * 10 + dg;
    }
    return v;
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
    while (*fmt) {
        const char *start = fmt;
        struct spec sp = {0, 0, 0, 0, 0, 0, -1};
        enum length len = LEN_NONE;
        unsigned long long u;
        char sign = 0;
        int conv;

        if (*fmt != '%') {
            while (*fmt && *fmt != '%')
                fmt++;
            put_bytes(s, start, (size_t)(fmt - start));
            continue;
        }

        for (fmt++;; fmt++) {
            switch (*fmt) {
            case '-':
                sp.left = 1;
                continue;
            case '+':
                sp.plus = 1;
                continue;
            case ' ':
                sp.space = 1;
                continue;
            case '#':
                sp.alt = 1;
                continue;
            case '0':
                sp.zero = 1;
                continue;
            }
            break;
        }
        if (*fmt == '*') {
            int w = va_arg(ap, int);
            fmt++;
            if (w < 0) {
                sp.left = 1;
                w = w == INT_MIN ? INT_MAX : -w;
            }
            sp.width = w;
        } else {
            sp.width = read_decimal(&fmt);
        }
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                int p = va_arg(ap, int);
                fmt++;
                sp.prec = p < 0 ? -1 : p;
            } else {
                sp.prec = read_decimal(&fmt);
            }
        }
        switch (*fmt) {
        case 'h':
            len = fmt[1] == 'h' ? LEN_HH : LEN_H;
            fmt += len == LEN_HH ? 2 : 1;
            break;
        case 'l':
            len = fmt[1] == 'l' ? LEN_LL : LEN_L;
            fmt += len == LEN_LL ? 2 : 1;
            break;
        case 'z':
            len = LEN_Z;
            fmt++;
            break;
        case 'j':
            len = LEN_J;
            fmt++;
            break;
        case 't':
            len = LEN_T;
            fmt++;
            break;
        }

        conv = *fmt;
        if (!conv) { /* the format ends inside a specification */
            put_bytes(s, start, (size_t)(fmt - start));
            return;
        }
        fmt++;

        switch (conv) {
        case 'd':
        case 'i': {
            long long v;
            switch (len) {
            case LEN_HH:
                v = (signed char)va_arg(ap, int);
                break;
            case LEN_H:
                v = (short)va_arg(ap, int);
                break;
            case LEN_L:
                v = va_arg(ap, long);
                break;
            case LEN_LL:
                v = va_arg(ap, long long);
                break;
            case LEN_Z: /* the signed type of size_t's width */
                v = (long long)va_arg(ap, size_t);
                break;
            case LEN_J:
                v = va_arg(ap, intmax_t);
                break;
            case LEN_T:
                v = va_arg(ap, ptrdiff_t);
                break;
            default:
                v = va_arg(ap, int);
                break;
            }
            u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
            sign = v < 0 ? '-' : sp.plus ? '+' : sp.space ? ' ' : 0;
            put_number(s, &sp, u, 10, 0, sign, "");
            continue;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
            const char *prefix = "";
            switch (len) {
            case LEN_HH:
                u = (unsigned char)va_arg(ap, unsigned);
                break;
            case LEN_H:
                u = (unsigned short)va_arg(ap, unsigned);
                break;
            case LEN_L:
                u = va_arg(ap, unsigned long);
                break;
            case LEN_LL:
                u = va_arg(ap, unsigned long long);
                break;
            case LEN_Z:
                u = va_arg(ap, size_t);
                break;
            case LEN_J:
                u = va_arg(ap, uintmax_t);
                break;
            case LEN_T: /* the unsigned type of ptrdiff_t's width */
                u = (size_t)va_arg(ap, ptrdiff_t);
                break;
            default:
                u = va_arg(ap, unsigned);
                break;
            }
            if (sp.alt && base == 16 && u)
                prefix = conv == 'x' ? "0x" : "0X";
            put_number(s, &sp, u, base, conv == 'X', 0, prefix);
            continue;
        }
        }

        /* The rest take no length modifier. */
        if (len != LEN_NONE) {
            put_bytes(s, start, (size_t)(fmt - start));
            continue;
        }
        switch (conv) {
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_padded(s, &sp, &c, 1);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            /* glibc's choice: "(null)", or nothing if it would be cut. */
            if (!str)
                str = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
            put_padded(s, &sp, str,
                       sp.prec < 0 ? strlen(str)
                                   : strnlen(str, (size_t)sp.prec));
            break;
        }
        case 'p': {
            const void *p = va_arg(ap, const void *);
            /* glibc's %p: "(nil)", or as %#lx keeping '+' and ' '. */
            if (!p) {
                put_padded(s, &sp, "(nil)", 5);
                break;
            }
            sign = sp.plus ? '+' : sp.space ? ' ' : 0;
            put_number(s, &sp, (uintptr_t)p, 16, 0, sign, "0x");
            break;
        }
        case '%':
            put_bytes(s, "%", 1);
            break;
        default: /* unsupported: copy it out as written */
            put_bytes(s, start, (size_t)(fmt - start));
            break;
        }
    }
}

static int result(const struct sink *s)
{
    return s->total > INT_MAX ? -1 : (int)s->total;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt,
              va_list ap)
{
    struct sink s = {buf, size ? size - 1 : 0, 0, 0, NULL};

    format(&s, fmt, ap);
    if (size)
        buf[s.pos] = 0;
    return result(&s);
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return r;
}

static void console_flush(struct sink *s)
{
    plat_console_write(s->buf, s->pos);
    s->pos = 0;
}

int vprintf(const char *restrict fmt, va_list ap)
{
    char buf[256];
    struct sink s = {buf, sizeof(buf), 0, 0, console_flush};

    format(&s, fmt, ap);
    if (s.pos)
        console_flush(&s);
    return result(&s);
}

int printf(const char *restrict fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vprintf(fmt, ap);
    va_end(ap);
    return r;
}

int puts(const char *str)
{
    size_t n = strlen(str);

    plat_console_write(str, n);
    plat_console_write("\n", 1);
    return n < INT_MAX ? (int)n + 1 : INT_MAX;
}

int putchar(int c)
{
    char ch = (char)c;

    plat_console_write(&ch, 1);
    return (unsigned char)c;
}
