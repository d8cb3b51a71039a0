/*
 * impair: a seeded impairment relay between two tap devices, for the tests
 * that need loss, duplication, reordering or delay (the kernel the tests
 * run on has no netem qdisc).
 *
 *   impair [--seed=N] [--loss=PCT] [--dup=PCT] [--reorder=PCT]
 *          [--delay=MS] [--jitter=MS] [--stats=FILE] TAP_A TAP_B
 *
 * Opens the taps TAP_A and TAP_B of the current network namespace (creating
 * them, which needs CAP_NET_ADMIN, when they do not exist), brings them up
 * and forwards every frame read on one to the other, unchanged, both ways.
 * Each frame, in each direction:
 *   - is dropped with probability --loss (percent, may be fractional);
 *   - else is sent twice, back to back, with probability --dup;
 *   - is due --delay ms after it was read, plus a uniform 0..--jitter ms;
 *     jitter alone never reorders: a frame is never due before the one
 *     read before it;
 *   - with probability --reorder, is held back 1..3 ms (uniform) more, and
 *     the frames read after it that are not held overtake it: that is the
 *     reordering. Frames come 0.1 ms or less apart in a burst, so a held
 *     frame of a burst lands some frames later.
 * Each direction draws from its own xorshift64* stream, seeded through
 * splitmix64 from --seed (default 1), and draws five numbers for every
 * frame whatever the options: a run is reproducible given the same frames
 * in the same order on each side, and changing one percentage does not
 * reshuffle the other decisions. Times are CLOCK_MONOTONIC.
 *
 * Up to 4096 frames wait per direction; a frame beyond that is dropped and
 * counted as queue-full. A write the tap refuses is counted as an error.
 *
 * When the taps are open it prints "impair: TAP_A <-> TAP_B, seed N" on
 * stdout. On SIGTERM or SIGINT it writes one line of counters to stderr
 * and to the --stats FILE, then exits 0:
 *   impair: A->B in=N out=N dropped=N duplicated=N reordered=N
 *   queue-full=N queued=N errors=N; B->A in=N ...
 * (queued: frames still waiting at the end.) Bad arguments: one line on
 * stderr, exit 2. A tap or FILE that cannot be opened: one line, exit 1.
 *
 * A tap has one reader, so the relay cannot sit on a unikernel's own tap.
 * tests/e2e/impair.sh puts Linux's address on TAP_A and bridges TAP_B with
 * the unikernel's tap: Linux -> TAP_A -> impair -> TAP_B -> bridge ->
 * unikernel's tap, and back the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IMPAIR_QUEUE     4096 /* frames waiting per direction */
#define IMPAIR_FRAME_MAX 65535
#define IMPAIR_BURST     64 /* frames read per side per wakeup */
#define IMPAIR_MS_MAX    60000.0
#define NS_PER_MS        1000000ull

struct frame {
    uint64_t due; /* CLOCK_MONOTONIC ns */
    uint64_t seq; /* breaks ties: the frame read first goes first */
    size_t len;
    unsigned char *data;
};

struct counters {
    unsigned long long in, out, dropped, duplicated, reordered, queue_full,
        errors;
};

/* One direction: frames read on (from) wait in (q) to be written to (to). */
struct dir {
    const char *name_from, *name_to;
    int from, to;
    uint64_t rng;
    uint64_t last_due; /* no frame that is not held is due before this */
    uint64_t seq;
    struct frame q[IMPAIR_QUEUE]; /* a min-heap on (due, seq) */
    size_t n;
    struct counters c;
};

struct options {
    uint64_t seed;
    double loss, dup, reorder; /* percent */
    uint64_t delay, jitter;    /* ns */
    const char *stats;
    const char *tap[2];
};

static struct dir dirs[2];
static volatile sig_atomic_t stopping;

