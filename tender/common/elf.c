/*
 * Validating an untrusted ELF image before anything of it is mapped. Every
 * offset and size from the file is checked against the file's length with
 * overflow-safe arithmetic before it is used. See tender.h.
 */
#include "tender.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PAGE 4096ull

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

/* Whether [off, off+size) lies within a file of (len) bytes. */
static int in_file(uint64_t off, uint64_t size, size_t len)
{
    return off <= len && size <= len - off;
}

/* Looks for the pith note in the notes at img[off, off+size). */
static int find_note(const uint8_t *img, uint64_t off, uint64_t size,
                     struct pith_mft *mft)
{
    uint64_t p = off, end = off + size;
    while (end - p >= sizeof(Elf64_Nhdr)) {
        Elf64_Nhdr nh;
        uint64_t name_sz, desc_sz;
        memcpy(&nh, img + p, sizeof nh);
        p += sizeof nh;
        name_sz = ((uint64_t)nh.n_namesz + 3) & ~3ull;
        desc_sz = ((uint64_t)nh.n_descsz + 3) & ~3ull;
        if (name_sz > end - p || desc_sz > end - p - name_sz)
            return -1;
        if (nh.n_type == PITH_MFT_TYPE && nh.n_namesz == 5 &&
            memcmp(img + p, PITH_MFT_NOTE_NAME, 5) == 0) {
            if (nh.n_descsz != sizeof *mft)
                return -2;
            memcpy(mft, img + p + name_sz, sizeof *mft);
            return 0;
        }
        p += name_sz + desc_sz;
    }
    return -1;
}

int tender_elf_check(const uint8_t *img, size_t len, int loadable, uint64_t lo,
                     uint64_t hi, struct tender_elf *out, char *why,
                     size_t whylen)
{
    Elf64_Ehdr eh;
    const char *mwhy;
    unsigned i, j, found = 0, entry_ok = 0;

    memset(out, 0, sizeof *out);
    if (len < sizeof eh || memcmp(img, ELFMAG, SELFMAG) != 0)
        return fail(why, whylen, "not an ELF file");
    memcpy(&eh, img, sizeof eh);
    if (eh.e_ident[EI_CLASS] != ELFCLASS64)
        return fail(why, whylen, "not a 64-bit ELF file");
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(why, whylen, "not a little-endian ELF file");
    if (eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_version != EV_CURRENT)
        return fail(why, whylen, "unknown ELF version");
    if (eh.e_machine != EM_X86_64)
        return fail(why, whylen, "not an x86_64 ELF file (machine %u)",
                    eh.e_machine);
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
        eh.e_phnum > 64 ||
        !in_file(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), len))
        return fail(why, whylen, "program headers out of bounds");
    if (loadable && eh.e_type != ET_EXEC)
        return fail(why, whylen, "not a static executable (ELF type %u)",
                    eh.e_type);

    for (i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, img + eh.e_phoff + (uint64_t)i * sizeof ph, sizeof ph);
        if (ph.p_type == PT_NOTE && !found) {
            int rc;
            if (!in_file(ph.p_offset, ph.p_filesz, len))
                return fail(why, whylen, "note segment %u out of bounds", i);
            rc = find_note(img, ph.p_offset, ph.p_filesz, &out->mft);
            if (rc == -2)
                return fail(why, whylen, "pith manifest note of wrong size");
            found = rc == 0;
        } else if (ph.p_type == PT_LOAD && loadable) {
            struct tender_load *l;
            if (ph.p_memsz == 0)
                continue;
            if (out->nload == TENDER_ELF_MAX_LOADS)
                return fail(why, whylen, "more than %d loadable segments",
                            TENDER_ELF_MAX_LOADS);
            if (ph.p_filesz > ph.p_memsz)
                return fail(why, whylen,
                            "segment %u: file size exceeds memory size", i);
            if (!in_file(ph.p_offset, ph.p_filesz, len))
                return fail(why, whylen,
                            "segment %u: extends past the end of the file", i);
            if (ph.p_vaddr % PAGE)
                return fail(why, whylen, "segment %u: not page-aligned", i);
            if (ph.p_vaddr < lo || ph.p_vaddr >= hi ||
                ph.p_memsz > hi - ph.p_vaddr)
                return fail(why, whylen,
                            "segment %u: outside guest memory [%#llx, %#llx)",
                            i, (unsigned long long)lo, (unsigned long long)hi);
            if ((ph.p_flags & PF_W) && (ph.p_flags & PF_X))
                return fail(why, whylen, "segment %u: writable and executable",
                            i);
            l = &out->load[out->nload++];
            l->vaddr = ph.p_vaddr;
            l->memsz = ph.p_memsz;
            l->offset = ph.p_offset;
            l->filesz = ph.p_filesz;
            l->flags = ph.p_flags;
        }
    }
    if (!found)
        return fail(why, whylen, "not a pith image (no manifest note)");
    if (pith_mft_check(&out->mft, &mwhy) < 0)
        return fail(why, whylen, "%s", mwhy);
    if (!loadable)
        return 0;

    for (i = 0; i < out->nload; i++) {
        const struct tender_load *a = &out->load[i];
        /* Segments are page-aligned, so pages are shared only on overlap
         * of the page-rounded ranges. */
        uint64_t a_end = (a->vaddr + a->memsz + PAGE - 1) & ~(PAGE - 1);
        for (j = 0; j < i; j++) {
            const struct tender_load *b = &out->load[j];
            uint64_t b_end = (b->vaddr + b->memsz + PAGE - 1) & ~(PAGE - 1);
            if (a->vaddr < b_end && b->vaddr < a_end)
                return fail(why, whylen, "segments overlap");
        }
        if ((a->flags & PF_X) && eh.e_entry >= a->vaddr &&
            eh.e_entry < a->vaddr + a->memsz)
            entry_ok = 1;
    }
    if (out->nload == 0)
        return fail(why, whylen, "no loadable segments");
    if (!entry_ok)
        return fail(why, whylen,
                    "entry point %#llx is not in an executable "
                    "segment",
                    (unsigned long long)eh.e_entry);
    out->entry = eh.e_entry;
    return 0;
}
