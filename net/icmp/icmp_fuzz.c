/*
 * Fuzz target for net/icmp: the input is a nettest program whose frames
 * carry ICMP messages from the peer to us. An echo request that verifies
 * must be answered with a reply that verifies too (the incremental
 * checksum of RFC 1624 against a full one); nettest checks the rest.
 */
#include <stdint.h>
#include <string.h>

#include "../stack/nettest.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct net n;
    static uint8_t f[NET_RX_FRAME_MAX], got[65536];
    struct bv v = bv_make(data, size), body;
    struct icmp_hdr h;

    /* The input as one message, and the reply checked. */
    if (size <= NET_MTU_MAX - IP4_HLEN && nt_up(&n) == 0) {
        int valid = icmp_parse(&v, &h, &body) == 0 &&
                    ip4_csum_finish(ip4_csum_add(0, &v)) == 0 &&
                    h.type == ICMP_ECHO;
        nt_learn_peer(&n);
        nt_input(&n, f,
                 nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, data, size));
        CHECK(nt_nout == (size_t)valid);
        if (valid) {
            long k = nt_out_reassemble(0, 1, got, sizeof got);
            struct bv r = bv_make(got, k < 0 ? 0 : (size_t)k);
            CHECK(k == (long)size && got[0] == ICMP_ECHO_REPLY);
            CHECK(memcmp(got + 4, data + 4, size - 4) == 0);
            CHECK(ip4_csum_finish(ip4_csum_add(0, &r)) == 0);
        }
        net_close(&n);
    }
    nt_fuzz(data, size, NT_WRAP_ICMP);
    return 0;
}
