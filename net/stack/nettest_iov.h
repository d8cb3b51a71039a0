/*
 * plat_net_write_iov() for the stack's fake platforms (nettest.c and
 * net/tcp/tcp_sim_test.c, which do not link together): the pieces are
 * gathered into one frame, which then goes as the fake's own
 * plat_net_write_meta() takes it. Test code only.
 */
#ifndef PITH_NET_STACK_NETTEST_IOV_H
#define PITH_NET_STACK_NETTEST_IOV_H

#include <string.h>
#include <pith/err.h>
#include <pith/plat.h>

int plat_net_write_iov(plat_handle_t h, const struct plat_net_meta *m,
                       const struct plat_net_iov *iov, unsigned n)
{
    static uint8_t g[PLAT_NET_GSO_FRAME_MAX];
    size_t len = 0;
    unsigned i;

    if (n < 1 || n > PLAT_NET_IOV_MAX)
        return PITH_EINVAL;
    for (i = 0; i < n; len += iov[i++].len) {
        if (iov[i].len > sizeof g - len)
            return PITH_EINVAL;
        memcpy(g + len, iov[i].base, iov[i].len);
    }
    return plat_net_write_meta(h, m, g, len);
}

#endif
