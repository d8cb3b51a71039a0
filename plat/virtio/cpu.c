/*
 * The virtio target's CPU: the task state segment and interrupt table
 * (every vector on its own stack, IST1), the extended state (SSE, and AVX
 * when the CPU has it), W^X page tables, and the crash report.
 */
#include "cpu.h"
#include "kern.h"
#include "virtio_plat.h"

uint64_t kern_tcb[8] __attribute__((aligned(64)));

struct idt_gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
} __attribute__((packed));

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
extern uint64_t kern_gdt[];
extern const uint64_t kern_trap_stubs[256];

/*
 * One gate; not inlined, so that the loop filling the table stays a loop:
 * vectorised, it became 500 SSE instructions, which TCG translates (once,
 * at every boot) slower than the 256 calls run.
 */
static __attribute__((noinline)) void idt_set(unsigned i, uint64_t a)
{
    idt[i].off0 = (uint16_t)a;
    idt[i].sel = 0x08;
    idt[i].ist = 1;
    idt[i].type = 0x8e; /* present, interrupt gate: IF off inside */
    idt[i].off1 = (uint16_t)(a >> 16);
    idt[i].off2 = (uint32_t)(a >> 32);
}

void cpu_init(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr;
    uint64_t base = (uint64_t)&tss, cr4;
    uint32_t r[4];
    unsigned i;

    tss.ist[0] = (uint64_t)__ist_top;
    tss.iomap = sizeof tss; /* no I/O permission map */
    kern_gdt[3] = (sizeof tss - 1) | (base & 0xffffff) << 16 |
                  (uint64_t)0x89 << 40 | ((base >> 24) & 0xff) << 56;
    kern_gdt[4] = base >> 32;
    __asm__ volatile("ltr %w0" : : "r"(0x18));

    for (i = 0; i < 256; i++)
        idt_set(i, kern_trap_stubs[i]);
    idtr.limit = sizeof idt - 1;
    idtr.base = (uint64_t)idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));

    /* XSAVE and AVX, when present, so that code built for them runs. */
    kern_cpuid(1, 0, r);
    if (r[2] & (1u << 26)) {
        uint64_t xcr0 = 3; /* x87, SSE */
        __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
        cr4 |= 1u << 18; /* OSXSAVE */
        __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
        if (r[2] & (1u << 28))
            xcr0 |= 4; /* AVX */
        __asm__ volatile("xsetbv"
                         :
                         : "c"(0), "a"((uint32_t)xcr0),
                           "d"((uint32_t)(xcr0 >> 32)));
    }
    __asm__ volatile("fninit");
}

/* ---- Page tables ------------------------------------------------------ */

#define PTE_P   0x1ull
#define PTE_W   0x2ull
#define PTE_PWT 0x8ull
#define PTE_PCD 0x10ull
#define PTE_PS  0x80ull
#define PTE_NX  (1ull << 63)

static uint64_t page_flags(uintptr_t a)
{
    if (a < 0x1000)
        return 0; /* the null page: a fault, not a read of zeros */
    if (a >= (uintptr_t)__stack_guard && a < (uintptr_t)__stack_bottom)
        return 0;
    if (a >= (uintptr_t)__ist_guard && a < (uintptr_t)__ist_guard + 0x1000)
        return 0;
    if (a >= (uintptr_t)__image_start && a < (uintptr_t)__text_end)
        return PTE_P; /* text: read and execute */
    if (a >= (uintptr_t)__text_end && a < (uintptr_t)__rodata_end)
        return PTE_P | PTE_NX;
    return PTE_P | PTE_W | PTE_NX;
}

void cpu_paging_init(void)
{
    uint64_t *pml4 = kern_alloc_pages(4096), *pdpt = kern_alloc_pages(4096);
    uint64_t *pd = kern_alloc_pages(4 * 4096);
    uintptr_t small_end = ((uintptr_t)__bss_end + 0x1fffff) & ~0x1fffffull;
    uintptr_t a;
    unsigned i;

    pml4[0] = (uint64_t)pdpt | PTE_P | PTE_W;
    for (i = 0; i < 4; i++)
        pdpt[i] = (uint64_t)(pd + 512 * i) | PTE_P | PTE_W;
    /* 4 KiB pages where the image is, so each part gets its rights. */
    for (a = 0; a < small_end; a += 0x200000) {
        uint64_t *pt = kern_alloc_pages(4096);
        for (i = 0; i < 512; i++)
            pt[i] = (a + i * 0x1000ull) | page_flags(a + i * 0x1000ull);
        pd[a >> 21] = (uint64_t)pt | PTE_P | PTE_W;
    }
    /* The rest of the first 4 GiB: RAM, then the device hole uncached. */
    for (a = small_end; a < (1ull << 32); a += 0x200000)
        pd[a >> 21] = a | PTE_P | PTE_W | PTE_PS | PTE_NX |
                      (a >= 0xc0000000ull ? PTE_PCD | PTE_PWT : 0);
    __asm__ volatile("mov %0, %%cr3" : : "r"(pml4) : "memory");
}

