# lib/tar: the reader of tar archive headers (include/pith/tar.h), for
# stores that serve files from an archive on a block device (lib/kv).
tar_SRCS := lib/tar/tar.c
tar_DEPS := bv

# The unit test writes its archives header by header, and has GNU tar
# (which it needs on the host) write more at test time; under ASan and
# UBSan.
TAR_TEST_SRCS := $(ROOT)/lib/tar/tar.c $(ROOT)/lib/tar/tar_test.c \
                 $(ROOT)/lib/bv/bv.c
TAR_TEST_DEPS := $(TAR_TEST_SRCS) $(ROOT)/include/pith/tar.h \
                 $(ROOT)/include/pith/bv.h $(ROOT)/include/pith/err.h \
                 $(ROOT)/tests/unit.h $(ROOT)/mk/flags.mk \
                 $(ROOT)/lib/tar/module.mk

$(B)/tests/tar_test: $(TAR_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(ROOT)/tests -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $@ $(TAR_TEST_SRCS)

UNIT_TESTS += $(B)/tests/tar_test
build/tests/tar_test: $(B)/tests/tar_test

# Archives come from operators and the wire: fuzz the reader. The seed
# corpus is archives GNU tar wrote (ustar, gnu, pax), and broken ones.
FUZZERS += tar
tar_FUZZ_SRCS := lib/tar/tar_fuzz.c lib/tar/tar.c lib/bv/bv.c
