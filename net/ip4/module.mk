# net/ip4: IPv4 (RFC 791, 1122): checks, routing, fragmentation and
# reassembly, and the Internet checksum.
ip4_SRCS := net/ip4/ip4.c net/ip4/csum.c net/ip4/reasm.c
ip4_DEPS := arp eth

include $(ROOT)/net/net.mk
$(eval $(call NET_UNIT_TEST,ip4_test,ip4))
FUZZERS += ip4
ip4_FUZZ_SRCS := net/ip4/ip4_fuzz.c $(NET_SRCS)
$(B)/fuzz/ip4: $(NET_FUZZ_DEPS)
