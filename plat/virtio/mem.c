/*
 * The virtio target's memory: what the boot protocol says (the memory map
 * and the command line, from PVH's hvm_start_info or the multiboot
 * information), the page allocator drivers use at boot, and the heap.
 *
 * The image is loaded at 1 MiB inside one usable RAM region; everything
 * in that region above the image is ours: first pages for page tables
 * and virtqueues (kern_alloc_pages), then, once plat_main() is about to
 * run, a few pages for devices started on first use and the heap.
 * Loaders put their own data low (PVH) or right after the image (QEMU's
 * multiboot puts the command line there): those bytes are copied out
 * first and zeroed.
 */
#include <string.h>

#include "cpu.h"
#include "kern.h"
#include "virtio_plat.h"

/* PVH: struct hvm_start_info (Xen's arch-x86/hvm/start_info.h). */
#define PVH_MAGIC 0x336ec578u
struct pvh_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
    uint64_t memmap_paddr; /* version 1 and up */
    uint32_t memmap_entries, reserved;
};
struct pvh_memmap {
    uint64_t addr, size;
    uint32_t type, reserved;
};

/* Multiboot (version 1) information, the parts used here. */
struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
};
#define MB_INFO_MEM     (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MMAP    (1u << 6)

#define E820_RAM 1
#define PAGE     4096ull

static char cmdline[4096];
uintptr_t virtio_heap_start, virtio_heap_end;
static uintptr_t next_page, region_end, dirty_end;
static int heap_given, multiboot;

/* Pages kept from the heap for devices started on first use (the entropy
 * device: one queue of 8, two pages, or more with legacy PCI's layout). */
#define LATE_PAGES 4
static uintptr_t late_page, late_end;

const char *kern_cmdline(void)
{
    return cmdline;
}

/* Word by word, without strstr: code run once is slow to run under
 * emulation (docs/BENCHMARKS.md, virtio), and the two-way search is a
 * lot of code. */
const char *kern_cmdline_arg(const char *name, size_t *len)
{
    size_t n = strlen(name);
    const char *p = cmdline, *w;

    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            return NULL;
        w = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
        if ((size_t)(p - w) >= n && !memcmp(w, name, n) &&
            (w + n == p || w[n] == '=')) {
            w += w + n == p ? n : n + 1;
            *len = (size_t)(p - w);
            return w;
        }
    }
}

/* Takes the region [base, base + size) if it holds the image. */
static void ram(uint64_t base, uint64_t size, uint32_t type)
{
    uint64_t lo = (uint64_t)__image_start;
    if (type == E820_RAM && base <= lo && base + size > lo &&
        base + size > region_end)
        region_end = (uintptr_t)(base + size);
}

/* Copies the loader's command line and marks where its bytes lie. */
static void take_cmdline(uint64_t paddr, int skip_first_word)
{
    const char *s = (const char *)(uintptr_t)paddr;
    size_t n;

    if (!paddr)
        return;
    if (skip_first_word) { /* multiboot loaders put the kernel path first */
        while (*s && *s != ' ')
            s++;
        while (*s == ' ')
            s++;
    }
    /* A byte at a time: a few blocks for TCG to translate, where strlen
     * and an inlined memcpy of any length made twenty. */
    for (n = 0; s[n]; n++) {
        if (n == sizeof cmdline - 1)
            kern_panic("the command line is longer than %zu bytes",
                       sizeof cmdline - 1);
        cmdline[n] = s[n];
    }
    cmdline[n] = '\0';
    if ((uintptr_t)s + n + 1 > dirty_end)
        dirty_end = (uintptr_t)s + n + 1;
}

/*
 * QEMU's multiboot loader hands over the command line as given, but QEMU
 * microvm adds its virtio_mmio.device= tokens only to the copy in fw_cfg
 * (the firmware configuration device at ports 0x510-0x51b): take those
 * from there, in one DMA transfer (every port access is an exit to the
 * VMM, and a slow one under TCG), when the devices are first looked for.
 * Elsewhere (no fw_cfg, no DMA, no such tokens) nothing changes.
 */
#define FW_CFG_PORT_SEL     0x510
#define FW_CFG_PORT_DATA    0x511
#define FW_CFG_PORT_DMA     0x514
#define FW_CFG_SIGNATURE    0x00
#define FW_CFG_ID           0x01
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_DMA_ERROR    0x01
#define FW_CFG_DMA_READ     0x02
#define FW_CFG_DMA_SELECT   0x08

struct fw_cfg_dma { /* big-endian, as the device reads it */
    uint32_t control, length;
    uint64_t address;
};

static uint32_t fw_cfg_port32(uint16_t sel)
{
    uint32_t v = 0;
    unsigned i;
    kern_outw(FW_CFG_PORT_SEL, sel);
    for (i = 0; i < 4; i++)
        v |= (uint32_t)kern_inb(FW_CFG_PORT_DATA) << (8 * i);
    return v;
}

