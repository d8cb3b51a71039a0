# lib/libc: the freestanding C library subset that images link against.
#
# libc_SRCS is what images are built from (mk/app.mk compiles it with
# FREE_CFLAGS and LIBC_CFLAGS). The unit test builds the same sources for
# the host, renames every symbol in them to pith_*, and links that beside
# glibc so the two can be compared call for call.

libc_SRCS := lib/libc/string.c lib/libc/strstr.c lib/libc/strcase.c \
             lib/libc/ctype.c lib/libc/printf.c lib/libc/strtol.c \
             lib/libc/qsort.c lib/libc/stdlib.c lib/libc/errno.c \
             lib/libc/assert.c lib/libc/rt_syms.c

OBJCOPY ?= objcopy
NM      ?= nm

LIBC_DEPS := $(wildcard $(ROOT)/lib/libc/include/*.h) \
             $(ROOT)/include/pith/plat.h $(ROOT)/mk/flags.mk \
             $(ROOT)/lib/libc/module.mk

# The platform contract is all libc may leave undefined, besides the GOT
# that -fno-plt's indirect calls name (the static link resolves them).
LIBC_ALLOWED_UNDEF := plat_console_write plat_abort plat_exit \
                      plat_clock_wall _GLOBAL_OFFSET_TABLE_

# ---- As images get it: compiled and checked, not linked -------------------

LIBC_FREE_OBJS := $(libc_SRCS:lib/libc/%.c=$(B)/libc/free/%.o)

$(LIBC_FREE_OBJS): $(B)/libc/free/%.o: $(ROOT)/lib/libc/%.c $(LIBC_DEPS)
	@mkdir -p $(@D)
	$(CC) $(FREE_CFLAGS) $(LIBC_CFLAGS) -c $< -o $@

$(B)/libc/free/libc.o: $(LIBC_FREE_OBJS)
	$(LD) -r -o $@ $^

$(B)/libc/free/undefined.ok: $(B)/libc/free/libc.o
	@bad=$$($(NM) -u $< | awk '{print $$2}' | \
	       grep -vxF $(addprefix -e ,$(LIBC_ALLOWED_UNDEF))); \
	if [ -n "$$bad" ]; then \
	    echo "libc: unexpected undefined symbols:" $$bad; exit 1; fi
	@touch $@

# ---- For the host test: same flags, but PIE and no stack protector -------
# (the test process has no canary set up for us) and ordinary PLT calls
# (-fno-plt would leave a reference to the GOT symbol, renamed by the prefix).

LIBC_HOST_CFLAGS := $(filter-out -fno-pie -fno-pic -fstack-protector-strong \
                      -fno-plt,$(FREE_CFLAGS)) $(LIBC_CFLAGS) -fPIE \
                    -fno-stack-protector
LIBC_ASAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
                    -fno-omit-frame-pointer

LIBC_HOST_OBJS := $(libc_SRCS:lib/libc/%.c=$(B)/libc/host/%.o)
LIBC_ASAN_OBJS := $(libc_SRCS:lib/libc/%.c=$(B)/libc/asan/%.o)

$(LIBC_HOST_OBJS): $(B)/libc/host/%.o: $(ROOT)/lib/libc/%.c $(LIBC_DEPS)
	@mkdir -p $(@D)
	$(CC) $(LIBC_HOST_CFLAGS) -c $< -o $@

$(LIBC_ASAN_OBJS): $(B)/libc/asan/%.o: $(ROOT)/lib/libc/%.c $(LIBC_DEPS)
	@mkdir -p $(@D)
	$(CC) $(LIBC_HOST_CFLAGS) $(LIBC_ASAN_CFLAGS) -c $< -o $@

# One object with every symbol prefixed pith_, undefined ones included (so
# pith_plat_console_write and friends come from the test).
$(B)/libc/host/libc_pith.o: $(LIBC_HOST_OBJS)
	$(LD) -r -o $@.tmp $^
	$(OBJCOPY) --prefix-symbols=pith_ $@.tmp $@
	@rm -f $@.tmp

# The same, then the sanitizers' own entry points given their names back.
$(B)/libc/asan/libc_pith.o: $(LIBC_ASAN_OBJS)
	$(LD) -r -o $@.tmp $^
	$(OBJCOPY) --prefix-symbols=pith_ $@.tmp $@.tmp2
	$(NM) -u $@.tmp2 | awk '$$2 ~ /^pith___(asan|ubsan|sanitizer|lsan)_/ \
	    { print $$2, substr($$2, 6) }' > $@.syms
	$(OBJCOPY) --redefine-syms=$@.syms $@.tmp2 $@
	@rm -f $@.tmp $@.tmp2 $@.syms

LIBC_TEST_DEPS := $(ROOT)/lib/libc/libc_test.c $(ROOT)/tests/unit.h

$(B)/tests/libc_test: $(LIBC_TEST_DEPS) $(B)/libc/host/libc_pith.o \
                      $(B)/libc/free/undefined.ok
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(ROOT)/tests -o $@ $< $(B)/libc/host/libc_pith.o

$(B)/tests/libc_test_asan: $(LIBC_TEST_DEPS) $(B)/libc/asan/libc_pith.o
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(LIBC_ASAN_CFLAGS) -I$(ROOT)/tests -o $@ $< \
	    $(B)/libc/asan/libc_pith.o

UNIT_TESTS += $(B)/tests/libc_test $(B)/tests/libc_test_asan

# $(B) is absolute; let `make build/tests/libc_test` in the top directory
# name the same files.
ifeq ($(CURDIR),$(ROOT))
build/tests/libc_test: $(B)/tests/libc_test ;
build/tests/libc_test_asan: $(B)/tests/libc_test_asan ;
endif

# `make libc_test_asan` builds and runs the comparison under ASan and UBSan.
.PHONY: libc_test_asan
libc_test_asan: $(B)/tests/libc_test_asan
	$(B)/tests/libc_test_asan
