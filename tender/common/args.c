/* Run-time options and device binding. See tender.h. */
#include "tender.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tender_prog = "pith";

void tender_err(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", tender_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void tender_usage_options(void)
{
    printf("  --net:NAME=TAP        bind net device NAME to tap interface "
           "TAP\n"
           "  --net-mac:NAME=MAC    give net device NAME this MAC "
           "(default: random)\n"
           "  --block:NAME=FILE     bind block device NAME to FILE\n"
           "  --mem=MIB             memory for the image (default %d)\n"
           "  -- ARGS...            arguments for the image itself\n",
           TENDER_MEM_DEFAULT);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    int i;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &tail) != 6)
        return -1;
    for (i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    if (mac[0] & 1)
        return -1; /* multicast: never a station address */
    return 0;
}

static struct tender_bind *find_bind(struct tender_opts *o, const char *name,
                                     size_t nlen)
{
    unsigned i;
    for (i = 0; i < o->nbind; i++)
        if (strlen(o->bind[i].name) == nlen &&
            memcmp(o->bind[i].name, name, nlen) == 0)
            return &o->bind[i];
    return NULL;
}

/* Parses "NAME=VALUE" after "--net:" and the like. */
static int parse_binding(struct tender_opts *o, const char *opt,
                         const char *arg, uint32_t kind, int is_mac)
{
    const char *eq = strchr(arg, '=');
    size_t nlen = eq ? (size_t)(eq - arg) : 0;
    struct tender_bind *b;
    char name[PITH_MFT_NAME_MAX];

    if (!eq || nlen == 0 || eq[1] == '\0') {
        tender_err("%s%s: expected %sNAME=%s", opt, arg, opt,
                   is_mac                 ? "MAC"
                   : kind == PITH_MFT_NET ? "TAP"
                                          : "FILE");
        return -1;
    }
    if (nlen >= PITH_MFT_NAME_MAX) {
        tender_err("%s%s: device name longer than %d characters", opt, arg,
                   PITH_MFT_NAME_MAX - 1);
        return -1;
    }
    memcpy(name, arg, nlen);
    name[nlen] = '\0';
    if (!pith_mft_name_ok(name, PITH_MFT_NAME_MAX)) {
        tender_err("%s%s: bad device name '%s'", opt, arg, name);
        return -1;
    }
    b = find_bind(o, name, nlen);
    if (is_mac) {
        if (!b || b->kind != PITH_MFT_NET) {
            tender_err("%s%s: give --net:%s=TAP before its MAC", opt, arg,
                       name);
            return -1;
        }
        if (parse_mac(eq + 1, b->mac) < 0) {
            tender_err("%s%s: expected a unicast MAC like 02:00:00:00:00:01",
                       opt, arg);
            return -1;
        }
        b->has_mac = 1;
        return 0;
    }
    if (b) {
        tender_err("%s%s: device '%s' is bound twice", opt, arg, name);
        return -1;
    }
    if (o->nbind == PITH_MFT_DEV_MAX) {
        tender_err("%s%s: more than %d devices", opt, arg, PITH_MFT_DEV_MAX);
        return -1;
    }
    b = &o->bind[o->nbind++];
    memset(b, 0, sizeof *b);
    memcpy(b->name, name, nlen + 1);
    b->kind = kind;
    b->host = eq + 1;
    return 0;
}

static int append_arg(struct tender_opts *o, const char *arg)
{
    size_t have = strlen(o->cmdline), n = strlen(arg);
    if (n == 0 || strpbrk(arg, " \t\n")) {
        tender_err("image argument '%s': arguments may not be empty or "
                   "contain white space",
                   arg);
        return -1;
    }
    if (have + (have ? 1 : 0) + n + 1 > sizeof o->cmdline) {
        tender_err("image arguments longer than %zu bytes",
                   sizeof o->cmdline - 1);
        return -1;
    }
    if (have)
        o->cmdline[have++] = ' ';
    memcpy(o->cmdline + have, arg, n + 1);
    return 0;
}

int tender_parse(int argc, char **argv, int want_image, struct tender_opts *o)
{
    int i;

    memset(o, 0, sizeof *o);
    o->mem_mib = TENDER_MEM_DEFAULT;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                if (append_arg(o, argv[i]) < 0)
                    return -1;
            break;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            return 1;
        } else if (strncmp(a, "--net:", 6) == 0) {
            if (parse_binding(o, "--net:", a + 6, PITH_MFT_NET, 0) < 0)
                return -1;
        } else if (strncmp(a, "--net-mac:", 10) == 0) {
            if (parse_binding(o, "--net-mac:", a + 10, PITH_MFT_NET, 1) < 0)
                return -1;
        } else if (strncmp(a, "--block:", 8) == 0) {
            if (parse_binding(o, "--block:", a + 8, PITH_MFT_BLOCK, 0) < 0)
                return -1;
        } else if (strncmp(a, "--mem=", 6) == 0) {
            char *end;
            unsigned long long v;
            errno = 0;
            v = strtoull(a + 6, &end, 10);
            if (errno || end == a + 6 || *end || v < 1 || v > TENDER_MEM_MAX) {
                tender_err("%s: expected a size in MiB from 1 to %d", a,
                           TENDER_MEM_MAX);
                return -1;
            }
            o->mem_mib = v;
        } else if (a[0] == '-') {
            tender_err("unknown option '%s' (try --help)", a);
            return -1;
        } else if (want_image && !o->image) {
            o->image = a;
        } else {
            tender_err("unexpected argument '%s' (image arguments go after "
                       "--)",
                       a);
            return -1;
        }
    }
    if (want_image && !o->image) {
        tender_err("no image given (try --help)");
        return -1;
    }
    return 0;
}

int tender_bind(const struct pith_mft *m, const struct tender_opts *o,
                const struct tender_bind *order[PITH_MFT_DEV_MAX])
{
    unsigned i, j;

    for (j = 0; j < m->ndev; j++)
        order[j] = NULL;
    for (i = 0; i < o->nbind; i++) {
        const struct tender_bind *b = &o->bind[i];
        for (j = 0; j < m->ndev; j++)
            if (strcmp(m->dev[j].name, b->name) == 0)
                break;
        if (j == m->ndev || m->dev[j].kind != b->kind) {
            tender_err("--%s:%s: the image declares no %s device named '%s'",
                       pith_mft_kind_name(b->kind), b->name,
                       pith_mft_kind_name(b->kind), b->name);
            return -1;
        }
        order[j] = b;
    }
    for (j = 0; j < m->ndev; j++) {
        if (!order[j] && !(m->dev[j].flags & PITH_MFT_DEV_OPTIONAL)) {
            tender_err("the image needs %s device '%s': bind it with "
                       "--%s:%s=%s",
                       pith_mft_kind_name(m->dev[j].kind), m->dev[j].name,
                       pith_mft_kind_name(m->dev[j].kind), m->dev[j].name,
                       m->dev[j].kind == PITH_MFT_NET ? "TAP" : "FILE");
            return -1;
        }
    }
    return 0;
}
