/*
 * The floor for virtio start-up: the least kernel QEMU can boot, a
 * multiboot header and three instructions that end the VM through
 * isa-debug-exit with status 0 (value 1, as plat/virtio writes it).
 * Whatever pith's image takes beyond this is pith's.
 */
        .text
        .code32
        .align 4
        .long 0x1BADB002
        .long 0
        .long -0x1BADB002
        .globl _start
_start:
        movw $0xf4, %dx
        movl $1, %eax
        outl %eax, %dx
1:      hlt
        jmp 1b
        .section .note.GNU-stack, "", @progbits
