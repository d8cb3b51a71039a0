/*
 * Fuzz target for net/dhcp. The input is parsed once as a DHCP message,
 * then run as a program against a stack without an address whose client
 * has sent its DISCOVER: a sequence of chunks, each an opcode byte, a
 * 16-bit big-endian length and that many bytes (fewer at the end). Opcode
 * % 3: 0 delivers the bytes as a reply from the server (10.0.0.1:67 to
 * 255.255.255.255:68), with the client's current xid and MAC written over
 * theirs so that they reach the state machine; 1 moves the clock by
 * length * 100 ms and runs due work; 2 delivers the bytes as they are, as
 * a UDP payload to port 68. After each step: the client's state is one of
 * RFC 2131's, the interface has an address exactly when bound, and every
 * frame sent kept the device contract.
 */
#include <stdint.h>
#include <string.h>

#include "../stack/nettest.h"
#include "dhcp.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

static struct net n;
static uint8_t f[NET_RX_FRAME_MAX], msg[65536];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct net_config c = {0, 0, 0, 0};
    struct bv v = bv_make(data, size);
    struct dhcp_msg m;
    size_t at = 0, len;

    if (dhcp_parse(&v, &m) == 0)
        CHECK(size >= DHCP_OFF_OPTS && bv_ok(&v));

    nt_reset();
    net_close(&n);
    CHECK(net_init(&n, "service", &c) == 0);
    nt_now += NET_SEC_NS;
    net_tick(&n);
    CHECK(n.dhcp.state == DHCP_SELECTING);
    while (at + 3 <= size) {
        uint8_t op = data[at];

        len = (size_t)data[at + 1] << 8 | data[at + 2];
        at += 3;
        if (len > size - at)
            len = size - at;
        if (len > 1400)
            len = 1400;
        memcpy(msg, data + at, len);
        at += len;
        switch (op % 3) {
        case 0:
            if (len >= DHCP_OFF_CHADDR + 6) {
                msg[DHCP_OFF_XID] = (uint8_t)(n.dhcp.xid >> 24);
                msg[DHCP_OFF_XID + 1] = (uint8_t)(n.dhcp.xid >> 16);
                msg[DHCP_OFF_XID + 2] = (uint8_t)(n.dhcp.xid >> 8);
                msg[DHCP_OFF_XID + 3] = (uint8_t)n.dhcp.xid;
                memcpy(msg + DHCP_OFF_CHADDR, nt_mac, 6);
            }
            nt_input(&n, f, nt_udp(f, NT_PEER, 67, 0xffffffffu, 68, msg, len));
            break;
        case 1:
            nt_now += len * 100 * NT_MS;
            net_tick(&n);
            break;
        default:
            nt_input(&n, f, nt_udp(f, NT_PEER, 67, NT_ADDR, 68, msg, len));
        }
        net_kick(&n);
        CHECK(n.dhcp.state >= DHCP_INIT && n.dhcp.state <= DHCP_REBINDING);
        CHECK((n.addr != 0) == (n.dhcp.state >= DHCP_BOUND));
        CHECK(nt_bad_writes == 0);
        nt_clear();
    }
    return 0;
}
