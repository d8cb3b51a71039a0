/*
 * badframes: sends malformed frames of every layer to a MAC over a packet
 * socket, for the test that a stack survives them (and then still answers
 * ping). Kinds, in turn: random bytes, runts, truncated and inconsistent
 * IPv4 headers (version, header length, total length, checksum, TTL 0,
 * broadcast source, junk options), bad ICMP and UDP (checksums, lengths),
 * bad and spoofed ARP (truncated, wrong lengths, unsolicited replies, a
 * flood of requests from made-up senders), bad fragments (odd lengths,
 * past 64 KiB, overlaps that disagree, many unfinished datagrams), unknown
 * EtherTypes and protocols, other MACs, bit flips of a valid ping, and
 * TCP to the echo port: options with bad lengths, data offsets below 5 or
 * past the segment, SYN+FIN, every flag at once, RSTs out of the window,
 * bad checksums.
 *
 *   badframes IFNAME DSTMAC SRCIP DSTIP COUNT [SEED]
 * Prints "ok ..." when every frame was handed to the kernel (runts the
 * kernel refuses are counted apart), else "not ok ...".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KINDS 36

static unsigned char mine[6], peer[6];
static uint32_t src_ip, dst_ip;
static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

static unsigned csum(const unsigned char *p, size_t n, uint32_t sum)
{
    size_t i;
    for (i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return ~sum & 0xffff;
}

static size_t eth(unsigned char *f, const unsigned char *dst, unsigned type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, mine, 6);
    put16(f + 12, type);
    return 14;
}

/* An IPv4 header at f + 14 with (hl) bytes of header; returns its start. */
static unsigned char *ip4(unsigned char *f, unsigned hl, unsigned total,
                          unsigned id, unsigned frag, unsigned ttl,
                          unsigned proto, uint32_t s, uint32_t d)
{
    unsigned char *h = f + 14;
    eth(f, peer, 0x0800);
    memset(h, 0, hl);
    h[0] = (unsigned char)(0x40 | (hl / 4));
    put16(h + 2, total);
    put16(h + 4, id);
    put16(h + 6, frag);
    h[8] = (unsigned char)ttl;
    h[9] = (unsigned char)proto;
    put32(h + 12, s);
    put32(h + 16, d);
    put16(h + 10, csum(h, hl, 0));
    return h;
}

static void fix_ip_csum(unsigned char *h, unsigned hl)
{
    put16(h + 10, 0);
    put16(h + 10, csum(h, hl, 0));
}

/* A valid echo request of (dlen) data bytes; returns the frame length. */
static size_t ping(unsigned char *f, size_t dlen)
{
    unsigned char *h = ip4(f, 20, (unsigned)(28 + dlen), (unsigned)rng(), 0, 64,
                           1, src_ip, dst_ip);
    unsigned char *m = h + 20;
    size_t i;
    m[0] = 8;
    m[1] = 0;
    put16(m + 2, 0);
    put32(m + 4, (uint32_t)rng());
    for (i = 0; i < dlen; i++)
        m[8 + i] = (unsigned char)rng();
    put16(m + 2, csum(m, 8 + dlen, 0));
    return 14 + 28 + dlen;
}

static size_t udp(unsigned char *f, unsigned port, size_t dlen, int bad_csum)
{
    unsigned char *h = ip4(f, 20, (unsigned)(28 + dlen), (unsigned)rng(), 0, 64,
                           17, src_ip, dst_ip);
    unsigned char *u = h + 20;
    uint32_t ps;
    size_t i;
    put16(u, 40000);
    put16(u + 2, port);
    put16(u + 4, (unsigned)(8 + dlen));
    put16(u + 6, 0);
    for (i = 0; i < dlen; i++)
        u[8 + i] = (unsigned char)rng();
    ps = (src_ip >> 16) + (src_ip & 0xffff) + (dst_ip >> 16) +
         (dst_ip & 0xffff) + 17 + (uint32_t)(8 + dlen);
    put16(u + 6, csum(u, 8 + dlen, ps) ^ (bad_csum ? 0x1234 : 0));
    return 14 + 28 + dlen;
}

