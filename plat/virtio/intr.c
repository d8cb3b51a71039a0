/*
 * The virtio target's interrupt controllers: the legacy 8259 PICs masked,
 * the local APIC (its timer, end of interrupt) and the I/O APIC, whose
 * inputs drivers attach to with kern_irq_attach(). Interrupts are only
 * ever taken while plat_yield() halts; handlers just acknowledge.
 */
#include "cpu.h"
#include "kern.h"
#include "virtio_plat.h"

#define IA32_APIC_BASE 0x1b
#define LAPIC_ID       0x20
#define LAPIC_TPR      0x80
#define LAPIC_SVR      0xf0
#define IOAPIC_BASE    0xfec00000u

uintptr_t intr_lapic;
static unsigned ioapic_pins;

struct handler {
    void (*fn)(void *);
    void *arg;
    unsigned vec;
};
static struct handler handlers[32];
static unsigned nhandlers;
static unsigned gsi_vec[KERN_VEC_DEVS]; /* gsi of each device vector + 1 */

static uint32_t lapic_rd(unsigned reg)
{
    return kern_rd32(intr_lapic + reg);
}

static void lapic_wr(unsigned reg, uint32_t v)
{
    kern_wr32(intr_lapic + reg, v);
}

static uint32_t ioapic_rd(unsigned reg)
{
    kern_wr32(IOAPIC_BASE, reg);
    return kern_rd32(IOAPIC_BASE + 0x10);
}

static void ioapic_wr(unsigned reg, uint32_t v)
{
    kern_wr32(IOAPIC_BASE, reg);
    kern_wr32(IOAPIC_BASE + 0x10, v);
}

void intr_init(void)
{
    uint64_t base = cpu_rdmsr(IA32_APIC_BASE);
    unsigned i;

    kern_outb(0x21, 0xff); /* mask both PICs: the I/O APIC routes */
    kern_outb(0xa1, 0xff);
    cpu_wrmsr(IA32_APIC_BASE, base | (1u << 11)); /* xAPIC on */
    intr_lapic = (uintptr_t)(base & 0xfffff000u);
    lapic_wr(LAPIC_SVR, 0x100 | KERN_VEC_SPURIOUS);
    lapic_wr(LAPIC_TPR, 0);
    lapic_wr(LAPIC_LVT_TMR, 1u << 16); /* masked until armed */
    ioapic_pins = ((ioapic_rd(1) >> 16) & 0xff) + 1;
    for (i = 0; i < ioapic_pins; i++)
        ioapic_wr(0x10 + 2 * i, 1u << 16); /* masked */
}

int kern_irq_attach(unsigned gsi, int level, void (*fn)(void *), void *arg)
{
    unsigned v, dest = lapic_rd(LAPIC_ID) >> 24;

    if (gsi >= ioapic_pins || nhandlers == sizeof handlers / sizeof *handlers)
        return -1;
    for (v = 0; v < KERN_VEC_DEVS; v++)
        if (gsi_vec[v] == gsi + 1 || gsi_vec[v] == 0)
            break;
    if (v == KERN_VEC_DEVS)
        return -1;
    gsi_vec[v] = gsi + 1;
    handlers[nhandlers].fn = fn;
    handlers[nhandlers].arg = arg;
    handlers[nhandlers].vec = KERN_VEC_DEV0 + v;
    nhandlers++;
    ioapic_wr(0x11 + 2 * gsi, dest << 24);
    ioapic_wr(0x10 + 2 * gsi,
              (KERN_VEC_DEV0 + v) | (level ? 1u << 15 : 0)); /* unmasked */
    return 0;
}

void intr_dispatch(unsigned vec)
{
    unsigned i;

    if (vec == KERN_VEC_SPURIOUS)
        return; /* no end of interrupt for these */
    for (i = 0; i < nhandlers; i++)
        if (handlers[i].vec == vec)
            handlers[i].fn(handlers[i].arg);
    lapic_wr(LAPIC_EOI, 0);
}
