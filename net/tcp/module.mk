# net/tcp: TCP (RFC 9293), <pith/tcp.h>. Three faces: the wire and packet
# (tcp.c: segments and options), the logic (input.c: arrival; output.c:
# sending and timers; api.c: connection life and the app's calls), and
# their parts: the RFC 6298 estimator (rtt.c), congestion control (cc.c:
# slow start and CUBIC), SYN cookies and SipHash (cookie.c), byte rings
# (ring.c); sequence arithmetic is inline in tcp_seq.h.
tcp_SRCS := net/tcp/tcp.c net/tcp/rtt.c net/tcp/cookie.c net/tcp/cc.c \
            net/tcp/ring.c net/tcp/input.c net/tcp/output.c net/tcp/api.c
tcp_DEPS := stack alloc

# The codec test needs no stack: the views, the checksum and the codec.
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

# Two stacks over an in-memory link on a fake clock (tcp_sim_test.c has
# its own platform, so the stack's shared fake, nettest.c, stays out).
include $(ROOT)/net/net.mk
TCP_SIM_SRCS := $(ROOT)/net/tcp/tcp_sim_test.c \
                $(addprefix $(ROOT)/,$(filter-out net/stack/nettest.c,$(NET_SRCS)))
$(B)/tests/tcp_sim_test: $(TCP_SIM_SRCS) $(NET_TEST_DEPS) $(ROOT)/net/tcp/module.mk
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(ROOT)/tests -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $@ $(TCP_SIM_SRCS)
UNIT_TESTS += $(B)/tests/tcp_sim_test
build/tests/tcp_sim_test: $(B)/tests/tcp_sim_test

# The engine behind a handshake, driven by the input (tcp_conn_fuzz.c).
FUZZERS += tcp_conn
tcp_conn_FUZZ_SRCS := net/tcp/tcp_conn_fuzz.c $(NET_SRCS)
tcp_conn_CORPUS := net/tcp/conn-corpus/
$(B)/fuzz/tcp_conn: $(NET_FUZZ_DEPS)
