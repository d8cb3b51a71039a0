# net/arp: address resolution (RFC 826) with a bounded cache.
arp_SRCS := net/arp/arp.c
arp_DEPS := eth

include $(ROOT)/net/net.mk
$(eval $(call NET_UNIT_TEST,arp_test,arp))
FUZZERS += arp
arp_FUZZ_SRCS := net/arp/arp_fuzz.c $(NET_SRCS)
$(B)/fuzz/arp: $(NET_FUZZ_DEPS)
