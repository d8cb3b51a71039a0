/*
 * tcpbench: the client of the TCP benchmarks, against servers that speak
 * what apps/echo speaks (echo on port 7, discard on 9, a bulk sender on
 * 19; bench/tcpecho_linux.c is the Linux one), all in the same run.
 *
 *   tcpbench bulk [-s BYTES] [-n ROUNDS] [-r A/B]... -- LABEL ADDR
 *                 [-- LABEL ADDR]...
 *   tcpbench rr [-n COUNT] [-w WARMUP] [-s SIZE] [-b BATCH] [-r A/B]...
 *               -- LABEL ADDR [-- LABEL ADDR]...
 *   tcpbench idle [-c COUNT] -- LABEL ADDR [-- LABEL ADDR]...
 *
 * bulk: ROUNDS (default 5) rounds; in each, one transfer of BYTES
 * (default 128 MiB) to each peer's discard port, then one from each
 * peer's bulk port, peer after peer (A B C A B C ...), so that noise on
 * the machine falls on all alike. A transfer is timed with
 * CLOCK_MONOTONIC from before connect() to the peer's FIN: to discard,
 * write BYTES, shut down the sending side and wait for the peer to
 * close (it has then read everything); from bulk, read until the peer's
 * FIN, checking every byte against the pattern (byte i is
 * (i + i / 65521) mod 256) and the count against BYTES. Reports the
 * median, lowest and highest rate of each peer each way in MB/s (10^6
 * bytes per second) and, for each -r A/B, A's median over B's.
 *
 * rr: one connection to each peer's echo port, TCP_NODELAY; a round trip
 * is SIZE bytes (default 1; a sequence number's bytes, then bytes
 * derived from it) written and the same bytes read back, timed from
 * before write() to after the last read(). WARMUP (default 1000) round
 * trips each that are not counted, then COUNT (default 20000) each in
 * interleaved batches of BATCH (default 1000). Reports round trips per
 * second (over the time in that peer's batches), the median and the
 * nearest-rank 99th percentile and the maximum in microseconds, and the
 * ratios of -r A/B.
 *
 * idle: holds many connections to the peers' echo ports and takes one
 * command a line on stdin, answering one line on stdout when done:
 *   open LABEL  opens COUNT (default 10000) connections to LABEL's echo
 *               port, up to 128 handshakes at a time: "open LABEL N SECONDS";
 *   ping        sends one byte on every open connection and reads it back,
 *               up to 128 per peer at a time: "ping N SECONDS";
 *   close, EOF  closes them all and exits.
 * Its open-file limit is raised to the hard limit, which must hold COUNT
 * connections to every peer: where it is short, run one per peer.
 *
 * Every socket waits at most 10 s for anything; a peer that stalls, a
 * wrong byte or a failed call ends the run with exit status 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PEERS_MAX    8
#define RATIOS_MAX   8
#define ECHO_PORT    7
#define DISCARD_PORT 9
#define BULK_PORT    19
#define PAT_BLOCK    65521 /* the bulk pattern's period of shifts */
#define CHUNK        65536
#define STALL_S      10 /* seconds a socket may wait for anything */
#define WINDOW       128
#define RR_MAX       65536

struct peer {
    const char *label, *addr;
    struct sockaddr_in sa;
    /* bulk: ns per transfer, to and from the peer */
    uint64_t *to_ns, *from_ns;
    /* rr */
    int fd;
    uint64_t *lat, busy_ns;
    size_t n_lat;
    /* idle */
    int *conns;
    size_t n_conns;
};

static struct peer peers[PEERS_MAX];
static size_t n_peers;
static const char *ratios[RATIOS_MAX];
static size_t n_ratios;
/* pat[i] = i mod 256: any run of the bulk pattern within one block of
 * PAT_BLOCK bytes is a slice of it. */
static unsigned char pat[CHUNK + 256];
static unsigned char buf[256 * 1024];

static void usage(FILE *f)
{
    fprintf(f, "usage: tcpbench bulk [-s BYTES] [-n ROUNDS] [-r A/B]... "
               "-- LABEL ADDR [-- LABEL ADDR]...\n"
               "       tcpbench rr [-n COUNT] [-w WARMUP] [-s SIZE] "
               "[-b BATCH] [-r A/B]... -- LABEL ADDR...\n"
               "       tcpbench idle [-c COUNT] -- LABEL ADDR...\n");
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const struct peer *p, const char *what)
{
    fprintf(stderr, "tcpbench: %s (%s): %s: %s\n", p->label, p->addr, what,
            errno == EAGAIN ? "stalled for 10 s" : strerror(errno));
    exit(1);
}

