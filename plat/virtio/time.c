/*
 * The virtio target's time: a monotonic clock from the TSC, scaled by
 * KVM's pvclock when the hypervisor offers it and otherwise by a rate
 * measured at boot against the 8254 PIT (over at least 1 ms); wall-clock time
 * from KVM's wall clock or the CMOS RTC, read once, on first use; and waiting,
 * by halting until a one-shot timer or a device interrupt wakes the CPU.
 * The timer is the local APIC's in TSC-deadline mode when the CPU has it,
 * its one-shot mode otherwise, and the 8254 PIT's channel 0 when there is
 * no local APIC, chosen and set up at the first wait; pith.timer=
 * tsc-deadline, lapic or pit on the command line picks one (when the
 * machine has it).
 */
#include <pith/plat.h>
#include <string.h>

#include "cpu.h"
#include "kern.h"
#include "virtio_plat.h"

#define NS 1000000000ull

/* TSC -> ns: ns = (tsc - tsc0) * mul >> 32, and the other way. */
static uint64_t tsc0, tsc_hz, tsc2ns, ns2tsc;
static uint64_t lapic_hz; /* TIMER_LAPIC only */

/* The timer that ends a wait; TIMER_NONE when nothing can interrupt. */
#define TIMER_TSC_DEADLINE 0
#define TIMER_LAPIC        1
#define TIMER_PIT          2
#define TIMER_NONE         3
static const char *const timer_names[] = {"tsc-deadline", "lapic", "pit"};
static int timer;

/* KVM's pvclock (untested here: these machines have no KVM). */
struct pvclock {
    uint32_t version, pad0;
    uint64_t tsc_timestamp, system_time;
    uint32_t mul;
    int8_t shift;
    uint8_t flags, pad[2];
} __attribute__((packed));
static volatile struct pvclock kvm_clock __attribute__((aligned(64)));
static volatile struct {
    uint32_t version, sec, nsec;
} kvm_wall __attribute__((aligned(16)));
static int use_kvm;
static uint64_t kvm_ns0;

#define MSR_KVM_WALL_CLOCK_NEW  0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define MSR_TSC_DEADLINE        0x6e0

static uint64_t pvclock_ns(void)
{
    uint32_t v;
    uint64_t t, d;
    do {
        v = kvm_clock.version;
        kern_rmb();
        d = cpu_rdtsc() - kvm_clock.tsc_timestamp;
        if (kvm_clock.shift >= 0)
            d <<= kvm_clock.shift;
        else
            d >>= -kvm_clock.shift;
        t = kvm_clock.system_time +
            (uint64_t)(((unsigned __int128)d * kvm_clock.mul) >> 32);
        kern_rmb();
    } while ((v & 1) || v != kvm_clock.version);
    return t;
}

static int kvm_init(void)
{
    uint32_t r[4];

    kern_cpuid(0x40000000, 0, r);
    if (r[1] != 0x4b4d564b || r[2] != 0x564b4d56 || r[3] != 0x4d)
        return -1; /* "KVMKVMKVM\0\0\0" */
    kern_cpuid(0x40000001, 0, r);
    if (!(r[0] & (1u << 3))) /* KVM_FEATURE_CLOCKSOURCE2 */
        return -1;
    cpu_wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)(uintptr_t)&kvm_clock | 1);
    if (kvm_clock.mul == 0)
        return -1;
    /* The TSC rate the hypervisor scales by, for the deadline timer. */
    tsc_hz = (uint64_t)(((unsigned __int128)NS << 32) / kvm_clock.mul);
    if (kvm_clock.shift >= 0)
        tsc_hz >>= kvm_clock.shift;
    else
        tsc_hz <<= -kvm_clock.shift;
    kvm_ns0 = pvclock_ns();
    use_kvm = 1;
    return 0;
}

/* The PIT's channel 0 count, latched. */
static unsigned pit_count(void)
{
    unsigned lo, hi;
    kern_outb(0x43, 0x00);
    lo = kern_inb(0x40);
    hi = kern_inb(0x40);
    return hi << 8 | lo;
}

/*
 * The TSC's rate, measured against the PIT over the whole of the boot
 * instead of a wait of its own: time_start() reads the TSC and the PIT's
 * channel 0 (counting down from 0xffff in mode 0, 838 ns a tick, its
 * interrupt masked) at the start, time_init() again at the end, waiting
 * only for what is missing of PIT_WINDOW ticks when the boot was
 * quicker. The window must stay under one turn of the counter (55 ms).
 *
 * Each reading of the PIT is three port accesses, microseconds under
 * emulation, so the TSC is read on both sides of it and the middle
 * taken; a reading that took much longer than the quickest (the VMM's
 * thread was descheduled in between) is not used. Both readings come
 * from code already run once: the first run of a piece of code is
 * translated under TCG, and a TSC read after it is late by that much
 * (it put the rate 0.3% high when the end of the window was read by
 * code run for the first time).
 */
