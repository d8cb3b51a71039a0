# net/tcp: TCP (RFC 9293). So far its foundations: segments and options
# (tcp.c), the RFC 6298 estimator (rtt.c), SYN cookies and SipHash
# (cookie.c); sequence arithmetic is inline in tcp_seq.h. The connection
# engine and its wiring into the stack come next.
tcp_SRCS := net/tcp/tcp.c net/tcp/rtt.c net/tcp/cookie.c
tcp_DEPS := ip4 bv

# The unit test needs no stack: the views, the checksum and this folder.
TCP_LIB_SRCS := net/tcp/tcp.c net/tcp/rtt.c net/tcp/cookie.c \
                net/ip4/csum.c lib/bv/bv.c
TCP_HDRS := $(wildcard $(ROOT)/net/tcp/*.h) $(ROOT)/net/ip4/ip4.h \
            $(ROOT)/include/pith/bv.h $(ROOT)/include/pith/net.h \
            $(ROOT)/include/pith/err.h
TCP_TEST_SRCS := $(ROOT)/net/tcp/tcp_test.c $(addprefix $(ROOT)/,$(TCP_LIB_SRCS))

$(B)/tests/tcp_test: $(TCP_TEST_SRCS) $(TCP_HDRS) $(ROOT)/tests/unit.h \
                     $(ROOT)/mk/flags.mk $(ROOT)/net/tcp/module.mk
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(ROOT)/tests -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $@ $(TCP_TEST_SRCS)
UNIT_TESTS += $(B)/tests/tcp_test
build/tests/tcp_test: $(B)/tests/tcp_test

FUZZERS += tcp
tcp_FUZZ_SRCS := net/tcp/tcp_fuzz.c $(TCP_LIB_SRCS)
$(B)/fuzz/tcp: $(TCP_HDRS)