/* ---- Traps ------------------------------------------------------------ */

static const char *const trap_names[32] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor overrun",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection fault",
    "page fault",
    "reserved",
    "x87 floating point",
    "alignment check",
    "machine check",
    "SIMD floating point",
    "virtualization",
    "control protection",
};

/* The exit status a Linux process would get: 128 + its signal. */
static int trap_status(unsigned vec)
{
    switch (vec) {
    case 0:
    case 16:
    case 19:
        return 128 + 8; /* SIGFPE */
    case 6:
        return 128 + 4; /* SIGILL */
    case 3:
        return 128 + 5; /* SIGTRAP */
    case 17:
        return 128 + 7; /* SIGBUS */
    default:
        return 128 + 11; /* SIGSEGV */
    }
}

static const char *region(uintptr_t a)
{
    if (a < 0x1000)
        return "null page";
    if (a >= (uintptr_t)__image_start && a < (uintptr_t)__text_end)
        return "text";
    if (a >= (uintptr_t)__text_end && a < (uintptr_t)__rodata_end)
        return "read-only data";
    if (a >= (uintptr_t)__stack_guard && a < (uintptr_t)__stack_bottom)
        return "stack guard page: stack overflow";
    if (a >= (uintptr_t)__stack_bottom && a < (uintptr_t)__stack_top)
        return "stack";
    if (a >= (uintptr_t)__rodata_end && a < (uintptr_t)__bss_end)
        return "image data";
    if (a >= virtio_heap_start && a < virtio_heap_end)
        return "heap";
    return "outside the image and heap";
}

static void crash_report(const struct kern_frame *f)
{
    uint64_t cr2, *fp;
    unsigned n;

    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    kern_printf(
        "pith: image fault: %s (vector %lu, error %#lx) at rip "
        "%#lx\n",
        f->vec < 32 && trap_names[f->vec] ? trap_names[f->vec] : "exception",
        (unsigned long)f->vec, (unsigned long)f->err, (unsigned long)f->rip);
    if (f->vec == 14)
        kern_printf("pith:   %s at %#lx (%s)\n",
                    (f->err & 16)  ? "execute"
                    : (f->err & 2) ? "write"
                                   : "read",
                    (unsigned long)cr2, region(cr2));
    kern_printf("pith:   rax %016lx rbx %016lx rcx %016lx rdx %016lx\n"
                "pith:   rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n"
                "pith:   r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n"
                "pith:   r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n"
                "pith:   rip %016lx rflags %08lx cs %02lx ss %02lx\n",
                f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi, f->rbp, f->rsp,
                f->r8, f->r9, f->r10, f->r11, f->r12, f->r13, f->r14, f->r15,
                f->rip, f->rflags, f->cs, f->ss);
    /* Frame pointers (the target builds with them), checked at each step
     * to lie on the stack, so a smashed chain ends the walk. */
    kern_printf("pith:   backtrace: %#lx", (unsigned long)f->rip);
    fp = (uint64_t *)f->rbp;
    for (n = 0; n < 16; n++) {
        if ((uintptr_t)fp < (uintptr_t)__stack_bottom ||
            (uintptr_t)fp + 16 > (uintptr_t)__stack_top ||
            ((uintptr_t)fp & 7) || fp[1] == 0)
            break;
        kern_printf(" %#lx", (unsigned long)fp[1]);
        if (fp[0] <= (uint64_t)fp)
            break;
        fp = (uint64_t *)fp[0];
    }
    kern_printf("\n");
}

void kern_trap(struct kern_frame *f)
{
    if (f->vec >= 32) {
        intr_dispatch((unsigned)f->vec);
        return;
    }
    crash_report(f);
    virtio_halt(trap_status((unsigned)f->vec));
}
