/*
 * udpbench: UDP echo round trips against one or more echo servers, in
 * the same run.
 *
 *   udpbench [-n COUNT] [-w WARMUP] [-s SIZE] [-k OUTSTANDING] [-b BATCH]
 *            [-t TIMEOUT_MS] [-r A/B]... -- LABEL ADDR PORT
 *            [-- LABEL ADDR PORT]...
 *
 * Each peer gets a connected UDP socket of its own. A round trip is one
 * datagram of SIZE bytes (a sequence number, then bytes derived from it)
 * sent and the same bytes received back; it is timed with CLOCK_MONOTONIC
 * from just before send() to just after recv(). With -k 1 (the default)
 * the round trips are sequential: the next datagram leaves when the last
 * came back. With -k K there are up to K datagrams in flight, which
 * measures throughput rather than idle latency.
 *
 * A datagram not back within TIMEOUT_MS (default 1000) is counted lost
 * and not timed; a reply that comes after that is counted late and
 * dropped; a reply whose bytes differ from what was sent fails the run.
 *
 * First every peer must answer one probe (within 10 s: ARP, a server
 * still starting); then WARMUP round trips each that are not counted;
 * then COUNT counted round trips each, in interleaved batches of BATCH
 * (A B C A B C ...), so that noise on the machine falls on all peers
 * alike. Round trips per second is the counted round trips over the time
 * spent in that peer's counted batches.
 *
 * The report is a Markdown table of round trips per second, median and
 * nearest-rank 99th percentile in microseconds and losses, then for each
 * -r A/B the ratios of A's figures to B's. Exits 1 when a peer does not
 * answer, a reply is corrupt, or a socket call fails.
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

#define PEERS_MAX  8
#define RATIOS_MAX 8
#define RING       4096 /* datagrams tracked in flight, > OUTSTANDING */
#define K_MAX      1024
#define SIZE_MIN   16
#define SIZE_MAX_  65507
#define PROBE_MS   10000

struct slot {
    uint64_t seq;
    uint64_t t_send;
    int live;
};

struct peer {
    const char *label, *addr, *port;
    int fd;
    uint64_t next_seq; /* the next sequence number to send */
    uint64_t lo;       /* no datagram below this is in flight */
    unsigned outstanding;
    struct slot ring[RING];
    uint64_t *lat; /* ns per counted round trip that came back */
    size_t n_lat;
    unsigned long sent, lost, late; /* counted batches only */
    uint64_t busy_ns;               /* time in counted batches */
};

static struct peer peers[PEERS_MAX];
static size_t n_peers, size = 64;
static unsigned k = 1;
static int timeout_ms = 1000;
static unsigned char out[SIZE_MAX_], in[SIZE_MAX_ + 1], want[SIZE_MAX_];

static void usage(FILE *f)
{
    fprintf(f,
            "usage: udpbench [-n COUNT] [-w WARMUP] [-s SIZE] [-k OUTSTANDING]"
            " [-b BATCH]\n"
            "                [-t TIMEOUT_MS] [-r A/B]... -- LABEL ADDR PORT\n"
            "                [-- LABEL ADDR PORT]...\n"
            "UDP echo round trips of SIZE bytes (default 64) to each peer, "
            "COUNT each\n(default 20000) after WARMUP (default 1000), "
            "interleaved in batches of BATCH\n(default 1000), OUTSTANDING "
            "in flight (default 1). -r A/B adds ratios.\n");
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const struct peer *p, const char *what)
{
    fprintf(stderr, "udpbench: %s (%s:%s): %s: %s\n", p->label, p->addr,
            p->port, what, strerror(errno));
    exit(1);
}

/* The payload of datagram (seq): the number, then bytes derived from it. */
static void payload(unsigned char *b, uint64_t seq)
{
    size_t i;

    memcpy(b, &seq, sizeof seq);
    for (i = sizeof seq; i < size; i++)
        b[i] = (unsigned char)(seq * 131u + i * 7u + (seq >> 8));
}

