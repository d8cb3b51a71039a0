/* The virtio target's CPU set-up, traps and page tables; private. */
#ifndef PITH_VIRTIO_CPU_H
#define PITH_VIRTIO_CPU_H

#include <stdint.h>

/* What trap_common (boot.S) saves, lowest address first. */
struct kern_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx,
        rax;
    uint64_t vec, err;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* Interrupt vectors: 32..47 device inputs, the timer, spurious. */
#define KERN_VEC_DEV0     32
#define KERN_VEC_DEVS     16
#define KERN_VEC_TIMER    0xf0
#define KERN_VEC_SPURIOUS 0xff

/* The thread block %fs points at; the canary is tcb[5] (%fs:0x28). */
extern uint64_t kern_tcb[8];

/* GDT's TSS, IDT, XSAVE/AVX state. */
void cpu_init(void);

/* Replaces the boot page tables with W^X ones (pages from mem.c). */
void cpu_paging_init(void);

/* Called by trap_common for every vector. */
void kern_trap(struct kern_frame *f);

/* Interrupt dispatch (intr.c), for device vectors and the timer. */
void intr_dispatch(unsigned vec);

/* The image's layout, from virtio.lds. */
extern char __image_start[], __text_end[], __rodata_end[], __bss_end[];
extern char __stack_guard[], __stack_bottom[], __stack_top[];
extern char __ist_guard[], __ist_top[];

static inline uint64_t cpu_rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static inline void cpu_wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr"
                     :
                     : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t cpu_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

#endif