static struct peer *find(const char *label, size_t len)
{
    size_t i;

    for (i = 0; i < n_peers; i++)
        if (strlen(peers[i].label) == len &&
            strncmp(peers[i].label, label, len) == 0)
            return &peers[i];
    return NULL;
}

/* A blocking socket to (p):(port), connected, with the stall timeout. */
static int dial(struct peer *p, uint16_t port, int nodelay)
{
    struct timeval tv = {STALL_S, 0};
    struct sockaddr_in sa = p->sa;
    int fd, one = 1;

    sa.sin_port = htons(port);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die(p, "socket");
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (nodelay)
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        die(p, "connect");
    return fd;
}

/* ---- bulk ---------------------------------------------------------------- */

/* The run of the pattern at offset (off), at most (max) bytes; its length
 * is stored in (*len). */
static const unsigned char *pat_run(uint64_t off, uint64_t max, size_t *len)
{
    uint64_t in_block = PAT_BLOCK - off % PAT_BLOCK;

    *len = CHUNK;
    if (*len > in_block)
        *len = (size_t)in_block;
    if (*len > max)
        *len = (size_t)max;
    return pat + ((off + off / PAT_BLOCK) & 255);
}

static uint64_t to_discard(struct peer *p, uint64_t bytes)
{
    uint64_t t0 = now_ns(), off = 0;
    const unsigned char *run;
    size_t len;
    ssize_t n;
    int fd = dial(p, DISCARD_PORT, 0);

    while (off < bytes) {
        run = pat_run(off, bytes - off, &len);
        n = write(fd, run, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die(p, "write to discard");
        }
        off += (uint64_t)n;
    }
    if (shutdown(fd, SHUT_WR) < 0)
        die(p, "shutdown");
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0 && errno != EINTR)
            die(p, "waiting for discard's FIN");
        if (n > 0) {
            fprintf(stderr, "tcpbench: %s: discard sent data\n", p->label);
            exit(1);
        }
    }
    t0 = now_ns() - t0;
    close(fd);
    return t0;
}

static uint64_t from_bulk(struct peer *p, uint64_t bytes)
{
    uint64_t t0 = now_ns(), off = 0;
    const unsigned char *run;
    size_t len, i;
    ssize_t n;
    int fd = dial(p, BULK_PORT, 0);

    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die(p, "read from bulk");
        }
        for (i = 0; i < (size_t)n; i += len) {
            run = pat_run(off + i, (uint64_t)n - i, &len);
            if (memcmp(buf + i, run, len) != 0) {
                fprintf(stderr,
                        "tcpbench: %s: bulk byte %llu differs from the "
                        "pattern\n",
                        p->label, (unsigned long long)(off + i));
                exit(1);
            }
        }
        off += (uint64_t)n;
    }
    t0 = now_ns() - t0;
    close(fd);
    if (off != bytes) {
        fprintf(stderr, "tcpbench: %s: bulk sent %llu bytes, not %llu\n",
                p->label, (unsigned long long)off, (unsigned long long)bytes);
        exit(1);
    }
    return t0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* MB/s of (bytes) in (ns). */
static double mbs(uint64_t bytes, uint64_t ns)
{
    return ns ? (double)bytes * 1e3 / (double)ns : 0;
}

/* The median of the sorted (v[n]) (the lower one of an even count). */
static uint64_t median(const uint64_t *v, size_t n)
{
    return n ? v[(n - 1) / 2] : 0;
}

