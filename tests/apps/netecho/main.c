/*
 * netecho: a link-layer reflector for testing the network contract. Every
 * frame addressed to this device's MAC with EtherType 0x88b5 (local
 * experimental) is sent back with the addresses swapped. A frame whose
 * payload starts with "quit" ends the app with the count of frames seen.
 * Prints its MAC and MTU at start so the peer knows where to send.
 */
#include <stdio.h>
#include <string.h>
#include <pith/plat.h>
#include <pith/rt.h>

static uint8_t frame[9216 + 14];

int app_main(int argc, char **argv)
{
    struct plat_net_info ni;
    plat_handle_t h;
    plat_handle_set_t ready;
    unsigned long echoed = 0, other = 0;
    uint64_t idle_deadline;
    size_t len;

    (void)argc;
    (void)argv;
    if (plat_net_acquire("service", &h, &ni) != PITH_OK) {
        printf("netecho: FAIL: no net device 'service'\n");
        return 1;
    }
    printf("netecho: mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u\n", ni.mac[0],
           ni.mac[1], ni.mac[2], ni.mac[3], ni.mac[4], ni.mac[5], ni.mtu);
    idle_deadline = plat_clock_monotonic() + 30000000000ull;
    for (;;) {
        plat_yield(plat_clock_monotonic() + 1000000000ull, &ready);
        if (plat_clock_monotonic() > idle_deadline) {
            printf("netecho: FAIL: idle for 30 s\n");
            return 1;
        }
        if (!(ready & (1ull << h)))
            continue;
        while (plat_net_read(h, frame, sizeof frame, &len) == PITH_OK) {
            uint8_t tmp[6];
            idle_deadline = plat_clock_monotonic() + 30000000000ull;
            if (len < 14 || memcmp(frame, ni.mac, 6) != 0 ||
                frame[12] != 0x88 || frame[13] != 0xb5) {
                other++;
                continue;
            }
            if (len >= 18 && memcmp(frame + 14, "quit", 4) == 0) {
                printf("netecho: echoed %lu frames, ignored %lu\n", echoed,
                       other);
                return 0;
            }
            memcpy(tmp, frame, 6);
            memcpy(frame, frame + 6, 6);
            memcpy(frame + 6, tmp, 6);
            while (plat_net_write(h, frame, len) == PITH_EAGAIN)
                plat_yield(0, &ready);
            echoed++;
        }
    }
}
