/*
 * The virtio target's interrupt controllers: the local APIC (its timer,
 * end of interrupt) and the I/O APIC, whose inputs drivers attach to with
 * kern_irq_attach(), the legacy 8259 PICs masked; or, on a CPU without a
 * local APIC (where the I/O APIC has nothing to deliver to), the 8259s
 * alone, ISA IRQ n on vector KERN_VEC_DEV0 + n. Interrupts are only ever
 * taken while plat_yield() halts; handlers just acknowledge.
 */
#include "cpu.h"
#include "kern.h"
#include "virtio_plat.h"

#define IA32_APIC_BASE 0x1b
#define LAPIC_ID       0x20
#define LAPIC_TPR      0x80
#define LAPIC_SVR      0xf0
#define IOAPIC_BASE    0xfec00000u

#define PIC1      0x20
#define PIC2      0xa0
#define PIC_EOI   0x20
#define PIC_ELCR1 0x4d0 /* edge/level control (PIIX, ICH, QEMU) */

uintptr_t intr_lapic;
int intr_mode;
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

/*
 * Sets the 8259s up for vectors KERN_VEC_DEV0.. (the slave on the
 * master's IRQ 2), all inputs masked. Returns 0, or -1 when no 8259
 * answers (its mask does not read back).
 */
static int pic_init(void)
{
    kern_outb(PIC1, 0x11); /* ICW1: edge, cascade, ICW4 follows */
    kern_outb(PIC2, 0x11);
    kern_outb(PIC1 + 1, KERN_VEC_DEV0); /* ICW2: vector bases */
    kern_outb(PIC2 + 1, KERN_VEC_DEV0 + 8);
    kern_outb(PIC1 + 1, 1u << 2); /* ICW3: the slave is on IRQ 2 */
    kern_outb(PIC2 + 1, 2);       /* and this is its number */
    kern_outb(PIC1 + 1, 0x01);    /* ICW4: 8086 mode, normal EOI */
    kern_outb(PIC2 + 1, 0x01);
    kern_outb(PIC1 + 1, 0xfe);
    if (kern_inb(PIC1 + 1) != 0xfe)
        return -1;
    kern_outb(PIC1 + 1, 0xff);
    kern_outb(PIC2 + 1, 0xff);
    return 0;
}

static void pic_unmask(unsigned irq, int level)
{
    uint16_t port = irq < 8 ? PIC1 + 1 : PIC2 + 1;

    if (level) /* PCI INTx: level-triggered (firmware usually says so) */
        kern_outb(PIC_ELCR1 + (irq >> 3),
                  kern_inb(PIC_ELCR1 + (irq >> 3)) | 1u << (irq & 7));
    kern_outb(port, kern_inb(port) & ~(1u << (irq & 7)));
    if (irq >= 8)
        kern_outb(PIC1 + 1, kern_inb(PIC1 + 1) & ~(1u << 2));
}

/* The in-service register of the 8259 at (port). */
static unsigned pic_isr(uint16_t port)
{
    kern_outb(port, 0x0b); /* OCW3: read ISR */
    return kern_inb(port);
}

void intr_init(void)
{
    uint64_t base;
    uint32_t r[4];
    unsigned i;

    kern_cpuid(1, 0, r);
    if (!(r[3] & (1u << 9))) { /* no local APIC */
        intr_mode = pic_init() < 0 ? INTR_NONE : INTR_PIC;
        return;
    }
    intr_mode = INTR_APIC;
    kern_outb(PIC1 + 1, 0xff); /* mask both PICs: the I/O APIC routes */
    kern_outb(PIC2 + 1, 0xff);
    base = cpu_rdmsr(IA32_APIC_BASE);
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
    unsigned v, dest;

    if (nhandlers == sizeof handlers / sizeof *handlers)
        return -1;
    if (intr_mode == INTR_PIC) {
        if (gsi >= 16 || gsi == 2) /* 2 is the cascade */
            return -1;
        handlers[nhandlers].fn = fn;
        handlers[nhandlers].arg = arg;
        handlers[nhandlers].vec = KERN_VEC_DEV0 + gsi;
        nhandlers++;
        pic_unmask(gsi, level);
        return 0;
    }
    if (intr_mode != INTR_APIC || gsi >= ioapic_pins)
        return -1;
    dest = lapic_rd(LAPIC_ID) >> 24;
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

/*
 * The PIT's IRQ 0 as an I/O APIC input: most firmware declares an
 * interrupt source override to pin 2 (QEMU's I/O APIC wires it there
 * whatever the tables say), while KVM's default routing, which VMMs
 * without their own keep, raises pin 0. Rather than read the ACPI tables,
 * both pins are taken: the one not wired to the PIT stays quiet.
 */
int intr_attach_pit(void (*fn)(void *), void *arg)
{
    if (intr_mode == INTR_PIC)
        return kern_irq_attach(0, 0, fn, arg);
    if (kern_irq_attach(2, 0, fn, arg) < 0)
        return -1;
    return kern_irq_attach(0, 0, fn, arg);
}

void intr_dispatch(unsigned vec)
{
    unsigned i;

    if (vec == KERN_VEC_SPURIOUS)
        return; /* no end of interrupt for these */
    if (intr_mode == INTR_PIC && vec >= KERN_VEC_DEV0 &&
        vec < KERN_VEC_DEV0 + 16) {
        unsigned irq = vec - KERN_VEC_DEV0;
        /* A spurious IRQ 7 or 15 (the request went away before the
         * acknowledge) is not in service: no end of interrupt for it
         * (but the master's for the slave's cascade). */
        if (irq == 7 && !(pic_isr(PIC1) & 0x80))
            return;
        if (irq == 15 && !(pic_isr(PIC2) & 0x80)) {
            kern_outb(PIC1, PIC_EOI);
            return;
        }
        for (i = 0; i < nhandlers; i++)
            if (handlers[i].vec == vec)
                handlers[i].fn(handlers[i].arg);
        if (irq >= 8)
            kern_outb(PIC2, PIC_EOI);
        kern_outb(PIC1, PIC_EOI);
        return;
    }
    if (intr_mode != INTR_APIC)
        return;
    for (i = 0; i < nhandlers; i++)
        if (handlers[i].vec == vec)
            handlers[i].fn(handlers[i].arg);
    lapic_wr(LAPIC_EOI, 0);
}
