# net/dhcp: the DHCP client (RFC 2131, RFC 2132): with `modules dhcp`, an
# app started without --ipv4 leases its address.
dhcp_SRCS := net/dhcp/dhcp.c
dhcp_DEPS := udp

include $(ROOT)/net/net.mk
$(eval $(call NET_UNIT_TEST,dhcp_test,dhcp))
FUZZERS += dhcp
dhcp_FUZZ_SRCS := net/dhcp/dhcp_fuzz.c $(NET_SRCS)
$(B)/fuzz/dhcp: $(NET_FUZZ_DEPS)