/* A TCP segment to port 7 with (flags), options (opt, olen: a multiple of
 * 4 unless the data offset is forced by (doff) non-zero) and (dlen)
 * random data bytes, its checksum right unless (bad_csum). */
static size_t tcp(unsigned char *f, unsigned flags, const unsigned char *opt,
                  size_t olen, unsigned doff, size_t dlen, int bad_csum)
{
    size_t tl = 20 + olen + dlen, i;
    unsigned char *h = ip4(f, 20, (unsigned)(20 + tl), (unsigned)rng(), 0, 64,
                           6, src_ip, dst_ip);
    unsigned char *t = h + 20;
    uint32_t ps;

    put16(t, 40000 + (unsigned)(rng() % 1000));
    put16(t + 2, 7);
    put32(t + 4, (uint32_t)rng());
    put32(t + 8, (uint32_t)rng());
    t[12] = (unsigned char)((doff ? doff : (20 + olen) / 4) << 4);
    t[13] = (unsigned char)flags;
    put16(t + 14, 65535);
    put16(t + 16, 0);
    put16(t + 18, 0);
    memcpy(t + 20, opt, olen);
    for (i = 0; i < dlen; i++)
        t[20 + olen + i] = (unsigned char)rng();
    ps = (src_ip >> 16) + (src_ip & 0xffff) + (dst_ip >> 16) +
         (dst_ip & 0xffff) + 6 + (uint32_t)tl;
    put16(t + 16, csum(t, tl, ps) ^ (bad_csum ? 0x0101 : 0));
    return 14 + 20 + tl;
}

static size_t arp(unsigned char *f, const unsigned char *dst, unsigned op,
                  const unsigned char *sha, uint32_t spa, uint32_t tpa)
{
    unsigned char *a = f + eth(f, dst, 0x0806);
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, sha, 6);
    put32(a + 14, spa);
    memset(a + 18, 0, 6);
    put32(a + 24, tpa);
    return 14 + 28;
}

/* A fragment of datagram (id) carrying (len) bytes at (off). */
static size_t frag(unsigned char *f, unsigned id, unsigned off, size_t len,
                   int more, unsigned char fill)
{
    ip4(f, 20, (unsigned)(20 + len), id, (off / 8) | (more ? 0x2000 : 0), 64, 1,
        src_ip, dst_ip);
    memset(f + 34, fill, len);
    return 34 + len;
}

