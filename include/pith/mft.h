/*
 * The manifest as recorded inside an image: an ELF note that names the app,
 * its target, its modules and the devices it may use.
 *
 * `pith build` turns the app's manifest file into this note; tenders and
 * `pith inspect` read it back from the ELF file; the platform layer reads it
 * from memory through the symbol pith_mft. This layout is the ABI between
 * those three: change it only together with PITH_MFT_VERSION.
 *
 * Note header: namesz 5, descsz sizeof(struct pith_mft), type PITH_MFT_TYPE,
 * name "PITH\0", all fields little-endian.
 */
#ifndef PITH_MFT_H
#define PITH_MFT_H

#include <stdint.h>

#define PITH_MFT_NOTE_NAME "PITH"
#define PITH_MFT_TYPE      0x50490001u
#define PITH_MFT_VERSION   2u

#define PITH_MFT_NAME_MAX    32  /* device and app names, with the NUL */
#define PITH_MFT_MODULES_MAX 128 /* space-separated module list, with NUL */
#define PITH_MFT_DEV_MAX     16  /* devices an image may declare */

enum pith_mft_kind {
    PITH_MFT_NET = 1,
    PITH_MFT_BLOCK = 2,
};

enum pith_mft_target {
    PITH_TARGET_UNIX = 1,
    PITH_TARGET_SPT = 2,
    PITH_TARGET_VIRTIO = 3,
};

/* A device the operator may leave unbound (`block NAME optional`): the
 * platform then acquires nothing under its name (PITH_ENOENT). */
#define PITH_MFT_DEV_OPTIONAL 1u

struct pith_mft_dev {
    char name[PITH_MFT_NAME_MAX];
    uint32_t kind;  /* enum pith_mft_kind */
    uint32_t flags; /* PITH_MFT_DEV_*; 0 in images from before them */
};

/*
 * TCP limits from the manifest's `tcp` line (docs/MANIFEST.md); 0 means
 * "the stack's default" (TCP_DEFAULT_* of <pith/tcp.h>). Bytes, except
 * the counts conns, backlog and time_wait.
 */
struct pith_mft_tcp {
    uint32_t conns, sndbuf, rcvbuf, mem, backlog, time_wait;
};

struct pith_mft {
    uint32_t version; /* PITH_MFT_VERSION */
    uint32_t target;  /* enum pith_mft_target */
    char app[PITH_MFT_NAME_MAX];
    char modules[PITH_MFT_MODULES_MAX];
    uint32_t ndev;
    uint32_t reserved;
    struct pith_mft_dev dev[PITH_MFT_DEV_MAX];
    struct pith_mft_tcp tcp;
    /* What the `files` lines baked in (<pith/files.h>), for `pith
     * inspect`: the image reads the table itself. Reserved, hence 0, in
     * images from before the files line. */
    uint32_t nfiles;
    uint32_t files_bytes;
};

/* The image's own copy, emitted by `pith build` into section .note.pith. */
extern const struct pith_mft pith_mft;

/*
 * Checks a manifest read from an untrusted image: known version and
 * target, NUL-terminated names made of [A-Za-z0-9_-], known kinds and
 * device flags, ndev
 * within bounds, no two devices of one name. Returns 0 when sound, else
 * stores a static description of the first problem in (*why) and returns
 * -1. Header-only so that images, tenders and the tool share one check.
 */
static inline int pith_mft_name_ok(const char *s, unsigned max)
{
    unsigned i;
    for (i = 0; i < max && s[i]; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return i > 0 && i < max;
}

static inline int pith_mft_check(const struct pith_mft *m, const char **why)
{
    uint32_t i, j;
    if (m->version != PITH_MFT_VERSION) {
        *why = "unsupported manifest version";
        return -1;
    }
    if (m->target != PITH_TARGET_UNIX && m->target != PITH_TARGET_SPT &&
        m->target != PITH_TARGET_VIRTIO) {
        *why = "unknown target in manifest";
        return -1;
    }
    if (!pith_mft_name_ok(m->app, PITH_MFT_NAME_MAX)) {
        *why = "bad app name in manifest";
        return -1;
    }
    for (i = 0; i < PITH_MFT_MODULES_MAX && m->modules[i]; i++)
        ;
    if (i == PITH_MFT_MODULES_MAX) {
        *why = "unterminated module list in manifest";
        return -1;
    }
    if (m->ndev > PITH_MFT_DEV_MAX) {
        *why = "too many devices in manifest";
        return -1;
    }
    for (i = 0; i < m->ndev; i++) {
        if (!pith_mft_name_ok(m->dev[i].name, PITH_MFT_NAME_MAX)) {
            *why = "bad device name in manifest";
            return -1;
        }
        if (m->dev[i].kind != PITH_MFT_NET &&
            m->dev[i].kind != PITH_MFT_BLOCK) {
            *why = "unknown device kind in manifest";
            return -1;
        }
        if (m->dev[i].flags & ~PITH_MFT_DEV_OPTIONAL) {
            *why = "unknown device flags in manifest";
            return -1;
        }
        for (j = 0; j < i; j++) {
            const char *a = m->dev[i].name, *b = m->dev[j].name;
            while (*a && *a == *b) {
                a++;
                b++;
            }
            if (*a == *b) {
                *why = "device declared twice in manifest";
                return -1;
            }
        }
    }
    return 0;
}

static inline const char *pith_mft_kind_name(uint32_t kind)
{
    return kind == PITH_MFT_NET     ? "net"
           : kind == PITH_MFT_BLOCK ? "block"
                                    : "?";
}

static inline const char *pith_mft_target_name(uint32_t t)
{
    return t == PITH_TARGET_UNIX     ? "unix"
           : t == PITH_TARGET_SPT    ? "spt"
           : t == PITH_TARGET_VIRTIO ? "virtio"
                                     : "?";
}

#endif
