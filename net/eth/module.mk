# net/eth: Ethernet II framing and the stack's writes to the device.
eth_SRCS := net/eth/eth.c
eth_DEPS := bv ev

include $(ROOT)/net/net.mk
$(eval $(call NET_UNIT_TEST,eth_test,eth))
FUZZERS += eth
eth_FUZZ_SRCS := net/eth/eth_fuzz.c $(NET_SRCS)
$(B)/fuzz/eth: $(NET_FUZZ_DEPS)