/* Builds one bad frame of (kind) into (f); returns its length. */
static size_t bad(unsigned kind, unsigned char *f)
{
    unsigned char *h, mac[6];
    size_t n, i;

    switch (kind) {
    case 0: /* random bytes after our MAC */
        n = 14 + rng() % 1500;
        for (i = 0; i < n; i++)
            f[i] = (unsigned char)rng();
        memcpy(f, peer, 6);
        return n;
    case 1: /* a runt */
        memcpy(f, peer, 6);
        return 6 + rng() % 8;
    case 2: /* IPv4 shorter than its header */
        n = eth(f, peer, 0x0800);
        for (i = 0; i < 19; i++)
            f[n + i] = (unsigned char)(i ? rng() : 0x45);
        return n + rng() % 20;
    case 3: /* version 6 in an IPv4 frame */
        n = ping(f, 32);
        f[14] = 0x65;
        fix_ip_csum(f + 14, 20);
        return n;
    case 4: /* header length below 5 words */
        n = ping(f, 32);
        f[14] = (unsigned char)(0x40 | rng() % 5);
        return n;
    case 5: /* header length beyond the packet */
        n = ip4(f, 20, 20, 1, 0, 64, 1, src_ip, dst_ip) - f + 20;
        f[14] = 0x4f;
        return n;
    case 6: /* total length beyond the frame */
        n = ping(f, 64);
        put16(f + 16, (unsigned)(n - 14 + 1 + rng() % 1000));
        fix_ip_csum(f + 14, 20);
        return n;
    case 7: /* total length below the header */
        n = ping(f, 64);
        put16(f + 16, (unsigned)(rng() % 20));
        fix_ip_csum(f + 14, 20);
        return n;
    case 8: /* header checksum wrong */
        n = ping(f, 64);
        f[24] ^= (unsigned char)(1 + rng() % 255);
        return n;
    case 9: /* TTL 0 */
        n = ping(f, 64);
        f[22] = 0;
        fix_ip_csum(f + 14, 20);
        return n;
    case 10: /* ICMP checksum wrong */
        n = ping(f, 64);
        f[36] ^= 0x55;
        return n;
    case 11: /* ICMP shorter than its header */
        h = ip4(f, 20, (unsigned)(20 + rng() % 8), 2, 0, 64, 1, src_ip, dst_ip);
        return 14 + (size_t)(h[2] << 8 | h[3]);
    case 12: /* UDP checksum wrong */
        return udp(f, 7, 1 + rng() % 200, 1);
    case 13: /* UDP length beyond IP's */
        n = udp(f, 7, 100, 0);
        put16(f + 38, 200);
        return n;
    case 14: /* UDP length below its header */
        n = udp(f, 7, 100, 0);
        put16(f + 38, (unsigned)(rng() % 8));
        return n;
    case 15: /* ARP cut short */
        return arp(f, peer, 1, mine, src_ip, dst_ip) - 8 - rng() % 20;
    case 16: /* ARP with wrong lengths or types */
        n = arp(f, peer, 1, mine, src_ip, dst_ip);
        f[14 + (rng() % 6)] ^= (unsigned char)(1 + rng() % 255);
        return n;
    case 17: /* an unsolicited reply claiming another address */
        for (i = 0; i < 6; i++)
            mac[i] = (unsigned char)rng();
        mac[0] = (unsigned char)((mac[0] & 0xfe) | 2);
        return arp(f, peer, 2, mac,
                   (dst_ip & 0xffffff00u) | (uint32_t)(1 + rng() % 250),
                   dst_ip);
    case 18: /* a request for us from a made-up sender (cache flood) */
        for (i = 0; i < 6; i++)
            mac[i] = (unsigned char)rng();
        mac[0] = (unsigned char)((mac[0] & 0xfe) | 2);
        return arp(f, (const unsigned char *)"\xff\xff\xff\xff\xff\xff", 1, mac,
                   (dst_ip & 0xffffff00u) | (uint32_t)(3 + rng() % 250),
                   dst_ip);
    case 19: /* a fragment with more to come but an odd length */
        return frag(f, (unsigned)rng(), 0, 101, 1, 0xaa);
    case 20: /* a fragment reaching past 64 KiB */
        return frag(f, (unsigned)rng(), 65528, 64, 0, 0xbb);
    case 21: /* two overlapping fragments that disagree (sent as two) */
        return frag(f, 0x4242, 0, 800, 1, (unsigned char)rng());
    case 22: /* the start of a datagram that never ends */
        return frag(f, (unsigned)rng(), 0, 1480, 1, 0xcc);
    case 23: /* a valid ping with a few bits flipped */
        n = ping(f, 1 + rng() % 1000);
        for (i = 0; i < 3; i++)
            f[14 + rng() % (n - 14)] ^= (unsigned char)(1u << (rng() % 8));
        return n;
    case 24: /* broadcast source */
        n = ping(f, 16);
        put32(f + 26, 0xffffffffu);
        fix_ip_csum(f + 14, 20);
        return n;
    case 25: /* junk options (a header of 24..60 bytes) */
        i = 24 + 4 * (rng() % 10);
        h = ip4(f, (unsigned)i, (unsigned)(i + 8), 3, 0, 64, 1, src_ip, dst_ip);
        for (n = 20; n < i; n++)
            h[n] = (unsigned char)rng();
        fix_ip_csum(h, (unsigned)i);
        memset(h + i, 0, 8);
        h[i] = 8;
        put16(h + i + 2, csum(h + i, 8, 0));
        return 14 + i + 8;
    case 26: /* to another MAC, or multicast */
        n = ping(f, 32);
        f[0] = (unsigned char)(rng() & 1 ? 0x01 : 0x02);
        f[5] ^= 0x5a;
        return n;
    case 27: /* an EtherType nobody speaks */
        n = ping(f, 32);
        put16(f + 12, 0x86dd + (unsigned)(rng() % 3));
        return n;
    case 28: /* an IP protocol nobody speaks */
        n = ping(f, 32);
        f[23] = (unsigned char)(100 + rng() % 100);
        fix_ip_csum(f + 14, 20);
        return n;
    case 30: { /* TCP options whose lengths are 0, 1 or past the header */
        static const unsigned char o[3][8] = {{2, 0, 5, 180, 1, 1, 1, 1},
                                              {3, 1, 7, 1, 1, 1, 1, 0},
                                              {8, 10, 0, 0, 0, 0, 1, 1}};
        return tcp(f, 0x02, o[rng() % 3], 8, 0, 0, 0);
    }
    case 31: /* a data offset below 5 words, or past the segment */
        return tcp(f, 0x02, NULL, 0, rng() & 1 ? 3 : 15, 8, 0);
    case 32: /* SYN and FIN together, with data */
        return tcp(f, 0x03, NULL, 0, 0, 16, 0);
    case 33: /* every flag at once */
        return tcp(f, 0xff, NULL, 0, 0, 32, 0);
    case 34: /* a RST for no connection, far out of any window */
        return tcp(f, 0x04 | (rng() & 1 ? 0x10 : 0), NULL, 0, 0, 0, 0);
    case 35: /* a SYN with a wrong checksum */
        return tcp(f, 0x02, NULL, 0, 0, 4, 1);
    default: /* an ICMP error quoting garbage */
        n = ping(f, 64);
        f[34] = 3;
        f[35] = (unsigned char)(rng() % 16);
        put16(f + 36, 0);
        put16(f + 36, csum(f + 34, n - 34, 0));
        return n;
    }
}

