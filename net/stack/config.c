/* stack: addresses and the command-line configuration. See <pith/net.h>. */
#include <stdio.h>
#include <string.h>
#include <pith/err.h>
#include <pith/net.h>

/* Reads a decimal number of 1 to 3 digits without a leading zero (but
 * "0") at (*s), at most (max); advances (*s). -1 when there is none. */
static long cfg_num(const char **s, long max)
{
    const char *p = *s;
    long v = 0;
    int k = 0;

    while (*p >= '0' && *p <= '9' && k < 4) {
        v = v * 10 + (*p - '0');
        p++;
        k++;
    }
    if (k == 0 || k > 3 || (k > 1 && **s == '0') || v > max)
        return -1;
    *s = p;
    return v;
}

/* Parses a dotted quad at (*s), leaving (*s) after it. */
static int cfg_quad(const char **s, uint32_t *a)
{
    uint32_t v = 0;
    long x;
    int i;

    for (i = 0; i < 4; i++) {
        if (i > 0) {
            if (**s != '.')
                return PITH_EINVAL;
            (*s)++;
        }
        x = cfg_num(s, 255);
        if (x < 0)
            return PITH_EINVAL;
        v = v << 8 | (uint32_t)x;
    }
    *a = v;
    return PITH_OK;
}

int net_ip4_parse(const char *s, uint32_t *a)
{
    uint32_t v;

    if (cfg_quad(&s, &v) < 0 || *s)
        return PITH_EINVAL;
    *a = v;
    return PITH_OK;
}

char *net_ip4_format(uint32_t a, char buf[NET_IP4_STRLEN])
{
    snprintf(buf, NET_IP4_STRLEN, "%u.%u.%u.%u", (unsigned)(a >> 24),
             (unsigned)(a >> 16 & 0xff), (unsigned)(a >> 8 & 0xff),
             (unsigned)(a & 0xff));
    return buf;
}

/* Whether (a) can be a host's unicast address at all. */
static int cfg_unicast(uint32_t a)
{
    return a != 0 && a >> 24 != 127 && a >> 28 < 0xe; /* not 0, 127/8,
                                                          224/4, 240/4 */
}

/* Writes "OPT=VAL: WHY" to (err): one line, so control characters in VAL
 * become '?', and a long VAL is cut. */
static int cfg_fail(char *err, size_t errlen, const char *opt, const char *val,
                    const char *why)
{
    char shown[48];
    size_t i;

    for (i = 0; val && val[i] && i < sizeof shown - 4; i++)
        shown[i] =
            (unsigned char)val[i] < 0x20 || val[i] == 0x7f ? '?' : val[i];
    if (val && val[i]) {
        memcpy(shown + i, "...", 3);
        i += 3;
    }
    shown[i] = '\0';
    if (errlen > 0)
        snprintf(err, errlen, "%s%s%s: %s", opt, val ? "=" : "", shown, why);
    return PITH_EINVAL;
}

/* The value of option (name) in argv[*i], "--name=V" or "--name V", or
 * NULL when argv[*i] is not that option; (*missing) when it has none. */
static const char *cfg_opt(int argc, char **argv, int *i, const char *name,
                           int *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];

    *missing = 0;
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL; /* another option with this prefix */
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

int net_config_parse(int argc, char **argv, struct net_config *c, char *err,
                     size_t errlen)
{
    const char *ip = NULL, *gw = NULL, *v, *s;
    uint32_t mask;
    char buf[NET_IP4_STRLEN], why[64];
    long prefix;
    int i, missing;

    memset(c, 0, sizeof *c);
    if (errlen > 0)
        err[0] = '\0';
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-offload") == 0)
            c->no_offload = 1;
        else if ((v = cfg_opt(argc, argv, &i, "--ipv4", &missing)))
            ip = v;
        else if (missing)
            return cfg_fail(err, errlen, "--ipv4", NULL, "missing value");
        else if ((v = cfg_opt(argc, argv, &i, "--ipv4-gateway", &missing)))
            gw = v;
        else if (missing)
            return cfg_fail(err, errlen, "--ipv4-gateway", NULL,
                            "missing value");
    }
    if (ip) {
        s = ip;
        if (cfg_quad(&s, &c->addr) < 0 || (*s && *s != '/'))
            return cfg_fail(err, errlen, "--ipv4", ip, "bad address");
        if (*s != '/')
            return cfg_fail(err, errlen, "--ipv4", ip, "expected ADDR/PREFIX");
        s++;
        prefix = cfg_num(&s, 32);
        if (prefix < 0 || *s)
            return cfg_fail(err, errlen, "--ipv4", ip, "bad prefix length");
        c->prefix = (unsigned)prefix;
        mask = prefix ? 0xffffffffu << (32 - prefix) : 0;
        if (!cfg_unicast(c->addr))
            return cfg_fail(err, errlen, "--ipv4", ip, "not a host address");
        /* The prefix's network and broadcast addresses; /31 and /32 have
         * neither (RFC 3021). */
        if (prefix <= 30 &&
            ((c->addr & ~mask) == 0 || (c->addr & ~mask) == ~mask))
            return cfg_fail(err, errlen, "--ipv4", ip,
                            "not a host address in its prefix");
    }
    if (gw) {
        if (net_ip4_parse(gw, &c->gateway) < 0)
            return cfg_fail(err, errlen, "--ipv4-gateway", gw, "bad address");
        if (!ip)
            return cfg_fail(err, errlen, "--ipv4-gateway", gw,
                            "needs --ipv4=ADDR/PREFIX");
        mask = c->prefix ? 0xffffffffu << (32 - c->prefix) : 0;
        if (!cfg_unicast(c->gateway) || c->gateway == c->addr ||
            (c->gateway & mask) != (c->addr & mask)) {
            snprintf(why, sizeof why, "not another host on %s/%u",
                     net_ip4_format(c->addr & mask, buf), c->prefix);
            return cfg_fail(err, errlen, "--ipv4-gateway", gw, why);
        }
    }
    return PITH_OK;
}
