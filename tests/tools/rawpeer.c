/*
 * rawpeer: the Linux side of the network contract test. Sends frames of
 * EtherType 0x88b5 with random sizes and contents to a MAC over a packet
 * socket on an interface, and checks that each comes back reflected
 * (addresses swapped, payload intact). Ends by sending "quit".
 *
 *   rawpeer IFNAME DSTMAC COUNT MTU
 * Prints "ok NAME" / "not ok NAME: why" lines for tests/run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned char mine[6], peer[6];

static int send_frame(int s, const struct sockaddr_ll *sll,
                      const unsigned char *payload, size_t n)
{
    unsigned char f[9216 + 14];
    memcpy(f, peer, 6);
    memcpy(f + 6, mine, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
    memcpy(f + 14, payload, n);
    return sendto(s, f, n + 14, 0, (const struct sockaddr *)sll, sizeof *sll) ==
                   (ssize_t)(n + 14)
               ? 0
               : -1;
}

/* Waits up to 2 s for the reflection of (payload, n). */
static int await(int s, const unsigned char *payload, size_t n)
{
    unsigned char f[9216 + 14];
    struct pollfd p = {.fd = s, .events = POLLIN};
    for (;;) {
        ssize_t got;
        if (poll(&p, 1, 2000) <= 0)
            return -1;
        got = recv(s, f, sizeof f, 0);
        if (got < 14 || f[12] != 0x88 || f[13] != 0xb5 ||
            memcmp(f, mine, 6) != 0 || memcmp(f + 6, peer, 6) != 0)
            continue;
        return (size_t)got == n + 14 && memcmp(f + 14, payload, n) == 0 ? 0
                                                                        : -2;
    }
}

int main(int argc, char **argv)
{
    struct sockaddr_ll sll;
    struct ifreq ifr;
    unsigned char payload[9216];
    unsigned count, mtu, i, bad = 0, lost = 0;
    int s;

    if (argc != 5 ||
        sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &peer[0], &peer[1],
               &peer[2], &peer[3], &peer[4], &peer[5]) != 6) {
        fprintf(stderr, "usage: rawpeer IFNAME DSTMAC COUNT MTU\n");
        return 2;
    }
    count = (unsigned)atoi(argv[3]);
    mtu = (unsigned)atoi(argv[4]);
    s = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
    if (s < 0) {
        printf("not ok rawpeer socket: %s\n", strerror(errno));
        return 1;
    }
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", argv[1]);
    if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0) {
        printf("not ok rawpeer %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    memcpy(mine, ifr.ifr_hwaddr.sa_data, 6);
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(0x88b5);
    sll.sll_ifindex = (int)if_nametoindex(argv[1]);
    sll.sll_halen = 6;
    memcpy(sll.sll_addr, peer, 6);
    if (bind(s, (struct sockaddr *)&sll, sizeof sll) < 0) {
        printf("not ok rawpeer bind: %s\n", strerror(errno));
        return 1;
    }
    srand(42);
    for (i = 0; i < count; i++) {
        /* Sizes from the 46-byte minimum payload to the full MTU, with
         * both ends always included. */
        size_t n = i == 0   ? mtu
                   : i == 1 ? 46
                            : 46 + (size_t)rand() % (mtu - 45);
        size_t k;
        int rc;
        for (k = 0; k < n; k++)
            payload[k] = (unsigned char)rand();
        memcpy(payload, &i, sizeof i);
        if (send_frame(s, &sll, payload, n) < 0) {
            printf("not ok rawpeer send: %s\n", strerror(errno));
            return 1;
        }
        rc = await(s, payload, n);
        if (rc == -1)
            lost++;
        else if (rc == -2)
            bad++;
    }
    if (lost || bad)
        printf("not ok net frames reflected: %u lost, %u corrupted of %u\n",
               lost, bad, count);
    else
        printf("ok net frames reflected (%u frames, 46..%u bytes)\n", count,
               mtu);
    memcpy(payload, "quit", 4);
    send_frame(s, &sll, payload, 46);
    return lost || bad;
}
