/*
 * tcpecho_linux: the Linux peer of the TCP benchmarks, serving what
 * apps/echo serves over TCP, with Linux's own stack and the servers in
 * user space, as pith's are. One process, one epoll loop:
 *
 *   tcpecho_linux [-N] [-b BYTES] ADDR
 *
 *   port 7   echo (RFC 862): what comes in goes back; after the peer's
 *            FIN and the last byte back, close;
 *   port 9   discard (RFC 863): read and drop; after the peer's FIN, close;
 *   port 19  bulk: BYTES (-b, default 1 GiB) of the pattern apps/echo
 *            sends, byte i being (i + i / 65521) mod 256, then FIN; close
 *            at the peer's FIN.
 *
 * -N sets TCP_NODELAY on every connection, as apps/echo's --nodelay does.
 * Raises its open-file limit to the hard limit, to hold as many
 * connections as that allows. Runs until killed.
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define PAT_BLOCK 65521 /* the pattern's period of shifts */
#define CHUNK     65536

enum kind { LISTEN_ECHO, LISTEN_DISCARD, LISTEN_BULK, ECHO, DISCARD, BULK };

/* One listener or connection; the epoll data of its socket. */
struct conn {
    int fd;
    enum kind kind;
    int eof;           /* echo: the peer's FIN came */
    uint64_t sent;     /* bulk: bytes written */
    unsigned char *p;  /* echo: bytes not yet written back */
    size_t plen, poff; /* their length and how many went already */
};

static int ep, nodelay;
static uint64_t bulk_bytes = 1ull << 30;
static unsigned char buf[256 * 1024];
/* pat[i] = i mod 256: any run of the bulk pattern within one block is a
 * slice of it. */
static unsigned char pat[CHUNK + 256];

static void fatal(const char *what)
{
    fprintf(stderr, "tcpecho_linux: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void watch(struct conn *c, int op, uint32_t events)
{
    struct epoll_event e = {.events = events, .data.ptr = c};

    if (epoll_ctl(ep, op, c->fd, &e) < 0)
        fatal("epoll_ctl");
}

static void drop(struct conn *c)
{
    close(c->fd); /* also leaves the epoll set */
    free(c->p);
    free(c);
}

static void listen_on(const char *addr, uint16_t port, enum kind kind)
{
    struct sockaddr_in sa;
    struct conn *c = calloc(1, sizeof *c);
    int one = 1;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (!c || inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "tcpecho_linux: bad address %s\n", addr);
        exit(2);
    }
    c->kind = kind;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0)
        fatal("socket");
    (void)setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        listen(c->fd, 4096) < 0) {
        fprintf(stderr, "tcpecho_linux: %s:%u: %s\n", addr, port,
                strerror(errno));
        exit(1);
    }
    watch(c, EPOLL_CTL_ADD, EPOLLIN);
}

static void take(struct conn *l)
{
    struct conn *c;
    int fd, one = 1;

    while ((fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
        c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->kind = l->kind == LISTEN_ECHO      ? ECHO
                  : l->kind == LISTEN_DISCARD ? DISCARD
                                              : BULK;
        if (nodelay)
            (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        watch(c, EPOLL_CTL_ADD, c->kind == BULK ? EPOLLIN | EPOLLOUT : EPOLLIN);
    }
    if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
        fprintf(stderr, "tcpecho_linux: accept: %s\n", strerror(errno));
}

/* Reads what is there; returns bytes read, 0 at EOF, -1 when none (or
 * the connection failed: (*dead) is set). */
static ssize_t get(struct conn *c, int *dead)
{
    ssize_t n = read(c->fd, buf, sizeof buf);

    if (n < 0 && errno != EAGAIN && errno != EINTR)
        *dead = 1;
    return n;
}

/* Writes (c)'s pending echo bytes; returns 0 when all went. */
static int flush(struct conn *c, int *dead)
{
    ssize_t n;

    while (c->poff < c->plen) {
        n = write(c->fd, c->p + c->poff, c->plen - c->poff);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR)
                *dead = 1;
            return -1;
        }
        c->poff += (size_t)n;
    }
    free(c->p);
    c->p = NULL;
    c->plen = c->poff = 0;
    return 0;
}

