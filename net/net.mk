# Shared by the net/ modules' module.mk files (included once): the unit
# tests and fuzz targets of every layer link the whole stack, the views,
# the event core and a fake platform (net/stack/nettest.c: a settable
# clock, a device whose frames are captured, frame builders).
ifndef NET_MK_INCLUDED
NET_MK_INCLUDED := 1

NET_SRCS := net/eth/eth.c net/arp/arp.c net/ip4/ip4.c net/ip4/csum.c \
            net/ip4/reasm.c net/icmp/icmp.c net/stack/stack.c \
            net/stack/config.c net/udp/udp.c net/dhcp/dhcp.c lib/bv/bv.c \
            lib/ev/ev.c net/tcp/tcp.c net/tcp/rtt.c net/tcp/cookie.c \
            net/tcp/cc.c net/tcp/ring.c net/tcp/input.c net/tcp/output.c \
            net/tcp/api.c \
            net/stack/nettest.c
NET_TEST_DEPS := $(addprefix $(ROOT)/,$(NET_SRCS)) \
                 $(wildcard $(ROOT)/net/*/*.h) $(ROOT)/include/pith/net.h \
                 $(ROOT)/include/pith/udp.h $(ROOT)/include/pith/tcp.h \
                 $(ROOT)/include/pith/bv.h \
                 $(ROOT)/include/pith/ev.h $(ROOT)/include/pith/plat.h \
                 $(ROOT)/tests/unit.h $(ROOT)/mk/flags.mk \
                 $(ROOT)/net/net.mk

# $(call NET_UNIT_TEST,NAME,FOLDER): build/tests/NAME from
# net/FOLDER/NAME.c under ASan and UBSan, listed in UNIT_TESTS.
define NET_UNIT_TEST
$(B)/tests/$(1): $(ROOT)/net/$(2)/$(1).c $(NET_TEST_DEPS) \
                 $(ROOT)/net/$(2)/module.mk
	@mkdir -p $$(@D)
	$$(CC) $$(HOST_CFLAGS) -I$$(ROOT)/tests -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $$@ $$(filter %.c,$$^)
UNIT_TESTS += $(B)/tests/$(1)
build/tests/$(1): $(B)/tests/$(1)
endef

# Fuzz targets list the stack's sources (NAME_FUZZ_SRCS); this makes them
# depend on its headers as well.
NET_FUZZ_DEPS := $(NET_TEST_DEPS)

endif
