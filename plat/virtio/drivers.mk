# The virtio target's device drivers (included by plat/virtio/module.mk):
# PCI and MMIO transports, split virtqueues, virtio-net, virtio-blk and
# virtio-rng, and the binding of what they find to the manifest.
plat_virtio_drv_SRCS := plat/virtio/vdev.c plat/virtio/pci.c \
                        plat/virtio/mmio.c plat/virtio/virtq.c \
                        plat/virtio/net.c plat/virtio/blk.c plat/virtio/rng.c

# The virtqueue logic against a simulated device, on the host, under ASan
# and UBSan.
VIRTQ_TEST_SRCS := $(ROOT)/plat/virtio/virtq.c $(ROOT)/plat/virtio/virtq_test.c
$(B)/tests/virtq_test: $(VIRTQ_TEST_SRCS) $(ROOT)/plat/virtio/virtq.h \
                       $(ROOT)/plat/virtio/kern.h $(ROOT)/tests/unit.h \
                       $(ROOT)/mk/flags.mk $(ROOT)/plat/virtio/drivers.mk
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(ROOT)/tests -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $@ $(VIRTQ_TEST_SRCS)

UNIT_TESTS += $(B)/tests/virtq_test

# virtio-net against a simulated device, the same way.
NET_TEST_SRCS := $(ROOT)/plat/virtio/virtq.c $(ROOT)/plat/virtio/net.c \
                 $(ROOT)/plat/virtio/net_test.c
$(B)/tests/vnet_test: $(NET_TEST_SRCS) $(ROOT)/plat/virtio/virtq.h \
                      $(ROOT)/plat/virtio/vdev.h $(ROOT)/plat/virtio/kern.h \
                      $(ROOT)/include/pith/plat.h $(ROOT)/tests/unit.h \
                      $(ROOT)/mk/flags.mk $(ROOT)/plat/virtio/drivers.mk
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(ROOT)/tests -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $@ $(NET_TEST_SRCS)

UNIT_TESTS += $(B)/tests/vnet_test

ifeq ($(CURDIR),$(ROOT))
build/tests/virtq_test: $(B)/tests/virtq_test ;
build/tests/vnet_test: $(B)/tests/vnet_test ;
endif