static int bulk(uint64_t bytes, size_t rounds)
{
    size_t r, i;

    for (r = 0; r < rounds; r++) {
        for (i = 0; i < n_peers; i++)
            peers[i].to_ns[r] = to_discard(&peers[i], bytes);
        for (i = 0; i < n_peers; i++)
            peers[i].from_ns[r] = from_bulk(&peers[i], bytes);
    }
    printf("| peer | host -> peer: median | lowest | highest | "
           "peer -> host: median | lowest | highest |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (i = 0; i < n_peers; i++) {
        struct peer *p = &peers[i];
        qsort(p->to_ns, rounds, sizeof *p->to_ns, cmp_u64);
        qsort(p->from_ns, rounds, sizeof *p->from_ns, cmp_u64);
        /* The fastest transfer is the shortest time. */
        printf("| %s | %.0f MB/s | %.0f | %.0f | %.0f MB/s | %.0f | %.0f |\n",
               p->label, mbs(bytes, median(p->to_ns, rounds)),
               mbs(bytes, p->to_ns[rounds - 1]), mbs(bytes, p->to_ns[0]),
               mbs(bytes, median(p->from_ns, rounds)),
               mbs(bytes, p->from_ns[rounds - 1]), mbs(bytes, p->from_ns[0]));
    }
    printf("\n%zu transfers of %llu bytes each way with each peer, "
           "interleaved; MB/s is 10^6 bytes per second, from before "
           "connect() to the peer's FIN; lowest and highest of the %zu.\n",
           rounds, (unsigned long long)bytes, rounds);
    if (n_ratios)
        printf("\n");
    for (i = 0; i < n_ratios; i++) {
        const char *slash = strchr(ratios[i], '/');
        struct peer *a = find(ratios[i], (size_t)(slash - ratios[i]));
        struct peer *b = find(slash + 1, strlen(slash + 1));
        printf("- ratio %s/%s: host -> peer %.2fx, peer -> host %.2fx\n",
               a->label, b->label,
               (double)median(b->to_ns, rounds) /
                   (double)median(a->to_ns, rounds),
               (double)median(b->from_ns, rounds) /
                   (double)median(a->from_ns, rounds));
    }
    return 0;
}

/* ---- rr ------------------------------------------------------------------ */

static size_t rr_size = 1;
static unsigned char rr_out[RR_MAX], rr_in[RR_MAX];

static void rr_payload(unsigned char *b, uint64_t seq)
{
    size_t i;

    for (i = 0; i < rr_size; i++)
        b[i] = (unsigned char)(i < 8 ? seq >> (8 * i)
                                     : seq * 131u + i * 7u + (seq >> 8));
}

static uint64_t round_trip(struct peer *p, uint64_t seq)
{
    uint64_t t0;
    size_t got = 0;
    ssize_t n;

    rr_payload(rr_out, seq);
    t0 = now_ns();
    n = write(p->fd, rr_out, rr_size);
    if (n != (ssize_t)rr_size) /* room for it: one in flight */
        die(p, "write to echo");
    while (got < rr_size) {
        n = read(p->fd, rr_in + got, rr_size - got);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n == 0)
                errno = ECONNRESET;
            die(p, "read from echo");
        }
        got += (size_t)n;
    }
    t0 = now_ns() - t0;
    if (memcmp(rr_in, rr_out, rr_size) != 0) {
        fprintf(stderr, "tcpbench: %s: echo of round trip %llu differs\n",
                p->label, (unsigned long long)seq);
        exit(1);
    }
    return t0;
}

