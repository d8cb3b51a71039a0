# lib/alloc: the heap allocator. Every image links alloc_SRCS; freestanding
# images (spt, virtio) also get malloc and friends from stdlib.c. unix
# images and the host tests keep glibc's malloc.
alloc_SRCS := lib/alloc/alloc.c
alloc_SRCS_spt := lib/alloc/stdlib.c
alloc_SRCS_virtio := lib/alloc/stdlib.c

ALLOC_TEST_SRCS := $(ROOT)/lib/alloc/alloc.c $(ROOT)/lib/alloc/alloc_test.c
ALLOC_TEST_DEPS := $(ALLOC_TEST_SRCS) $(ROOT)/include/pith/alloc.h \
                   $(ROOT)/include/pith/plat.h $(ROOT)/include/pith/err.h \
                   $(ROOT)/tests/unit.h $(ROOT)/mk/flags.mk \
                   $(ROOT)/lib/alloc/module.mk

$(B)/tests/alloc_test: $(ALLOC_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $(ALLOC_TEST_SRCS)

$(B)/tests/alloc_test_asan: $(ALLOC_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -O1 -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $@ $(ALLOC_TEST_SRCS)

UNIT_TESTS += $(B)/tests/alloc_test $(B)/tests/alloc_test_asan

# So that `make build/tests/alloc_test` from the top directory works too.
ALLOC_TESTS := $(B)/tests/alloc_test $(B)/tests/alloc_test_asan
$(ALLOC_TESTS:$(ROOT)/%=%): %: $(ROOT)/%
