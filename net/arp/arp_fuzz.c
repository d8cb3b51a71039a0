/*
 * Fuzz target for net/arp. The input's first 28 bytes (when there are
 * so many) must survive parse and write unchanged when they parse; the
 * whole input is then a nettest program whose frames carry ARP or IPv4
 * (each chunk's first byte picks which, and broadcast or not), mixed with
 * clock steps, sends that need resolving and re-learning the peer: the
 * cache and queue bounds and their accounting are checked at every step.
 */
#include <stdint.h>

#include "../stack/nettest.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bv v = bv_make(data, size);
    struct arp_pkt a;

    if (arp_parse(&v, &a) == 0) {
        uint8_t buf[ARP_LEN];
        struct bw w = bw_make(buf, sizeof buf, 0);
        struct bv back;
        CHECK(arp_write(&w, &a) == 0);
        back = bw_view(&w);
        CHECK(bv_eq(&back, 0, data, ARP_LEN));
    }
    nt_fuzz(data, size, NT_WRAP_ETH);
    return 0;
}