static void open_peer(struct peer *p)
{
    struct sockaddr_in sa;
    int buf = 4 << 20;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(p->port));
    if (inet_pton(AF_INET, p->addr, &sa.sin_addr) != 1 || !sa.sin_port) {
        fprintf(stderr, "udpbench: %s: bad address %s port %s\n", p->label,
                p->addr, p->port);
        exit(2);
    }
    p->fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (p->fd < 0)
        die(p, "socket");
    /* Room for K datagrams either way; the kernel caps it quietly. */
    (void)setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    (void)setsockopt(p->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    if (connect(p->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        die(p, "connect");
    /* Sequence numbers start apart per peer, so nothing is mistaken. */
    p->next_seq = p->lo = ((uint64_t)(p - peers) + 1) << 40;
}

static void send_one(struct peer *p)
{
    struct slot *s = &p->ring[p->next_seq % RING];
    ssize_t n;

    payload(out, p->next_seq);
    s->seq = p->next_seq;
    s->live = 1;
    s->t_send = now_ns();
    n = send(p->fd, out, size, 0);
    if (n != (ssize_t)size) {
        if (n >= 0)
            errno = EMSGSIZE;
        die(p, "send");
    }
    p->next_seq++;
    p->outstanding++;
}

/* Moves (lo) past datagrams no longer in flight. */
static void advance(struct peer *p)
{
    while (p->lo < p->next_seq && !p->ring[p->lo % RING].live)
        p->lo++;
}

/*
 * Takes every datagram waiting on (p)'s socket; times the replies to
 * datagrams in flight into (p->lat) if (counted).
 */
static void take_replies(struct peer *p, int counted)
{
    struct slot *s;
    uint64_t seq, t;
    ssize_t n;

    for (;;) {
        n = recv(p->fd, in, sizeof in, MSG_DONTWAIT);
        t = now_ns();
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR)
                continue;
            die(p, "recv");
        }
        if ((size_t)n < sizeof seq) {
            fprintf(stderr, "udpbench: %s: a reply of %zd bytes\n", p->label,
                    n);
            exit(1);
        }
        memcpy(&seq, in, sizeof seq);
        payload(want, seq);
        if ((size_t)n != size || memcmp(in, want, size) != 0) {
            fprintf(stderr,
                    "udpbench: %s: reply of %zd bytes does not match "
                    "datagram %llu of %zu bytes\n",
                    p->label, n, (unsigned long long)seq, size);
            exit(1);
        }
        s = &p->ring[seq % RING];
        if (!s->live || s->seq != seq) {
            if (counted)
                p->late++;
            continue;
        }
        s->live = 0;
        p->outstanding--;
        if (counted)
            p->lat[p->n_lat++] = t - s->t_send;
        advance(p);
    }
}

/* Declares lost the datagrams in flight for longer than the timeout. */
static void expire(struct peer *p, uint64_t t, int counted)
{
    struct slot *s;

    while (p->lo < p->next_seq) {
        s = &p->ring[p->lo % RING];
        if (s->live) {
            if (t - s->t_send < (uint64_t)timeout_ms * 1000000u)
                return;
            s->live = 0;
            p->outstanding--;
            if (counted)
                p->lost++;
        }
        p->lo++;
    }
}

/* Runs (n) round trips to (p), up to K in flight, and waits for them. */
static void batch(struct peer *p, unsigned long n, int counted)
{
    uint64_t t0 = now_ns(), t, left;
    unsigned long sent = 0;
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
    int rc;

    while (sent < n || p->outstanding > 0) {
        while (sent < n && p->outstanding < k && p->next_seq - p->lo < RING) {
            send_one(p);
            sent++;
        }
        t = now_ns();
        expire(p, t, counted);
        left = (uint64_t)timeout_ms * 1000000u;
        if (p->outstanding > 0) {
            uint64_t age = t - p->ring[p->lo % RING].t_send;
            left = age < left ? left - age : 0;
        }
        rc = poll(&pfd, 1, (int)((left + 999999u) / 1000000u));
        if (rc < 0 && errno != EINTR)
            die(p, "poll");
        if (rc > 0)
            take_replies(p, counted);
    }
    if (counted) {
        p->busy_ns += now_ns() - t0;
        p->sent += sent;
    }
}