static void usage(FILE *f)
{
    fprintf(f, "usage: impair [--seed=N] [--loss=PCT] [--dup=PCT] "
               "[--reorder=PCT]\n"
               "              [--delay=MS] [--jitter=MS] [--stats=FILE] TAP_A "
               "TAP_B\n"
               "Forwards every Ethernet frame between the taps TAP_A and TAP_B "
               "(created\n"
               "when missing), both ways, dropping (--loss), duplicating "
               "(--dup), holding\n"
               "back 1..3 ms so that later frames overtake (--reorder) and "
               "delaying\n"
               "(--delay plus uniform 0..--jitter, order kept) each frame with "
               "seeded\n"
               "per-direction random decisions. Percentages and times may be "
               "fractional.\n"
               "SIGTERM or SIGINT: counters on stderr and in FILE, exit 0.\n");
}

static void bad_arg(const char *arg, const char *why)
{
    fprintf(stderr, "impair: %s: %s\n", arg, why);
    exit(2);
}

/* splitmix64: turns one seed into well-mixed, distinct stream seeds. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* xorshift64*, as in udpcheck and badframes. */
static uint64_t rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* Uniform in [0, 1). */
static double uniform(uint64_t *s)
{
    return (double)(rng(s) >> 11) * (1.0 / 9007199254740992.0);
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A plain decimal (digits, at most one point, at least one digit) in
 * [0, max]; -1 when (s) is not one. */
static double parse_decimal(const char *s, double max)
{
    size_t digits = strspn(s, "0123456789.");
    const char *dot = strchr(s, '.');
    char *end;
    double v;

    if (digits != strlen(s) || strcspn(s, "0123456789") == strlen(s) ||
        (dot && strchr(dot + 1, '.')))
        return -1;
    v = strtod(s, &end);
    if (*end != '\0' || v < 0 || v > max)
        return -1;
    return v;
}

/* (arg) is "--NAME=VALUE" for the option NAME; its VALUE, else NULL. */
static const char *opt_value(const char *arg, const char *name)
{
    size_t n = strlen(name);

    if (strncmp(arg, name, n) == 0 && arg[n] == '=')
        return arg + n + 1;
    return NULL;
}

static void parse_args(int argc, char **argv, struct options *o)
{
    const char *v;
    double d;
    char *end;
    int i, ntap = 0;

    memset(o, 0, sizeof *o);
    o->seed = 1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        } else if ((v = opt_value(a, "--seed"))) {
            errno = 0;
            o->seed = strtoull(v, &end, 10);
            if (*v < '0' || *v > '9' || *end != '\0' || errno == ERANGE)
                bad_arg(a, "not a number (0..2^64-1)");
        } else if ((v = opt_value(a, "--loss"))) {
            if ((o->loss = parse_decimal(v, 100)) < 0)
                bad_arg(a, "not a percentage");
        } else if ((v = opt_value(a, "--dup"))) {
            if ((o->dup = parse_decimal(v, 100)) < 0)
                bad_arg(a, "not a percentage");
        } else if ((v = opt_value(a, "--reorder"))) {
            if ((o->reorder = parse_decimal(v, 100)) < 0)
                bad_arg(a, "not a percentage");
        } else if ((v = opt_value(a, "--delay"))) {
            if ((d = parse_decimal(v, IMPAIR_MS_MAX)) < 0)
                bad_arg(a, "not a time in milliseconds (0..60000)");
            o->delay = (uint64_t)(d * (double)NS_PER_MS);
        } else if ((v = opt_value(a, "--jitter"))) {
            if ((d = parse_decimal(v, IMPAIR_MS_MAX)) < 0)
                bad_arg(a, "not a time in milliseconds (0..60000)");
            o->jitter = (uint64_t)(d * (double)NS_PER_MS);
        } else if ((v = opt_value(a, "--stats"))) {
            if (*v == '\0')
                bad_arg(a, "no file name");
            o->stats = v;
        } else if (a[0] == '-') {
            bad_arg(a, "unknown option (see --help)");
        } else if (ntap == 2) {
            bad_arg(a, "a third tap (wants TAP_A and TAP_B)");
        } else if (*a == '\0' || strlen(a) >= IFNAMSIZ) {
            bad_arg(a, "not an interface name (1..15 characters)");
        } else {
            o->tap[ntap++] = a;
        }
    }
    if (ntap != 2) {
        fprintf(stderr, "impair: wants two taps, TAP_A and TAP_B (see "
                        "--help)\n");
        exit(2);
    }
    if (strcmp(o->tap[0], o->tap[1]) == 0)
        bad_arg(o->tap[1], "the same tap twice");
}