#define PIT_HZ     1193182ull
#define PIT_WINDOW 1193 /* 1 ms */
#define PIT_TRIES  100000000
static uint64_t pit_t0, pit_took;
static unsigned pit_c0;
static int pit_ok;

struct pit_sample {
    unsigned c;   /* the count */
    uint64_t tsc; /* the TSC in the middle of its reading */
    uint64_t took;
};

static void pit_read(struct pit_sample *s)
{
    uint64_t a = cpu_rdtsc();
    s->c = pit_count();
    s->took = cpu_rdtsc() - a;
    s->tsc = a + s->took / 2;
}

void time_start(void)
{
    struct pit_sample s, first;
    unsigned i;

    kern_outb(0x43, 0x30); /* channel 0, low then high byte, mode 0 */
    kern_outb(0x40, 0xff);
    kern_outb(0x40, 0xff);
    pit_read(&first);
    for (i = 0; i < 100000; i++) {
        pit_read(&s);
        if (s.c != first.c)
            break;
    }
    if (i == 100000)
        return; /* no PIT: nothing counts */
    /* The quickest of a few readings. */
    for (i = 0; i < 4; i++) {
        if (i == 0 || s.took < pit_took) {
            pit_c0 = s.c;
            pit_t0 = s.tsc;
            pit_took = s.took;
        }
        pit_read(&s);
    }
    pit_ok = 1;
}

static int pit_calibrate(void)
{
    struct pit_sample s;
    long spin;

    if (!pit_ok)
        return -1;
    for (spin = PIT_TRIES; spin > 0; spin--) {
        pit_read(&s);
        if (s.c <= pit_c0 && pit_c0 - s.c >= PIT_WINDOW &&
            s.took <= 2 * pit_took)
            break;
        if (s.took < pit_took)
            pit_took = s.took;
    }
    if (!spin)
        return -1;
    tsc_hz = (s.tsc - pit_t0) * PIT_HZ / (pit_c0 - s.c);
    return 0;
}

/* The APIC timer's count, and the TSC at the middle of its reading: a
 * read takes microseconds under emulation, 12% of the window below when
 * only one side was timed. */
static uint32_t lapic_count(uint64_t *tsc)
{
    uint64_t a = cpu_rdtsc();
    uint32_t c = kern_rd32(intr_lapic + LAPIC_TMR_CUR);
    *tsc = a + (cpu_rdtsc() - a) / 2;
    return c;
}

/* The APIC timer's rate against the TSC, over 100 us. */
static void lapic_calibrate(void)
{
    uint64_t t0, t1, want = tsc_hz / 10000;
    uint32_t l0, l1;

    kern_wr32(intr_lapic + LAPIC_TMR_DIV, 0xb); /* divide by 1 */
    kern_wr32(intr_lapic + LAPIC_TMR_INIT, 0xffffffffu);
    l0 = lapic_count(&t0);
    while (cpu_rdtsc() - t0 < want)
        ;
    l1 = lapic_count(&t1);
    kern_wr32(intr_lapic + LAPIC_TMR_INIT, 0);
    lapic_hz = (uint64_t)(l0 - l1) * tsc_hz / (t1 - t0);
}

static void pit_intr(void *arg)
{
    (void)arg; /* edge-triggered: nothing to acknowledge at the PIT */
}

/* The timer pith.timer= asks for, or -1 (none, or not a timer's name). */
static int timer_wanted(void)
{
    size_t n;
    const char *v = kern_cmdline_arg("pith.timer", &n);
    int t;

    if (!v)
        return -1;
    for (t = 0; t < TIMER_NONE; t++)
        if (strlen(timer_names[t]) == n && !memcmp(v, timer_names[t], n))
            return t;
    kern_printf("virtio: pith.timer=%.*s: unknown (want tsc-deadline, lapic "
                "or pit)\n",
                (int)n, v);
    return -1;
}

