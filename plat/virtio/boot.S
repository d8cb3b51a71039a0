/*
 * The virtio target's entry points: a PVH entry (the Xen ELF note that
 * QEMU -kernel, Firecracker and Cloud Hypervisor use) and a multiboot
 * entry (QEMU, GRUB). Both arrive in 32-bit protected mode with paging
 * off; both zero .bss, map the first 4 GiB with 2 MiB pages, turn on long
 * mode with NX and write protection, and call kern_main(proto, info) in
 * 64-bit code. cpu.c then replaces these early page tables with W^X ones.
 *
 * Interrupt and exception stubs are here too: each saves the general
 * registers and the SSE state, calls kern_trap(frame), and returns.
 */
#define MB_MAGIC     0x1BADB002
#define MB_FLAGS     0x00010003 /* page-align, memory map, a.out kludge */
#define MB_BOOTED    0x2BADB002
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define CR0_PE  (1 << 0)
#define CR0_MP  (1 << 1)
#define CR0_WP  (1 << 16)
#define CR0_PG  (1 << 31)
#define CR4_PAE (1 << 5)
#define EFER    0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

        .section .multiboot, "a"
        .align 4
mb_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)
        .long mb_header         /* header_addr */
        .long __image_start     /* load_addr */
        .long __load_end        /* load_end_addr: end of .data */
        .long __bss_end         /* bss_end_addr */
        .long mb_entry32        /* entry_addr */

        .section .note.Xen, "a"
        .align 4
        .long 4                 /* namesz: "Xen\0" */
        .long 8                 /* descsz */
        .long XEN_ELFNOTE_PHYS32_ENTRY
        .asciz "Xen"
        .align 4
        .quad pvh_entry32

        .text
        .code32
        /* PVH: %ebx holds the physical address of struct hvm_start_info. */
        .globl pvh_entry32
pvh_entry32:
        cli
        movl %eax, %edi
        rdtsc
        movl %eax, boot_tsc
        movl %edx, boot_tsc + 4
        movl %edi, %eax
        movl $1, %esi
        jmp common32

        /* Multiboot: %eax holds MB_BOOTED, %ebx the multiboot info. */
        .globl mb_entry32
mb_entry32:
        cli
        movl %eax, %edi
        rdtsc
        movl %eax, boot_tsc
        movl %edx, boot_tsc + 4
        movl %edi, %eax
        movl $2, %esi
        cmpl $MB_BOOTED, %eax
        je common32
        movl $0, %esi           /* an unknown loader: no boot info */

common32:
        cld
        /* Zero .bss (the early page tables live there), four bytes a
         * step: under emulation each step of a rep is a turn of a loop. */
        movl $__bss_start, %edi
        movl $__bss_zero_end, %ecx
        subl %edi, %ecx
        shrl $2, %ecx
        xorl %eax, %eax
        rep stosl
        movl %esi, boot_proto
        movl %ebx, boot_info

        /* PML4[0] -> PDPT; PDPT[0..3] -> four PDs of 2 MiB pages. */
        movl $boot_pdpt, %eax
        orl $3, %eax
        movl %eax, boot_pml4
        movl $boot_pd, %eax
        orl $3, %eax
        movl $boot_pdpt, %edi
        movl $4, %ecx
1:      movl %eax, (%edi)
        addl $0x1000, %eax
        addl $8, %edi
        loop 1b
        movl $boot_pd, %edi
        movl $0x83, %eax        /* present, writable, 2 MiB */
        xorl %edx, %edx
        movl $2048, %ecx
2:      movl %eax, (%edi)
        movl %edx, 4(%edi)
        addl $0x200000, %eax
        adcl $0, %edx
        addl $8, %edi
        loop 2b

        movl $boot_pml4, %eax
        movl %eax, %cr3
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $EFER, %ecx
        rdmsr
        orl $(EFER_LME | EFER_NXE), %eax
        wrmsr
        movl %cr0, %eax
        orl $(CR0_PG | CR0_WP | CR0_PE | CR0_MP), %eax
        movl %eax, %cr0
        lgdt gdt_ptr
        ljmp $0x08, $entry64

        .code64
entry64:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorw %ax, %ax
        movw %ax, %fs
        movw %ax, %gs
        movq $__stack_top, %rsp
        xorl %ebp, %ebp
        /* SSE before any C: compilers use it for copies and zeroing. */
        movq %cr0, %rax
        andq $~(1 << 2), %rax   /* EM off */
        orq $((1 << 1) | (1 << 5)), %rax /* MP, NE */
        movq %rax, %cr0
        movq %cr4, %rax
        orq $((1 << 9) | (1 << 10)), %rax /* OSFXSR, OSXMMEXCPT */
        movq %rax, %cr4
        /* %fs points at the thread block: the stack protector's canary
         * is at %fs:0x28 (kern_main sets it before any checked call). */
        movl $0xC0000100, %ecx  /* FS_BASE */
        movl $kern_tcb, %eax
        xorl %edx, %edx
        wrmsr
        movl boot_proto, %edi
        movl boot_info, %esi
        call kern_main
3:      cli
        hlt
        jmp 3b

/*
 * Trap stubs. The CPU pushes an error code for vectors 8, 10-14, 17, 21,
 * 29 and 30; for the others the stub pushes 0 so that every frame looks
 * the same: vector, error code, then the CPU's rip, cs, rflags, rsp, ss.
 * Every vector runs on the IST1 stack (cpu.c), so the interrupted code's
 * red zone is never touched.
 */
        .macro TRAP vec
        .align 16
trap\vec:
        .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
        .else
        pushq $0
        .endif
        pushq $\vec
        jmp trap_common
        .endm

        .altmacro
        .macro TRAPS from, to
        TRAP \from
        .if \to-\from
        TRAPS %(\from+1), \to
        .endif
        .endm
        TRAPS 0, 63
        TRAPS 64, 127
        TRAPS 128, 191
        TRAPS 192, 255

        .macro TRAPADDR vec
        .quad trap\vec
        .endm
        .macro TRAPADDRS from, to
        TRAPADDR \from
        .if \to-\from
        TRAPADDRS %(\from+1), \to
        .endif
        .endm
        .section .rodata
        .align 8
        .globl kern_trap_stubs
kern_trap_stubs:
        TRAPADDRS 0, 63
        TRAPADDRS 64, 127
        TRAPADDRS 128, 191
        TRAPADDRS 192, 255
        .text

/* Frame layout: struct kern_frame in cpu.h, lowest address first. */
trap_common:
        pushq %rax
        pushq %rbx
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %rbp
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, %rdi         /* struct kern_frame * */
        movq %rsp, %rbx
        subq $512, %rsp
        andq $-16, %rsp
        fxsave64 (%rsp)
        call kern_trap
        fxrstor64 (%rsp)
        movq %rbx, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        addq $16, %rsp          /* vector and error code */
        iretq

        .data
        .align 16
        .globl kern_gdt
kern_gdt:
        .quad 0
        .quad 0x00AF9A000000FFFF /* 0x08: 64-bit code */
        .quad 0x00CF92000000FFFF /* 0x10: data */
        .quad 0, 0               /* 0x18: the TSS, filled in by cpu.c */
gdt_end:
gdt_ptr:
        .word gdt_end - kern_gdt - 1
        .quad kern_gdt

        .section .bss
        .align 4
boot_proto:
        .long 0
boot_info:
        .long 0
        .align 4096
boot_pml4:
        .skip 4096
boot_pdpt:
        .skip 4096
boot_pd:
        .skip 4 * 4096

        .section .note.GNU-stack, "", @progbits
