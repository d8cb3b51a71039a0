/*
 * Host-side code shared by everything that starts an image on Linux: the
 * spt tender, the unix target's own start-up, and the pith tool. Parses
 * the run-time options, binds the manifest's devices to host resources and
 * opens them, and validates ELF images.
 *
 * Every function that fails prints one line "PROG: what went wrong" on
 * stderr (PROG from tender_prog) and returns -1.
 */
#ifndef PITH_TENDER_H
#define PITH_TENDER_H

#include <stddef.h>
#include <stdint.h>
#include <pith/plat.h>
#include <pith/mft.h>

/* Exit status of a tender or image that refuses to start. */
#define TENDER_EXIT_SETUP 125

/* Default and largest memory for an image, in MiB (--mem). */
#define TENDER_MEM_DEFAULT 64
#define TENDER_MEM_MAX     65536

/* The program name used in error messages; set once by main(). */
extern const char *tender_prog;

void tender_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct tender_bind {
    char name[PITH_MFT_NAME_MAX];
    uint32_t kind;    /* PITH_MFT_NET or PITH_MFT_BLOCK */
    const char *host; /* tap interface or file path, from argv */
    int has_mac;
    uint8_t mac[6];
};

struct tender_opts {
    const char *image; /* the positional IMAGE; NULL when not wanted */
    uint64_t mem_mib;  /* --mem=MIB */
    struct tender_bind bind[PITH_MFT_DEV_MAX];
    unsigned nbind;
    char cmdline[4096]; /* the words after "--", joined by spaces */
};

/*
 * Parses (argc, argv): --net:NAME=TAP, --block:NAME=FILE,
 * --net-mac:NAME=xx:xx:xx:xx:xx:xx, --mem=MIB, and after "--" the image's
 * own arguments. When (want_image) is set, exactly one positional IMAGE is
 * required. Returns 0, 1 when --help was asked (usage is printed), -1 on
 * an error.
 */
int tender_parse(int argc, char **argv, int want_image, struct tender_opts *o);

/* Prints the options tender_parse() takes, for --help texts. */
void tender_usage_options(void);

/*
 * Matches the bindings in (o) with the devices (m) declares: each declared
 * device must be bound once, unless it is optional, and nothing undeclared
 * may be bound. On success stores in (*order)[i] the binding for manifest
 * device i, or NULL for an optional device left unbound (absent: the
 * image cannot acquire it).
 */
int tender_bind(const struct pith_mft *m, const struct tender_opts *o,
                const struct tender_bind *order[PITH_MFT_DEV_MAX]);

/*
 * Opens the tap interface (ifname), which must exist, as a non-blocking
 * queue; fills (info) with its MTU and (mac) or a random locally
 * administered MAC. Returns the fd or -1.
 */
int tender_tap_open(const struct tender_bind *b, struct plat_net_info *info);

/*
 * Creates the tap interface (ifname) as a persistent device owned by root,
 * and brings it up. Returns 0 or -1.
 */
int tender_tap_create(const char *ifname);

/* Whether the network interface (ifname) exists on this host. */
int tender_if_exists(const char *ifname);

/* Opens the file (b->host) read-write as a block device. Returns fd or -1. */
int tender_block_open(const struct tender_bind *b,
                      struct plat_block_info *info);

/* ---- ELF images ---- */

#define TENDER_ELF_MAX_LOADS 8

struct tender_load {
    uint64_t vaddr, memsz, offset, filesz;
    uint32_t flags; /* PF_R | PF_W | PF_X */
};

struct tender_elf {
    uint64_t entry;
    struct tender_load load[TENDER_ELF_MAX_LOADS];
    unsigned nload;
    struct pith_mft mft; /* copied out of the note, checked */
};

/*
 * Validates the ELF file (img, len) as a pith image and extracts what a
 * loader needs. Checks: 64-bit little-endian x86_64, program headers
 * within the file, a sound pith manifest note. With (loadable) set, also
 * that it is an executable (ET_EXEC) whose PT_LOAD segments lie within
 * [lo, hi), are page-aligned, do not overlap, are never writable and
 * executable at once, and that the entry point lies in an executable
 * segment. On failure stores a one-line reason in (why) and returns -1.
 */
int tender_elf_check(const uint8_t *img, size_t len, int loadable, uint64_t lo,
                     uint64_t hi, struct tender_elf *out, char *why,
                     size_t whylen);

/* Reads the whole file (path) into a malloc'd buffer. Returns 0 or -1. */
int tender_read_file(const char *path, uint8_t **buf, size_t *len);

#endif
