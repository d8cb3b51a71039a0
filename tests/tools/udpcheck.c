/*
 * udpcheck: the Linux side of the UDP tests, over an ordinary connected
 * UDP socket.
 *
 *   udpcheck echo ADDR PORT COUNT MAXSIZE [SEED]
 *     sends COUNT datagrams of random sizes 1..MAXSIZE and random bytes to
 *     ADDR:PORT, one at a time, and checks that each comes back intact
 *     within 2 s (no retries: a tap loses nothing).
 *   udpcheck refused ADDR PORT
 *     sends one datagram and expects ECONNREFUSED, which Linux reports on
 *     a connected socket when ICMP port unreachable comes back.
 *
 * Prints "ok WHAT" or "not ok WHAT: why" for tests/run; exits 0 when ok.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng_state;

/* xorshift64*: reproducible from the seed printed on failure. */
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static int connect_to(const char *addr, const char *port)
{
    struct sockaddr_in sa;
    int s;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(port));
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "udpcheck: bad address %s\n", addr);
        exit(2);
    }
    s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
        printf("not ok udpcheck socket: %s\n", strerror(errno));
        exit(1);
    }
    return s;
}

/* Waits up to (ms) for a datagram; its length, or -1 with errno set. */
static ssize_t recv_wait(int s, unsigned char *buf, size_t size, int ms)
{
    struct pollfd p = {.fd = s, .events = POLLIN};
    int rc = poll(&p, 1, ms);

    if (rc == 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    if (rc < 0)
        return -1;
    return recv(s, buf, size, 0);
}

static int run_echo(int s, unsigned long count, size_t maxsize)
{
    static unsigned char out[65536], in[65536];
    unsigned long i;
    size_t len, j, total = 0;
    ssize_t got;

    for (i = 0; i < count; i++) {
        len = 1 + (size_t)(rng() % maxsize);
        for (j = 0; j < len; j++)
            out[j] = (unsigned char)rng();
        if (send(s, out, len, 0) != (ssize_t)len) {
            printf("not ok udp echo: datagram %lu (%zu bytes): send: %s\n", i,
                   len, strerror(errno));
            return 1;
        }
        got = recv_wait(s, in, sizeof in, 2000);
        if (got < 0) {
            printf("not ok udp echo: datagram %lu (%zu bytes): %s\n", i, len,
                   strerror(errno));
            return 1;
        }
        if ((size_t)got != len || memcmp(in, out, len) != 0) {
            printf("not ok udp echo: datagram %lu: sent %zu bytes, got %zd "
                   "different ones\n",
                   i, len, got);
            return 1;
        }
        total += len;
    }
    printf("ok udp echo: %lu datagrams of 1..%zu bytes (%zu in all) came back "
           "intact\n",
           count, maxsize, total);
    return 0;
}

static int run_refused(int s)
{
    unsigned char b[64];
    ssize_t got;

    if (send(s, "closed?", 7, 0) != 7) {
        printf("not ok udp to a closed port: send: %s\n", strerror(errno));
        return 1;
    }
    got = recv_wait(s, b, sizeof b, 2000);
    if (got < 0 && errno == ECONNREFUSED) {
        printf("ok udp to a closed port is refused (ICMP port "
               "unreachable)\n");
        return 0;
    }
    printf("not ok udp to a closed port is refused: %s\n",
           got < 0 ? strerror(errno) : "a reply came");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc >= 6 && argc <= 7 && strcmp(argv[1], "echo") == 0 &&
        strtoul(argv[5], NULL, 0) >= 1 && strtoul(argv[5], NULL, 0) <= 65507) {
        rng_state = argc == 7 ? strtoull(argv[6], NULL, 0)
                              : (uint64_t)time(NULL) ^ (uint64_t)getpid();
        if (rng_state == 0)
            rng_state = 1;
        printf("# udpcheck seed %llu\n", (unsigned long long)rng_state);
        return run_echo(connect_to(argv[2], argv[3]), strtoul(argv[4], NULL, 0),
                        strtoul(argv[5], NULL, 0));
    }
    if (argc == 4 && strcmp(argv[1], "refused") == 0)
        return run_refused(connect_to(argv[2], argv[3]));
    fprintf(stderr, "usage: udpcheck echo ADDR PORT COUNT MAXSIZE [SEED]\n"
                    "       udpcheck refused ADDR PORT\n");
    return 2;
}