static void fail(const char *what, const char *name)
{
    fprintf(stderr, "impair: %s %s: %s\n", what, name, strerror(errno));
    exit(1);
}

/* Opens (or creates) the tap (name), nonblocking, and brings it up. */
static int tap_open(const char *name)
{
    struct ifreq ifr;
    int fd, s;

    fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        fail("/dev/net/tun for", name);
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        fail("tap", name);
    s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        fail("socket to bring up", name);
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        fail("flags of", name);
    if (!(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
            fail("bringing up", name);
    }
    close(s);
    return fd;
}

static int frame_before(const struct frame *a, const struct frame *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void heap_push(struct dir *d, struct frame f)
{
    size_t i = d->n++, parent;

    while (i > 0) {
        parent = (i - 1) / 2;
        if (!frame_before(&f, &d->q[parent]))
            break;
        d->q[i] = d->q[parent];
        i = parent;
    }
    d->q[i] = f;
}

static struct frame heap_pop(struct dir *d)
{
    struct frame top = d->q[0], last = d->q[--d->n];
    size_t i = 0, child;

    while ((child = 2 * i + 1) < d->n) {
        if (child + 1 < d->n && frame_before(&d->q[child + 1], &d->q[child]))
            child++;
        if (!frame_before(&d->q[child], &last))
            break;
        d->q[i] = d->q[child];
        i = child;
    }
    if (d->n > 0)
        d->q[i] = last;
    return top;
}

/* Queues a copy of (len) bytes of (buf), due at (due). */
static void enqueue(struct dir *d, const unsigned char *buf, size_t len,
                    uint64_t due)
{
    struct frame f;

    if (d->n == IMPAIR_QUEUE) {
        d->c.queue_full++;
        return;
    }
    f.data = malloc(len ? len : 1);
    if (!f.data) {
        d->c.errors++;
        return;
    }
    memcpy(f.data, buf, len);
    f.len = len;
    f.due = due;
    f.seq = d->seq++;
    heap_push(d, f);
}

/* Decides the fate of one frame read at (now). */
static void admit(struct dir *d, const struct options *o,
                  const unsigned char *buf, size_t len, uint64_t now)
{
    /* Five draws for every frame, whatever is used. */
    double u_loss = uniform(&d->rng), u_dup = uniform(&d->rng);
    double u_reorder = uniform(&d->rng), u_jitter = uniform(&d->rng);
    double u_hold = uniform(&d->rng);
    uint64_t due;

    d->c.in++;
    if (u_loss * 100 < o->loss) {
        d->c.dropped++;
        return;
    }
    due = now + o->delay + (uint64_t)(u_jitter * (double)o->jitter);
    if (due < d->last_due)
        due = d->last_due;
    if (u_reorder * 100 < o->reorder) {
        due += NS_PER_MS + (uint64_t)(u_hold * 2.0 * (double)NS_PER_MS);
        d->c.reordered++;
    } else {
        d->last_due = due;
    }
    enqueue(d, buf, len, due);
    if (u_dup * 100 < o->dup) {
        d->c.duplicated++;
        enqueue(d, buf, len, due);
    }
}

/* Writes every frame due by (now), in order. */
static void flush(struct dir *d, uint64_t now)
{
    struct frame f;

    while (d->n > 0 && d->q[0].due <= now) {
        f = heap_pop(d);
        if (write(d->to, f.data, f.len) == (ssize_t)f.len)
            d->c.out++;
        else
            d->c.errors++;
        free(f.data);
    }
}

/* Reads up to IMPAIR_BURST frames waiting on (d->from). */
static void drain(struct dir *d, const struct options *o)
{
    static unsigned char buf[IMPAIR_FRAME_MAX + 1];
    ssize_t got;
    int i;

    for (i = 0; i < IMPAIR_BURST; i++) {
        got = read(d->from, buf, sizeof buf);
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (got < 0)
            fail("reading", d->name_from);
        admit(d, o, buf, (size_t)got, now_ns());
    }
}

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void report(const char *stats)
{
    char line[1024];
    size_t used = 0;
    FILE *f;
    int i;

    used += (size_t)snprintf(line, sizeof line, "impair:");
    for (i = 0; i < 2; i++) {
        const struct dir *d = &dirs[i];

        used += (size_t)snprintf(
            line + used, sizeof line - used,
            "%s %s->%s in=%llu out=%llu dropped=%llu duplicated=%llu "
            "reordered=%llu queue-full=%llu queued=%zu errors=%llu",
            i ? ";" : "", d->name_from, d->name_to, d->c.in, d->c.out,
            d->c.dropped, d->c.duplicated, d->c.reordered, d->c.queue_full,
            d->n, d->c.errors);
    }
    fprintf(stderr, "%s\n", line);
    if (stats) {
        f = fopen(stats, "w");
        if (!f || fprintf(f, "%s\n", line) < 0 || fclose(f) != 0)
            fail("writing", stats);
    }
}

int main(int argc, char **argv)
{
    struct options o;
    struct pollfd p[2];
    struct sigaction sa;
    struct timespec ts, *timeout;
    sigset_t block, unblocked;
    uint64_t seed, now, next;
    FILE *f;
    int i, fd[2];

    parse_args(argc, argv, &o);
    if (o.stats) {
        /* Fail now, not at the end, when the file cannot be written. */
        f = fopen(o.stats, "w");
        if (!f)
            fail("--stats", o.stats);
        fclose(f);
    }

    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &unblocked);
    sigdelset(&unblocked, SIGTERM);
    sigdelset(&unblocked, SIGINT);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    fd[0] = tap_open(o.tap[0]);
    fd[1] = tap_open(o.tap[1]);
    seed = o.seed;
    for (i = 0; i < 2; i++) {
        dirs[i].name_from = o.tap[i];
        dirs[i].name_to = o.tap[1 - i];
        dirs[i].from = fd[i];
        dirs[i].to = fd[1 - i];
        dirs[i].rng = splitmix64(&seed);
        if (dirs[i].rng == 0)
            dirs[i].rng = 1; /* xorshift's one fixed point */
        p[i].fd = fd[i];
        p[i].events = POLLIN;
    }
    printf("impair: %s <-> %s, seed %llu\n", o.tap[0], o.tap[1],
           (unsigned long long)o.seed);
    fflush(stdout);

    /* Signals are taken only inside ppoll, so none is lost between the
     * check of (stopping) and the wait. */
    while (!stopping) {
        now = now_ns();
        next = UINT64_MAX;
        for (i = 0; i < 2; i++) {
            flush(&dirs[i], now);
            if (dirs[i].n > 0 && dirs[i].q[0].due < next)
                next = dirs[i].q[0].due;
        }
        timeout = NULL;
        if (next != UINT64_MAX) {
            next -= now; /* flush left none due by now */
            ts.tv_sec = (time_t)(next / 1000000000ull);
            ts.tv_nsec = (long)(next % 1000000000ull);
            timeout = &ts;
        }
        if (ppoll(p, 2, timeout, &unblocked) < 0) {
            if (errno == EINTR)
                continue;
            fail("waiting on", "the taps");
        }
        for (i = 0; i < 2; i++) {
            if (p[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
                errno = EIO;
                fail("polling", o.tap[i]);
            }
            if (p[i].revents & POLLIN)
                drain(&dirs[i], &o);
        }
    }
    report(o.stats);
    return 0;
}
