# net/icmp: ICMP for IPv4 (RFC 792): echo, unreachable, rate limited.
icmp_SRCS := net/icmp/icmp.c
icmp_DEPS := ip4

include $(ROOT)/net/net.mk
$(eval $(call NET_UNIT_TEST,icmp_test,icmp))
FUZZERS += icmp
icmp_FUZZ_SRCS := net/icmp/icmp_fuzz.c $(NET_SRCS)
$(B)/fuzz/icmp: $(NET_FUZZ_DEPS)