/*
 * Picks the timer: the one asked for when the machine has it, else
 * TSC-deadline, APIC one-shot, PIT in that order (the APIC's are a
 * register write away; the PIT takes three port writes, each a VM exit
 * under KVM, and ticks at 838 ns). Sets it up and says which it is. Done
 * at the first wait, not at boot: an image that never waits (one that
 * runs and exits) is spared measuring the APIC timer, 100 us and more
 * under emulation.
 */
static void timer_init(void)
{
    uint32_t r[4];
    int have[TIMER_NONE], want = timer_wanted(), t;

    kern_cpuid(1, 0, r);
    have[TIMER_TSC_DEADLINE] = intr_mode == INTR_APIC && (r[2] >> 24) & 1;
    have[TIMER_LAPIC] = intr_mode == INTR_APIC;
    have[TIMER_PIT] = intr_mode != INTR_NONE && pit_ok;
    if (want >= 0 && !have[want]) {
        kern_printf("virtio: pith.timer=%s: not on this machine\n",
                    timer_names[want]);
        want = -1;
    }
    for (t = 0; t < TIMER_NONE && !have[t]; t++)
        ;
    timer = want >= 0 ? want : t;
    if (timer == TIMER_LAPIC) {
        lapic_calibrate();
        if (!lapic_hz) {
            kern_printf("virtio: cannot measure the APIC timer's rate\n");
            timer = have[TIMER_PIT] ? TIMER_PIT : TIMER_NONE;
        }
    }
    if (timer == TIMER_PIT && intr_attach_pit(pit_intr, 0) < 0) {
        kern_printf("virtio: cannot route the PIT's interrupt\n");
        timer = TIMER_NONE;
    }
    switch (timer) {
    case TIMER_TSC_DEADLINE:
        kern_printf("virtio: timer tsc-deadline\n");
        break;
    case TIMER_LAPIC:
        kern_printf("virtio: timer lapic (one-shot, %lu kHz)\n",
                    (unsigned long)(lapic_hz / 1000));
        break;
    case TIMER_PIT:
        kern_printf("virtio: timer pit (one-shot, IRQ 0 through the %s)\n",
                    intr_mode == INTR_APIC ? "I/O APIC" : "8259");
        break;
    default:
        kern_printf("virtio: timer none (no interrupt controller): waiting "
                    "spins\n");
    }
}

void time_init(void)
{
    tsc0 = cpu_rdtsc();
    if (kvm_init() < 0 && pit_calibrate() < 0)
        kern_panic("no clock to measure the TSC against (a PIT or KVM's "
                   "pvclock)");
    tsc2ns = (uint64_t)(((unsigned __int128)NS << 32) / tsc_hz);
    ns2tsc = (uint64_t)(((unsigned __int128)tsc_hz << 32) / NS);
}

uint64_t time_tsc_to_ns(uint64_t tsc)
{
    return (uint64_t)(((unsigned __int128)(tsc - tsc0) * tsc2ns) >> 32);
}

uint64_t time_cycles_ns(uint64_t cycles)
{
    return (uint64_t)(((unsigned __int128)cycles * tsc2ns) >> 32);
}

uint64_t plat_clock_monotonic(void)
{
    if (use_kvm)
        return pvclock_ns() - kvm_ns0;
    return time_tsc_to_ns(cpu_rdtsc());
}

/* ---- Wall clock --------------------------------------------------------- */

static uint8_t cmos(unsigned reg)
{
    kern_outb(0x70, (uint8_t)reg);
    return kern_inb(0x71);
}

static unsigned bcd(uint8_t v, int binary)
{
    return binary ? v : (v >> 4) * 10u + (v & 15u);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days(unsigned y, unsigned m, unsigned d)
{
    y -= m <= 2;
    unsigned era = y / 400, yoe = y - era * 400;
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)era * 146097 + doe - 719468;
}

