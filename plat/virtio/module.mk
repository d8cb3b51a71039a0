# The virtio target: a bootable x86_64 image (PVH and multiboot) with its
# own page tables, console, clock and the virtio drivers of drivers.mk.
include $(ROOT)/plat/virtio/drivers.mk
plat_virtio_SRCS := plat/virtio/boot.S plat/virtio/main.c \
                    plat/virtio/cpu.c plat/virtio/intr.c \
                    plat/virtio/time.c plat/virtio/mem.c \
                    plat/virtio/console.c $(plat_virtio_drv_SRCS)
