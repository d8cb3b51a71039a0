/*
 * udpecho_linux: the Linux peer of the UDP echo benchmark. One process,
 * one socket, a plain recvfrom/sendto loop: Linux's own stack with the
 * echo in user space, as pith's apps/echo is.
 *
 *   udpecho_linux ADDR PORT
 *
 * Binds ADDR:PORT and sends every datagram back to its sender unchanged,
 * until killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static unsigned char buf[65536];
    struct sockaddr_in sa, from;
    socklen_t fromlen;
    ssize_t n;
    int s;

    if (argc != 3) {
        fprintf(stderr, "usage: udpecho_linux ADDR PORT\n");
        return 2;
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "udpecho_linux: bad address %s\n", argv[1]);
        return 2;
    }
    s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fprintf(stderr, "udpecho_linux: %s:%s: %s\n", argv[1], argv[2],
                strerror(errno));
        return 1;
    }
    printf("udpecho_linux: listening on %s:%s\n", argv[1], argv[2]);
    fflush(stdout);
    for (;;) {
        fromlen = sizeof from;
        n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "udpecho_linux: recvfrom: %s\n", strerror(errno));
            return 1;
        }
        /* A full socket buffer on the way back drops, as a stack would. */
        (void)sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, fromlen);
    }
}
