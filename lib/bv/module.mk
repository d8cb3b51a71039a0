# lib/bv: bounds-checked views, the only way pith code reads or writes
# packet and file data. Every image links bv_SRCS.
bv_SRCS := lib/bv/bv.c

# Unit tests run under ASan and UBSan: an access outside a buffer is a
# failure even when its result looks right.
BV_TEST_SRCS := $(ROOT)/lib/bv/bv.c $(ROOT)/lib/bv/bv_test.c
BV_TEST_DEPS := $(BV_TEST_SRCS) $(ROOT)/include/pith/bv.h \
                $(ROOT)/tests/unit.h $(ROOT)/mk/flags.mk \
                $(ROOT)/lib/bv/module.mk

$(B)/tests/bv_test: $(BV_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(ROOT)/tests -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $@ $(BV_TEST_SRCS)

UNIT_TESTS += $(B)/tests/bv_test

# So that `make build/tests/bv_test` from the top directory works too.
build/tests/bv_test: $(B)/tests/bv_test

# Views are what parsers stand on: fuzz them against a reference model.
FUZZERS += bv
bv_FUZZ_SRCS := lib/bv/bv_fuzz.c lib/bv/bv.c