static double pctl_us(const uint64_t *v, size_t n, double pct)
{
    size_t rank;

    if (n == 0)
        return 0;
    rank = (size_t)(pct / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return (double)v[rank - 1] / 1000.0;
}

static double rate(const struct peer *p)
{
    return p->busy_ns ? (double)p->n_lat * 1e9 / (double)p->busy_ns : 0;
}

static int rr(unsigned long count, unsigned long warmup, unsigned long b)
{
    unsigned long done, m, j;
    uint64_t seq = 0, t0;
    size_t i;

    for (i = 0; i < n_peers; i++) {
        peers[i].fd = dial(&peers[i], ECHO_PORT, 1);
        peers[i].lat = calloc(count, sizeof(uint64_t));
        if (!peers[i].lat) {
            perror("tcpbench");
            return 1;
        }
    }
    for (done = 0; done < warmup; done += m) {
        m = warmup - done < b ? warmup - done : b;
        for (i = 0; i < n_peers; i++)
            for (j = 0; j < m; j++)
                (void)round_trip(&peers[i], seq++);
    }
    for (done = 0; done < count; done += m) {
        m = count - done < b ? count - done : b;
        for (i = 0; i < n_peers; i++) {
            struct peer *p = &peers[i];
            t0 = now_ns();
            for (j = 0; j < m; j++)
                p->lat[p->n_lat++] = round_trip(p, seq++);
            p->busy_ns += now_ns() - t0;
        }
    }
    printf("| peer | round trips/s | median | p99 | max |\n");
    printf("|---|---:|---:|---:|---:|\n");
    for (i = 0; i < n_peers; i++) {
        struct peer *p = &peers[i];
        qsort(p->lat, p->n_lat, sizeof *p->lat, cmp_u64);
        printf("| %s | %.0f | %.1f us | %.1f us | %.1f us |\n", p->label,
               rate(p), pctl_us(p->lat, p->n_lat, 50),
               pctl_us(p->lat, p->n_lat, 99), pctl_us(p->lat, p->n_lat, 100));
    }
    printf(
        "\n%lu round trips of %zu-byte messages on one connection to each peer "
        "(TCP_NODELAY), interleaved in batches of %lu after %lu warm-up "
        "round trips; p99 is the nearest-rank 99th percentile.\n",
        count, rr_size, b, warmup);
    if (n_ratios)
        printf("\n");
    for (i = 0; i < n_ratios; i++) {
        const char *slash = strchr(ratios[i], '/');
        struct peer *a = find(ratios[i], (size_t)(slash - ratios[i]));
        struct peer *c = find(slash + 1, strlen(slash + 1));
        double ra = rate(a), rc = rate(c);
        double ma = pctl_us(a->lat, a->n_lat, 50);
        double mc = pctl_us(c->lat, c->n_lat, 50);
        double pa = pctl_us(a->lat, a->n_lat, 99);
        double pc = pctl_us(c->lat, c->n_lat, 99);
        printf("- ratio %s/%s: round trips/s %.2fx, median latency %.2fx, "
               "p99 latency %.2fx\n",
               a->label, c->label, rc > 0 ? ra / rc : 0, mc > 0 ? ma / mc : 0,
               pc > 0 ? pa / pc : 0);
    }
    return 0;
}

/* ---- idle ---------------------------------------------------------------- */

static int ep;

/* Waits for events on (ep) and calls (fn) for each; dies after a stall. */
static void pump(struct peer *p, size_t *inflight,
                 void (*fn)(struct peer *p, size_t idx))
{
    struct epoll_event evs[WINDOW];
    int n, i;

    n = epoll_wait(ep, evs, WINDOW, STALL_S * 1000);
    if (n < 0 && errno != EINTR)
        die(p, "epoll_wait");
    if (n == 0) {
        errno = EAGAIN;
        die(p, "idle connections");
    }
    for (i = 0; i < n; i++) {
        size_t idx = evs[i].data.u64;
        if (epoll_ctl(ep, EPOLL_CTL_DEL, p->conns[idx], NULL) < 0)
            die(p, "epoll_ctl");
        fn(p, idx);
        (*inflight)--;
    }
}

static void connected(struct peer *p, size_t idx)
{
    int err = 0;
    socklen_t len = sizeof err;

    if (getsockopt(p->conns[idx], SOL_SOCKET, SO_ERROR, &err, &len) < 0 ||
        err) {
        errno = err ? err : errno;
        die(p, "connect");
    }
}

static void ponged(struct peer *p, size_t idx)
{
    unsigned char c;

    if (read(p->conns[idx], &c, 1) != 1 || c != (unsigned char)idx) {
        if (errno == EAGAIN)
            errno = EPROTO;
        die(p, "reading the echo of one byte");
    }
}

static void idle_open(struct peer *p, size_t count)
{
    struct sockaddr_in sa = p->sa;
    size_t inflight = 0;

    sa.sin_port = htons(ECHO_PORT);
    while (p->n_conns < count || inflight) {
        while (p->n_conns < count && inflight < WINDOW) {
            struct epoll_event e = {.events = EPOLLOUT, .data.u64 = p->n_conns};
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (fd < 0)
                die(p, "socket");
            p->conns[p->n_conns] = fd;
            if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 &&
                errno != EINPROGRESS)
                die(p, "connect");
            if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0)
                die(p, "epoll_ctl");
            p->n_conns++;
            inflight++;
        }
        pump(p, &inflight, connected);
    }
}

static void idle_ping(struct peer *p)
{
    size_t next = 0, inflight = 0;

    while (next < p->n_conns || inflight) {
        while (next < p->n_conns && inflight < WINDOW) {
            struct epoll_event e = {.events = EPOLLIN, .data.u64 = next};
            unsigned char c = (unsigned char)next;
            if (write(p->conns[next], &c, 1) != 1)
                die(p, "writing one byte");
            if (epoll_ctl(ep, EPOLL_CTL_ADD, p->conns[next], &e) < 0)
                die(p, "epoll_ctl");
            next++;
            inflight++;
        }
        pump(p, &inflight, ponged);
    }
}

