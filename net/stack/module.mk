# net/stack: the network stack an app starts (<pith/net.h>): configuration,
# the device watcher, dispatch, timers and statistics. `modules stack`
# gives ARP and ping; `modules udp` adds UDP sockets.
stack_SRCS := net/stack/stack.c net/stack/config.c
stack_DEPS := icmp ip4 arp eth bv ev

include $(ROOT)/net/net.mk
$(eval $(call NET_UNIT_TEST,stack_test,stack))
FUZZERS += stack
stack_FUZZ_SRCS := net/stack/stack_fuzz.c $(NET_SRCS)
$(B)/fuzz/stack: $(NET_FUZZ_DEPS)
