/*
 * Fuzz target for the ELF image checker: any bytes, as an image for the
 * loader and for inspection. Whatever it accepts must be safe to load:
 * every segment within the file and guest memory, page-aligned, never
 * writable and executable, and a manifest that passes its own check.
 */
#include "tender.h"

#include <elf.h>

#define LO 0x100000ull
#define HI (LO + (64ull << 20))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tender_elf e;
    const char *why;
    char msg[160];
    unsigned i;

    if (tender_elf_check(data, size, 0, 0, 0, &e, msg, sizeof msg) == 0 &&
        pith_mft_check(&e.mft, &why) != 0)
        __builtin_trap();
    if (tender_elf_check(data, size, 1, LO, HI, &e, msg, sizeof msg) != 0)
        return 0;
    if (pith_mft_check(&e.mft, &why) != 0 || e.nload == 0)
        __builtin_trap();
    for (i = 0; i < e.nload; i++) {
        const struct tender_load *l = &e.load[i];
        if (l->offset > size || l->filesz > size - l->offset ||
            l->filesz > l->memsz || l->vaddr % 4096 || l->vaddr < LO ||
            l->vaddr >= HI || l->memsz > HI - l->vaddr ||
            ((l->flags & PF_W) && (l->flags & PF_X)))
            __builtin_trap();
    }
    return 0;
}
