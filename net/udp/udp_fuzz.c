/*
 * Fuzz target for net/udp: the input is a nettest program whose frames
 * carry UDP datagrams from the peer to us, where a socket on port 7
 * echoes. A datagram that parses must have its data inside it; nettest
 * checks every frame the stack sends back and its invariants.
 */
#include <stdint.h>

#include "../stack/nettest.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bv v = bv_make(data, size), d;
    struct udp_hdr h;

    if (udp_parse(&v, &h, &d) == 0)
        CHECK(h.len >= UDP_HLEN && h.len <= size &&
              bv_len(&d) == h.len - UDP_HLEN);
    nt_fuzz(data, size, NT_WRAP_UDP);
    return 0;
}
