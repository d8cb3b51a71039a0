/*
 * Fuzz target for net/ip4. When the input parses as an IPv4 packet, its
 * fields must come back the same through ip4_push() (for a 20-byte
 * header) and the views must lie inside it; the input is then a nettest
 * program of IPv4 packets to us (fragments, options, every length), clock
 * steps and sends, with the reassembly bounds checked at every step.
 */
#include <stdint.h>
#include <string.h>

#include "../stack/nettest.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bv v = bv_make(data, size), hdr, d;
    struct ip4_hdr h;

    if (ip4_parse(&v, &h, &hdr, &d) == 0) {
        CHECK(h.hlen >= IP4_HLEN && bv_len(&hdr) == h.hlen);
        CHECK(bv_len(&hdr) + bv_len(&d) == h.len && h.len <= size);
        if (h.hlen == IP4_HLEN) {
            uint8_t buf[IP4_HLEN];
            struct bw w = bw_make(buf, sizeof buf, IP4_HLEN);
            struct bv back;
            CHECK(ip4_push(&w, &h) == 0);
            back = bw_view(&w);
            /* Same fields; the checksum is computed afresh. */
            CHECK(bv_eq(&back, 0, data, 10) && bv_eq(&back, 12, data + 12, 8));
            back = bv_make(buf, IP4_HLEN);
            CHECK(ip4_csum_finish(ip4_csum_add(0, &back)) == 0);
        }
    }
    nt_fuzz(data, size, NT_WRAP_IP4);
    return 0;
}