/* Reads (len) bytes of item (sel) into (buf); past its end, zeros. */
static int fw_cfg_dma_read(uint16_t sel, void *buf, uint32_t len)
{
    static volatile struct fw_cfg_dma d __attribute__((aligned(16)));
    uint64_t a = (uint64_t)(uintptr_t)&d;
    unsigned spin;

    d.control = __builtin_bswap32((uint32_t)sel << 16 | FW_CFG_DMA_SELECT |
                                  FW_CFG_DMA_READ);
    d.length = __builtin_bswap32(len);
    d.address = __builtin_bswap64((uint64_t)(uintptr_t)buf);
    kern_mb();
    kern_outl(FW_CFG_PORT_DMA, __builtin_bswap32((uint32_t)(a >> 32)));
    kern_outl(FW_CFG_PORT_DMA + 4, __builtin_bswap32((uint32_t)a));
    for (spin = 1000000; spin > 0; spin--) {
        uint32_t c = __builtin_bswap32(d.control);
        if (c & FW_CFG_DMA_ERROR)
            return -1;
        if (c == 0)
            return 0;
    }
    return -1;
}

void kern_cmdline_devices(void)
{
    static char fw[sizeof cmdline];
    static int done;
    size_t have;
    char *p;

    if (done || !multiboot || kern_cmdline_arg("virtio_mmio.device", &have))
        return;
    done = 1;
    if (fw_cfg_port32(FW_CFG_SIGNATURE) != 0x554d4551u || /* "QEMU" */
        !(fw_cfg_port32(FW_CFG_ID) & 2) ||                /* DMA */
        fw_cfg_dma_read(FW_CFG_CMDLINE_DATA, fw, sizeof fw - 1) < 0)
        return;
    fw[sizeof fw - 1] = '\0';
    have = strlen(cmdline);
    for (p = fw; (p = strstr(p, "virtio_mmio.device="));) {
        size_t n = strcspn(p, " ");
        if ((p == fw || p[-1] == ' ') && have + n + 2 <= sizeof cmdline) {
            if (have)
                cmdline[have++] = ' ';
            memcpy(cmdline + have, p, n);
            have += n;
            cmdline[have] = '\0';
        }
        p += n;
    }
}

void mem_init(uint32_t proto, uint32_t info)
{
    uint32_t i;

    if (proto == BOOT_PVH) {
        const struct pvh_start_info *si = (const void *)(uintptr_t)info;
        if (si->magic != PVH_MAGIC)
            kern_panic("PVH start info has a bad magic number %#x", si->magic);
        take_cmdline(si->cmdline_paddr, 0);
        if (si->version >= 1 && si->memmap_paddr) {
            const struct pvh_memmap *m =
                (const void *)(uintptr_t)si->memmap_paddr;
            for (i = 0; i < si->memmap_entries; i++)
                ram(m[i].addr, m[i].size, m[i].type);
        }
    } else if (proto == BOOT_MULTIBOOT) {
        const struct mb_info *mb = (const void *)(uintptr_t)info;
        if (mb->flags & MB_INFO_CMDLINE)
            take_cmdline(mb->cmdline, 1);
        multiboot = 1;
        if (mb->flags & MB_INFO_MMAP) {
            uintptr_t p = mb->mmap_addr, end = p + mb->mmap_length;
            while (p + 24 <= end) {
                uint32_t size;
                uint64_t base, len;
                uint32_t type;
                memcpy(&size, (const void *)p, 4);
                memcpy(&base, (const void *)(p + 4), 8);
                memcpy(&len, (const void *)(p + 12), 8);
                memcpy(&type, (const void *)(p + 20), 4);
                ram(base, len, type);
                p += size + 4;
            }
        } else if (mb->flags & MB_INFO_MEM) {
            ram(0x100000, (uint64_t)mb->mem_upper * 1024, E820_RAM);
        }
    }
    if (!region_end)
        kern_panic("the boot loader gave no memory map with the image's RAM");
    if (region_end > (1ull << 32))
        region_end = 1ull << 32; /* what cpu.c maps */
    next_page = ((uintptr_t)__bss_end + PAGE - 1) & ~(PAGE - 1);
    if (dirty_end > next_page) /* the loader's bytes above the image */
        memset((void *)next_page, 0, dirty_end - next_page);
}

void *kern_alloc_pages(size_t bytes)
{
    uintptr_t p = next_page;
    size_t n = (bytes + PAGE - 1) & ~(PAGE - 1);

    if (heap_given) {
        if (n > late_end - late_page)
            return NULL;
        late_page += n;
        return (void *)(late_page - n);
    }
    if (n > region_end - p)
        kern_panic("out of memory at boot (%zu bytes more wanted)", n);
    next_page += n;
    return (void *)p; /* zero: as the VMM gave it, or cleared above */
}

void mem_heap(uintptr_t *start, size_t *size)
{
    late_page = next_page;
    late_end = next_page + LATE_PAGES * PAGE;
    if (late_end > region_end)
        late_end = late_page; /* no room: nothing starts late */
    heap_given = 1;
    virtio_heap_start = late_end;
    virtio_heap_end = region_end & ~(PAGE - 1);
    *start = virtio_heap_start;
    *size = virtio_heap_end - virtio_heap_start;
}
