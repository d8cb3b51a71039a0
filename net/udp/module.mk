# net/udp: UDP sockets (RFC 768). `modules udp` links the whole stack.
udp_SRCS := net/udp/udp.c
udp_DEPS := stack

include $(ROOT)/net/net.mk
$(eval $(call NET_UNIT_TEST,udp_test,udp))
FUZZERS += udp
udp_FUZZ_SRCS := net/udp/udp_fuzz.c $(NET_SRCS)
$(B)/fuzz/udp: $(NET_FUZZ_DEPS)