static int idle(size_t count)
{
    struct rlimit rl;
    char line[256];
    size_t i, total;
    uint64_t t0;

    /* Room for every connection, within the hard limit (one process per
     * peer when that is short). */
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 ||
        rl.rlim_max < count * n_peers + 64) {
        fprintf(stderr,
                "tcpbench: %zu connections need more open files than the "
                "hard limit (%llu)\n",
                count * n_peers, (unsigned long long)rl.rlim_max);
        return 1;
    }
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        perror("tcpbench: setrlimit(RLIMIT_NOFILE)");
        return 1;
    }
    ep = epoll_create1(0);
    if (ep < 0) {
        perror("tcpbench: epoll_create1");
        return 1;
    }
    for (i = 0; i < n_peers; i++) {
        peers[i].conns = calloc(count, sizeof(int));
        if (!peers[i].conns) {
            perror("tcpbench");
            return 1;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        t0 = now_ns();
        if (strncmp(line, "open ", 5) == 0) {
            struct peer *p = find(line + 5, strlen(line + 5));
            if (!p || p->n_conns) {
                fprintf(stderr, "tcpbench: %s: no such peer, or open\n", line);
                return 2;
            }
            idle_open(p, count);
            printf("open %s %zu %.3f\n", p->label, p->n_conns,
                   (double)(now_ns() - t0) / 1e9);
        } else if (strcmp(line, "ping") == 0) {
            for (i = total = 0; i < n_peers; i++) {
                idle_ping(&peers[i]);
                total += peers[i].n_conns;
            }
            printf("ping %zu %.3f\n", total, (double)(now_ns() - t0) / 1e9);
        } else if (strcmp(line, "close") == 0) {
            break;
        } else {
            fprintf(stderr, "tcpbench: unknown command '%s'\n", line);
            return 2;
        }
    }
    return 0; /* exit closes them all */
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
    unsigned long n = 0, warmup = 1000, b = 1000, count = 10000;
    unsigned long long size = 0;
    const char *mode;
    size_t i;
    int opt;

    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    mode = argv[1];
    if (strcmp(mode, "bulk") && strcmp(mode, "rr") && strcmp(mode, "idle")) {
        usage(stderr);
        return 2;
    }
    optind = 2;
    while ((opt = getopt(argc, argv, "s:n:w:b:c:r:h")) != -1) {
        switch (opt) {
        case 's':
            size = strtoull(optarg, NULL, 10);
            break;
        case 'n':
            n = strtoul(optarg, NULL, 10);
            break;
        case 'w':
            warmup = strtoul(optarg, NULL, 10);
            break;
        case 'b':
            b = strtoul(optarg, NULL, 10);
            break;
        case 'c':
            count = strtoul(optarg, NULL, 10);
            break;
        case 'r':
            if (n_ratios == RATIOS_MAX || !strchr(optarg, '/')) {
                usage(stderr);
                return 2;
            }
            ratios[n_ratios++] = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    /* Peers: after getopt's "--", "LABEL ADDR" separated by "--". */
    for (i = (size_t)optind; i < (size_t)argc;) {
        struct peer *p = &peers[n_peers];
        if (n_peers == PEERS_MAX || i + 2 > (size_t)argc) {
            usage(stderr);
            return 2;
        }
        p->label = argv[i];
        p->addr = argv[i + 1];
        p->sa.sin_family = AF_INET;
        if (inet_pton(AF_INET, p->addr, &p->sa.sin_addr) != 1) {
            fprintf(stderr, "tcpbench: %s: bad address %s\n", p->label,
                    p->addr);
            return 2;
        }
        n_peers++;
        i += 2;
        if (i < (size_t)argc) {
            if (strcmp(argv[i], "--") != 0) {
                usage(stderr);
                return 2;
            }
            i++;
        }
    }
    if (n_peers == 0 || b == 0 || count == 0) {
        usage(stderr);
        return 2;
    }
    for (i = 0; i < n_ratios; i++) {
        const char *slash = strchr(ratios[i], '/');
        if (!find(ratios[i], (size_t)(slash - ratios[i])) ||
            !find(slash + 1, strlen(slash + 1))) {
            fprintf(stderr, "tcpbench: -r %s: no such labels\n", ratios[i]);
            return 2;
        }
    }
    for (i = 0; i < sizeof pat; i++)
        pat[i] = (unsigned char)i;

    if (strcmp(mode, "bulk") == 0) {
        uint64_t bytes = size ? size : 128ull << 20;
        size_t rounds = n ? n : 5;
        for (i = 0; i < n_peers; i++) {
            peers[i].to_ns = calloc(rounds, sizeof(uint64_t));
            peers[i].from_ns = calloc(rounds, sizeof(uint64_t));
            if (!peers[i].to_ns || !peers[i].from_ns) {
                perror("tcpbench");
                return 1;
            }
        }
        return bulk(bytes, rounds);
    }
    if (strcmp(mode, "rr") == 0) {
        rr_size = size ? (size_t)size : 1;
        if (rr_size > RR_MAX) {
            usage(stderr);
            return 2;
        }
        return rr(n ? n : 20000, warmup, b);
    }
    return idle(count);
}
