/*
 * Fuzz target for net/eth: the input is one frame. Parsing it and pushing
 * the header again must give back the same bytes; then the whole stack
 * takes the frame (nettest checks its invariants and traps).
 */
#include <stdint.h>
#include <string.h>

#include "../stack/nettest.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[NET_RX_FRAME_MAX], prog[3 + NET_RX_FRAME_MAX];
    struct bv v = bv_make(data, size), p;
    struct eth_hdr h;

    if (size > NET_RX_FRAME_MAX)
        return 0;
    if (eth_parse(&v, &h, &p) == 0) {
        struct bw w = bw_make(buf, sizeof buf, ETH_HLEN);
        struct bv back;
        CHECK(size >= ETH_HLEN && bv_len(&p) == size - ETH_HLEN);
        bw_append(&w, bv_ptr(&p, 0, bv_len(&p)), bv_len(&p));
        CHECK(eth_push(&w, &h) == 0);
        back = bw_view(&w);
        CHECK(bv_len(&back) == size && bv_eq(&back, 0, data, size));
    } else {
        CHECK(size < ETH_HLEN);
    }
    /* A program of one chunk: the input as a raw frame. */
    prog[0] = 0;
    prog[1] = (uint8_t)(size >> 8);
    prog[2] = (uint8_t)size;
    memcpy(prog + 3, data, size);
    nt_fuzz(prog, size + 3, NT_WRAP_NONE);
    return 0;
}