/* Sends a probe every 200 ms until one comes back, for up to 10 s. */
static void probe(struct peer *p)
{
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
    uint64_t end = now_ns() + (uint64_t)PROBE_MS * 1000000u;
    ssize_t n;

    while (now_ns() < end) {
        payload(out, 0);
        if (send(p->fd, out, size, 0) < 0 && errno != ECONNREFUSED)
            die(p, "send");
        if (poll(&pfd, 1, 200) > 0) {
            n = recv(p->fd, in, sizeof in, MSG_DONTWAIT);
            if (n == (ssize_t)size) {
                /* Let any other probe replies in flight arrive, drop them. */
                usleep(200000);
                while (recv(p->fd, in, sizeof in, MSG_DONTWAIT) >= 0)
                    ;
                return;
            }
        }
    }
    fprintf(stderr, "udpbench: %s (%s:%s): no reply to a probe in %d s\n",
            p->label, p->addr, p->port, PROBE_MS / 1000);
    exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile (pct) of the sorted (v[n]), in microseconds. */
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

static struct peer *find(const char *label, size_t len)
{
    size_t i;

    for (i = 0; i < n_peers; i++)
        if (strlen(peers[i].label) == len &&
            strncmp(peers[i].label, label, len) == 0)
            return &peers[i];
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned long count = 20000, warmup = 1000, b = 1000, done, m;
    const char *ratios[RATIOS_MAX];
    size_t n_ratios = 0, i;
    int opt;

    while ((opt = getopt(argc, argv, "n:w:s:k:b:t:r:h")) != -1) {
        switch (opt) {
        case 'n':
            count = strtoul(optarg, NULL, 10);
            break;
        case 'w':
            warmup = strtoul(optarg, NULL, 10);
            break;
        case 's':
            size = strtoul(optarg, NULL, 10);
            break;
        case 'k':
            k = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'b':
            b = strtoul(optarg, NULL, 10);
            break;
        case 't':
            timeout_ms = atoi(optarg);
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
    if (count == 0 || b == 0 || k == 0 || k > K_MAX || size < SIZE_MIN ||
        size > SIZE_MAX_ || timeout_ms <= 0) {
        usage(stderr);
        return 2;
    }
    /* Peers: after getopt's "--", "LABEL ADDR PORT" separated by "--". */
    for (i = (size_t)optind; i < (size_t)argc;) {
        if (n_peers == PEERS_MAX || i + 3 > (size_t)argc) {
            usage(stderr);
            return 2;
        }
        peers[n_peers].label = argv[i];
        peers[n_peers].addr = argv[i + 1];
        peers[n_peers].port = argv[i + 2];
        peers[n_peers].lat = calloc(count, sizeof(uint64_t));
        if (!peers[n_peers].lat) {
            perror("udpbench");
            return 1;
        }
        n_peers++;
        i += 3;
        if (i < (size_t)argc) {
            if (strcmp(argv[i], "--") != 0) {
                usage(stderr);
                return 2;
            }
            i++;
        }
    }
    if (n_peers == 0) {
        usage(stderr);
        return 2;
    }
    for (i = 0; i < n_ratios; i++) {
        const char *slash = strchr(ratios[i], '/');
        if (!find(ratios[i], (size_t)(slash - ratios[i])) ||
            !find(slash + 1, strlen(slash + 1))) {
            fprintf(stderr, "udpbench: -r %s: no such labels\n", ratios[i]);
            return 2;
        }
    }

    for (i = 0; i < n_peers; i++) {
        open_peer(&peers[i]);
        probe(&peers[i]);
    }
    for (done = 0; done < warmup; done += m) {
        m = warmup - done < b ? warmup - done : b;
        for (i = 0; i < n_peers; i++)
            batch(&peers[i], m, 0);
    }
    for (done = 0; done < count; done += m) {
        m = count - done < b ? count - done : b;
        for (i = 0; i < n_peers; i++)
            batch(&peers[i], m, 1);
    }

    printf("| peer | round trips/s | median | p99 | lost | late |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (i = 0; i < n_peers; i++) {
        struct peer *p = &peers[i];
        qsort(p->lat, p->n_lat, sizeof *p->lat, cmp_u64);
        printf("| %s | %.0f | %.1f us | %.1f us | %lu | %lu |\n", p->label,
               rate(p), pctl_us(p->lat, p->n_lat, 50),
               pctl_us(p->lat, p->n_lat, 99), p->lost, p->late);
    }
    printf("\n%lu round trips of %zu-byte payloads to each peer, %u in "
           "flight, interleaved in batches of %lu after %lu warm-up round "
           "trips; p99 is the nearest-rank 99th percentile; lost: no reply "
           "within %d ms.\n",
           count, size, k, b, warmup, timeout_ms);
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
