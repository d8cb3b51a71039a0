/* strcasecmp and strncasecmp: ASCII case folding, as in the C locale. */
#include <strings.h>

static int lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int strcasecmp(const char *a, const char *b)
{
    return strncasecmp(a, b, (size_t)-1);
}

int strncasecmp(const char *a, const char *b, size_t n)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;

    for (; n; n--, p++, q++) {
        int d = lower(*p) - lower(*q);
        if (d || !*p)
            return d;
    }
    return 0;
}