static void on_echo(struct conn *c, uint32_t ev)
{
    int dead = 0;
    ssize_t n;

    if (c->p) { /* waiting for room to write back: not reading */
        if (flush(c, &dead) == 0)
            watch(c, EPOLL_CTL_MOD, EPOLLIN);
    } else if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        n = get(c, &dead);
        if (n == 0)
            c->eof = 1;
        if (n > 0) {
            c->p = malloc((size_t)n);
            if (!c->p) {
                dead = 1;
            } else {
                memcpy(c->p, buf, (size_t)n);
                c->plen = (size_t)n;
                if (flush(c, &dead) < 0 && !dead)
                    watch(c, EPOLL_CTL_MOD, EPOLLOUT);
            }
        }
    }
    if (dead || (c->eof && !c->p))
        drop(c);
}

static void on_discard(struct conn *c)
{
    int dead = 0;
    ssize_t n;

    while ((n = get(c, &dead)) > 0)
        ;
    if (n == 0 || dead)
        drop(c);
}

static void on_bulk(struct conn *c, uint32_t ev)
{
    int dead = 0;
    ssize_t n;

    if (ev & EPOLLOUT) {
        while (c->sent < bulk_bytes) {
            uint64_t in_block = PAT_BLOCK - c->sent % PAT_BLOCK;
            size_t start = (size_t)((c->sent + c->sent / PAT_BLOCK) & 255);
            size_t len = CHUNK;
            if (len > in_block)
                len = (size_t)in_block;
            if (len > bulk_bytes - c->sent)
                len = (size_t)(bulk_bytes - c->sent);
            n = write(c->fd, pat + start, len);
            if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                    dead = 1;
                break;
            }
            c->sent += (uint64_t)n;
        }
        if (c->sent == bulk_bytes) {
            shutdown(c->fd, SHUT_WR);
            watch(c, EPOLL_CTL_MOD, EPOLLIN);
        }
    }
    if (!dead && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        while ((n = get(c, &dead)) > 0)
            ;
        if (n == 0)
            dead = 1; /* the peer is done: so are we */
    }
    if (dead)
        drop(c);
}

int main(int argc, char **argv)
{
    struct epoll_event evs[256];
    struct rlimit rl;
    int opt, n, i;
    size_t j;

    while ((opt = getopt(argc, argv, "Nb:")) != -1) {
        switch (opt) {
        case 'N':
            nodelay = 1;
            break;
        case 'b':
            bulk_bytes = strtoull(optarg, NULL, 10);
            break;
        default:
            optind = argc + 1;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: tcpecho_linux [-N] [-b BYTES] ADDR\n");
        return 2;
    }
    /* As many connections as the hard limit allows. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    for (j = 0; j < sizeof pat; j++)
        pat[j] = (unsigned char)j;
    ep = epoll_create1(0);
    if (ep < 0)
        fatal("epoll_create1");
    listen_on(argv[optind], 7, LISTEN_ECHO);
    listen_on(argv[optind], 9, LISTEN_DISCARD);
    listen_on(argv[optind], 19, LISTEN_BULK);
    printf("tcpecho_linux: listening on %s ports 7, 9, 19\n", argv[optind]);
    fflush(stdout);
    for (;;) {
        n = epoll_wait(ep, evs, 256, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fatal("epoll_wait");
        }
        for (i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            switch (c->kind) {
            case LISTEN_ECHO:
            case LISTEN_DISCARD:
            case LISTEN_BULK:
                take(c);
                break;
            case ECHO:
                on_echo(c, evs[i].events);
                break;
            case DISCARD:
                on_discard(c);
                break;
            case BULK:
                on_bulk(c, evs[i].events);
                break;
            }
        }
    }
}
