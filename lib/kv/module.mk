# lib/kv: one read-only store of files (include/pith/kv.h) over the files
# baked into the image (lib/files, reached through weak references, so
# that it is linked only with a `files` line) or a tar archive on a block
# device (lib/tar).
kv_SRCS := lib/kv/kv.c
kv_DEPS := bv tar alloc

# The unit test brings its own fake block device and table of baked
# files; a second build has no lib/files at all. Both under ASan and
# UBSan.
KV_TEST_SRCS := $(ROOT)/lib/kv/kv.c $(ROOT)/lib/kv/kv_test.c \
                $(ROOT)/lib/tar/tar.c $(ROOT)/lib/bv/bv.c
KV_TEST_DEPS := $(KV_TEST_SRCS) $(ROOT)/lib/files/files.c \
                $(ROOT)/include/pith/kv.h $(ROOT)/include/pith/tar.h \
                $(ROOT)/include/pith/files.h $(ROOT)/include/pith/plat.h \
                $(ROOT)/tests/unit.h $(ROOT)/mk/flags.mk \
                $(ROOT)/lib/kv/module.mk
KV_TEST_CFLAGS := $(HOST_CFLAGS) -I$(ROOT)/tests -fno-omit-frame-pointer \
                  -fsanitize=address,undefined -fno-sanitize-recover=all

$(B)/tests/kv_test: $(KV_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(KV_TEST_CFLAGS) -o $@ $(KV_TEST_SRCS) $(ROOT)/lib/files/files.c

$(B)/tests/kv_test_no_files: $(KV_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(KV_TEST_CFLAGS) -DKV_TEST_NO_FILES -o $@ $(KV_TEST_SRCS)

UNIT_TESTS += $(B)/tests/kv_test $(B)/tests/kv_test_no_files
build/tests/kv_test: $(B)/tests/kv_test
build/tests/kv_test_no_files: $(B)/tests/kv_test_no_files

# The store reads archives through a device: fuzz it with the tar seeds.
FUZZERS += kv
kv_FUZZ_SRCS := lib/kv/kv_fuzz.c lib/kv/kv.c lib/tar/tar.c lib/bv/bv.c
kv_CORPUS := lib/tar/corpus
