/*
 * Validating an untrusted ELF image before anything of it is mapped. Every
 * field is read through a bounds-checked view (<pith/bv.h>); offsets and
 * sizes from the file are checked against the file and guest memory with
 * overflow-safe arithmetic before they are used. See tender.h.
 */
#include "tender.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <pith/bv.h>

#define PAGE          4096ull
#define EH_SIZE       64 /* sizeof(Elf64_Ehdr) */
#define PH_SIZE       56 /* sizeof(Elf64_Phdr) */
#define MFT_DEV_OFF   (8 + PITH_MFT_NAME_MAX + PITH_MFT_MODULES_MAX + 8)
#define MFT_TCP_OFF   (MFT_DEV_OFF + PITH_MFT_DEV_MAX * (PITH_MFT_NAME_MAX + 8))
#define MFT_FILES_OFF (MFT_TCP_OFF + 6 * 4)
#define MFT_SIZE      (MFT_FILES_OFF + 2 * 4)

_Static_assert(MFT_SIZE == sizeof(struct pith_mft), "manifest note layout");

static int fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Decodes the manifest note's descriptor (little-endian, mft.h). */
static void mft_decode(struct bv *d, struct pith_mft *m)
{
    uint32_t i;
    size_t o = MFT_DEV_OFF;

    m->version = bv_le32(d, 0);
    m->target = bv_le32(d, 4);
    bv_copy(d, 8, m->app, sizeof m->app);
    bv_copy(d, 8 + PITH_MFT_NAME_MAX, m->modules, sizeof m->modules);
    m->ndev = bv_le32(d, 8 + PITH_MFT_NAME_MAX + PITH_MFT_MODULES_MAX);
    for (i = 0; i < PITH_MFT_DEV_MAX; i++, o += PITH_MFT_NAME_MAX + 8) {
        bv_copy(d, o, m->dev[i].name, sizeof m->dev[i].name);
        m->dev[i].kind = bv_le32(d, o + PITH_MFT_NAME_MAX);
        m->dev[i].flags = bv_le32(d, o + PITH_MFT_NAME_MAX + 4);
    }
    m->tcp.conns = bv_le32(d, MFT_TCP_OFF);
    m->tcp.sndbuf = bv_le32(d, MFT_TCP_OFF + 4);
    m->tcp.rcvbuf = bv_le32(d, MFT_TCP_OFF + 8);
    m->tcp.mem = bv_le32(d, MFT_TCP_OFF + 12);
    m->tcp.backlog = bv_le32(d, MFT_TCP_OFF + 16);
    m->tcp.time_wait = bv_le32(d, MFT_TCP_OFF + 20);
    m->nfiles = bv_le32(d, MFT_FILES_OFF);
    m->files_bytes = bv_le32(d, MFT_FILES_OFF + 4);
}

/*
 * Looks for the pith note among the notes in (notes). Returns 0 when found
 * (decoded into (m)), -1 when absent, -2 when malformed or of wrong size,
 * -3 when of another version (whose size may differ: the version comes
 * first in every layout).
 */
static int find_note(struct bv notes, struct pith_mft *m)
{
    while (bv_len(&notes) >= 12) {
        uint32_t namesz = bv_le32(&notes, 0), descsz = bv_le32(&notes, 4);
        uint32_t type = bv_le32(&notes, 8);
        size_t name_pad = ((size_t)namesz + 3) & ~(size_t)3;
        size_t desc_pad = ((size_t)descsz + 3) & ~(size_t)3;
        struct bv name = bv_sub(&notes, 12, namesz);
        struct bv desc = bv_sub(&notes, 12 + name_pad, descsz);

        if (!bv_ok(&notes))
            return -2;
        if (type == PITH_MFT_TYPE && namesz == 5 &&
            bv_eq(&name, 0, PITH_MFT_NOTE_NAME, 5)) {
            if (descsz >= 4 && bv_le32(&desc, 0) != PITH_MFT_VERSION)
                return -3;
            if (descsz != MFT_SIZE)
                return -2;
            mft_decode(&desc, m);
            return bv_ok(&desc) ? 0 : -2;
        }
        bv_shift(&notes, 12 + name_pad + desc_pad);
        if (!bv_ok(&notes))
            return -2;
    }
    return -1;
}

/* Checks that no two segments share a page and that (entry) is in text. */
static int check_layout(const struct tender_elf *e, uint64_t entry, char *why,
                        size_t whylen)
{
    unsigned i, j, entry_ok = 0;

    if (e->nload == 0)
        return fail(why, whylen, "no loadable segments");
    for (i = 0; i < e->nload; i++) {
        const struct tender_load *a = &e->load[i];
        /* Segments are page-aligned, so pages are shared only when the
         * page-rounded ranges overlap. */
        uint64_t a_end = (a->vaddr + a->memsz + PAGE - 1) & ~(PAGE - 1);
        for (j = 0; j < i; j++) {
            const struct tender_load *b = &e->load[j];
            uint64_t b_end = (b->vaddr + b->memsz + PAGE - 1) & ~(PAGE - 1);
            if (a->vaddr < b_end && b->vaddr < a_end)
                return fail(why, whylen, "segments overlap");
        }
        if ((a->flags & PF_X) && entry >= a->vaddr &&
            entry - a->vaddr < a->memsz)
            entry_ok = 1;
    }
    if (!entry_ok)
        return fail(why, whylen,
                    "entry point %#llx is not in an executable segment",
                    (unsigned long long)entry);
    return 0;
}