int main(int argc, char **argv)
{
    static unsigned char f[2048];
    struct sockaddr_ll sll;
    struct ifreq ifr;
    struct in_addr a;
    unsigned long count, i, refused = 0;
    int s;

    if (argc < 6 || argc > 7 ||
        sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &peer[0], &peer[1],
               &peer[2], &peer[3], &peer[4], &peer[5]) != 6) {
        fprintf(stderr, "usage: badframes IFNAME DSTMAC SRCIP DSTIP COUNT "
                        "[SEED]\n");
        return 2;
    }
    if (inet_pton(AF_INET, argv[3], &a) != 1)
        return 2;
    src_ip = ntohl(a.s_addr);
    if (inet_pton(AF_INET, argv[4], &a) != 1)
        return 2;
    dst_ip = ntohl(a.s_addr);
    count = strtoul(argv[5], NULL, 0);
    rng_state = argc == 7 ? strtoull(argv[6], NULL, 0)
                          : (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
    if (!rng_state)
        rng_state = 1;
    printf("# badframes seed %llu\n", (unsigned long long)rng_state);

    s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (s < 0) {
        printf("not ok badframes socket: %s\n", strerror(errno));
        return 1;
    }
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", argv[1]);
    if (ioctl(s, SIOCGIFINDEX, &ifr) < 0) {
        printf("not ok badframes %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = ifr.ifr_ifindex;
    sll.sll_halen = 6;
    memcpy(sll.sll_addr, peer, 6);
    if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0) {
        printf("not ok badframes hwaddr: %s\n", strerror(errno));
        return 1;
    }
    memcpy(mine, ifr.ifr_hwaddr.sa_data, 6);

    for (i = 0; i < count; i++) {
        unsigned kind = (unsigned)(i % KINDS);
        size_t n = bad(kind, f);
        int k, copies = kind == 21 ? 2 : 1;

        for (k = 0; k < copies; k++) {
            if (k == 1) /* the overlapping twin: same id, other bytes */
                n = frag(f, 0x4242, 400, 800, 1, (unsigned char)~f[34]);
            if (sendto(s, f, n, 0, (struct sockaddr *)&sll, sizeof sll) < 0) {
                if (n < 14) {
                    refused++;
                    continue;
                }
                printf("not ok badframes: kind %u (%zu bytes): %s\n", kind, n,
                       strerror(errno));
                return 1;
            }
        }
        if (i % 64 == 63)
            usleep(1000); /* do not overrun the tap's queue */
    }
    printf("ok sent %lu malformed frames of %d kinds (%lu runts refused by "
           "the kernel)\n",
           count, KINDS, refused);
    return 0;
}