/* Seconds since the epoch from the RTC, or 0 when it makes no sense. */
static uint64_t rtc_read(void)
{
    uint8_t a[7], b[7], st;
    unsigned tries, i, y, hour;
    int bin;

    for (tries = 0; tries < 5; tries++) {
        unsigned spin = 100000;
        while ((cmos(0x0a) & 0x80) && --spin) /* update in progress */
            ;
        a[0] = cmos(0x00), a[1] = cmos(0x02), a[2] = cmos(0x04);
        a[3] = cmos(0x07), a[4] = cmos(0x08), a[5] = cmos(0x09);
        a[6] = cmos(0x32);
        b[0] = cmos(0x00), b[1] = cmos(0x02), b[2] = cmos(0x04);
        b[3] = cmos(0x07), b[4] = cmos(0x08), b[5] = cmos(0x09);
        b[6] = cmos(0x32);
        for (i = 0; i < 7 && a[i] == b[i]; i++)
            ;
        if (i == 7)
            break;
    }
    st = cmos(0x0b);
    bin = st & 0x04;
    hour = bcd(a[2] & 0x7f, bin);
    if (!(st & 0x02) && (a[2] & 0x80)) /* 12-hour clock, PM */
        hour = (hour % 12) + 12;
    y = bcd(a[5], bin) + 100 * (a[6] && a[6] != 0xff ? bcd(a[6], bin) : 20);
    if (bcd(a[0], bin) > 59 || bcd(a[1], bin) > 59 || hour > 23 ||
        bcd(a[4], bin) < 1 || bcd(a[4], bin) > 12 || bcd(a[3], bin) < 1 ||
        bcd(a[3], bin) > 31 || y < 1970)
        return 0;
    return days(y, bcd(a[4], bin), bcd(a[3], bin)) * 86400 + hour * 3600 +
           bcd(a[1], bin) * 60 + bcd(a[0], bin);
}

uint64_t plat_clock_wall(void)
{
    static uint64_t offset;
    static int known;

    if (!known) {
        uint64_t now = plat_clock_monotonic();
        if (use_kvm) {
            uint32_t v;
            uint64_t w;
            cpu_wrmsr(MSR_KVM_WALL_CLOCK_NEW, (uint64_t)(uintptr_t)&kvm_wall);
            do {
                v = kvm_wall.version;
                kern_rmb();
                w = kvm_wall.sec * NS + kvm_wall.nsec;
                kern_rmb();
            } while ((v & 1) || v != kvm_wall.version);
            /* The wall clock at pvclock's zero, plus pvclock's now. */
            offset = w + kvm_ns0;
        } else {
            offset = rtc_read() * NS - now;
        }
        known = 1;
    }
    return plat_clock_monotonic() + offset;
}

/* ---- Waiting ------------------------------------------------------------ */

/* The longest wait one arming of the PIT covers: 65535 ticks. */
#define PIT_MAX_NS (65535 * NS / PIT_HZ)

void time_arm(uint64_t deadline)
{
    uint64_t now = plat_clock_monotonic(), wait;

    wait = deadline > now ? deadline - now : 0;
    if (timer == TIMER_PIT) {
        /* Mode 0: the output drops at the control word and rises, raising
         * IRQ 0, when the count (rounded up: never early) runs out. */
        uint64_t n = wait >= PIT_MAX_NS ? 65535 : (wait * PIT_HZ + NS - 1) / NS;
        if (!n)
            n = 1;             /* 0 would be 65536 */
        kern_outb(0x43, 0x30); /* channel 0, low then high byte, mode 0 */
        kern_outb(0x40, (uint8_t)n);
        kern_outb(0x40, (uint8_t)(n >> 8));
    } else if (timer == TIMER_TSC_DEADLINE) {
        uint64_t t =
            cpu_rdtsc() + (uint64_t)(((unsigned __int128)wait * ns2tsc) >> 32);
        kern_wr32(intr_lapic + LAPIC_LVT_TMR, KERN_VEC_TIMER | (2u << 17));
        cpu_wrmsr(MSR_TSC_DEADLINE, t ? t : 1);
    } else if (timer == TIMER_LAPIC) {
        uint64_t n = (uint64_t)(((unsigned __int128)wait * lapic_hz) / NS);
        if (n > 0xffffffffu)
            n = 0xffffffffu; /* wakes early; plat_yield re-arms */
        kern_wr32(intr_lapic + LAPIC_LVT_TMR, KERN_VEC_TIMER);
        kern_wr32(intr_lapic + LAPIC_TMR_DIV, 0xb);
        kern_wr32(intr_lapic + LAPIC_TMR_INIT, n ? (uint32_t)n : 1);
    }
}

void plat_yield(uint64_t deadline, plat_handle_set_t *ready)
{
    static int timer_set;

    if (!timer_set) {
        timer_set = 1;
        timer_init();
    }
    for (;;) {
        plat_handle_set_t r = kern_net_ready();
        if (r || plat_clock_monotonic() >= deadline) {
            *ready = r;
            return;
        }
        if (timer == TIMER_NONE) {
            __asm__ volatile("pause");
            continue;
        }
        time_arm(deadline);
        /* sti's one-instruction shadow: an interrupt already pending is
         * taken at the hlt, never lost between the check and the halt. */
        __asm__ volatile("sti; hlt; cli" : : : "memory");
    }
}