int tender_elf_check(const uint8_t *img, size_t len, int loadable, uint64_t lo,
                     uint64_t hi, struct tender_elf *out, char *why,
                     size_t whylen)
{
    struct bv file = bv_make(img, len), eh = bv_sub(&file, 0, EH_SIZE), phs;
    uint16_t type, machine, phentsize, phnum;
    uint64_t entry, phoff;
    const char *mwhy;
    unsigned i, found = 0;

    memset(out, 0, sizeof *out);
    if (!bv_ok(&file) || !bv_eq(&eh, 0, ELFMAG, SELFMAG))
        return fail(why, whylen, "not an ELF file");
    if (bv_u8(&eh, EI_CLASS) != ELFCLASS64)
        return fail(why, whylen, "not a 64-bit ELF file");
    if (bv_u8(&eh, EI_DATA) != ELFDATA2LSB)
        return fail(why, whylen, "not a little-endian ELF file");
    type = bv_le16(&eh, 16);
    machine = bv_le16(&eh, 18);
    if (bv_u8(&eh, EI_VERSION) != EV_CURRENT || bv_le32(&eh, 20) != EV_CURRENT)
        return fail(why, whylen, "unknown ELF version");
    if (machine != EM_X86_64)
        return fail(why, whylen, "not an x86_64 ELF file (machine %u)",
                    machine);
    entry = bv_le64(&eh, 24);
    phoff = bv_le64(&eh, 32);
    phentsize = bv_le16(&eh, 54);
    phnum = bv_le16(&eh, 56);
    phs = bv_sub(&file, phoff, (size_t)phnum * PH_SIZE);
    if (phentsize != PH_SIZE || phnum == 0 || phnum > 64 || !bv_ok(&file))
        return fail(why, whylen, "program headers out of bounds");
    if (loadable && type != ET_EXEC)
        return fail(why, whylen, "not a static executable (ELF type %u)", type);

    for (i = 0; i < phnum; i++) {
        struct bv ph = bv_sub(&phs, (size_t)i * PH_SIZE, PH_SIZE);
        uint32_t p_type = bv_le32(&ph, 0), p_flags = bv_le32(&ph, 4);
        uint64_t p_offset = bv_le64(&ph, 8), p_vaddr = bv_le64(&ph, 16);
        uint64_t p_filesz = bv_le64(&ph, 32), p_memsz = bv_le64(&ph, 40);
        /* A view of the segment's bytes, checked per header: one header's
         * bad range must not taint the file view for the next. */
        struct bv f = file, content = bv_sub(&f, p_offset, p_filesz);
        int in_file = bv_ok(&f);
        struct tender_load *l;

        if (p_type == PT_NOTE && !found) {
            int rc;
            if (!in_file)
                return fail(why, whylen, "note segment %u out of bounds", i);
            rc = find_note(content, &out->mft);
            if (rc == -2)
                return fail(why, whylen, "malformed pith manifest note");
            if (rc == -3)
                return fail(why, whylen, "unsupported manifest version");
            found = rc == 0;
        }
        if (p_type != PT_LOAD || !loadable || p_memsz == 0)
            continue;
        if (out->nload == TENDER_ELF_MAX_LOADS)
            return fail(why, whylen, "more than %d loadable segments",
                        TENDER_ELF_MAX_LOADS);
        if (p_filesz > p_memsz)
            return fail(why, whylen,
                        "segment %u: file size exceeds memory size", i);
        if (!in_file)
            return fail(why, whylen,
                        "segment %u: extends past the end of the file", i);
        if (p_vaddr % PAGE)
            return fail(why, whylen, "segment %u: not page-aligned", i);
        if (p_vaddr < lo || p_vaddr >= hi || p_memsz > hi - p_vaddr)
            return fail(why, whylen,
                        "segment %u: outside guest memory [%#llx, %#llx)", i,
                        (unsigned long long)lo, (unsigned long long)hi);
        if ((p_flags & PF_W) && (p_flags & PF_X))
            return fail(why, whylen, "segment %u: writable and executable", i);
        l = &out->load[out->nload++];
        l->vaddr = p_vaddr;
        l->memsz = p_memsz;
        l->offset = p_offset;
        l->filesz = p_filesz;
        l->flags = p_flags;
    }
    if (!found)
        return fail(why, whylen, "not a pith image (no manifest note)");
    if (pith_mft_check(&out->mft, &mwhy) < 0)
        return fail(why, whylen, "%s", mwhy);
    if (!loadable)
        return 0;
    if (check_layout(out, entry, why, whylen) < 0)
        return -1;
    out->entry = entry;
    return 0;
}
