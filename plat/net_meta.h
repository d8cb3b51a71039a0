/*
 * The platforms' check of the metadata plat_net_write_meta() and
 * plat_net_write_iov() are given (include/pith/plat.h): one rule for
 * every platform, so that an image is refused the same way on each.
 * Private to plat/.
 */
#ifndef PITH_PLAT_NET_META_H
#define PITH_PLAT_NET_META_H

#include <stddef.h>
#include <stdint.h>
#include <pith/plat.h>

/* Whether (m) asks only for what the offloads (on) allow, within a frame
 * of (len) bytes; without GSO the frame may be (frame_max) bytes. */
static inline int plat_net_meta_ok(const struct plat_net_meta *m, uint32_t on,
                                   size_t len, size_t frame_max)
{
    if (m->flags & ~PLAT_NET_F_NEEDS_CSUM)
        return 0;
    if ((m->flags & PLAT_NET_F_NEEDS_CSUM) &&
        (!(on & PLAT_NET_CAP_CSUM) ||
         (size_t)m->csum_start + m->csum_offset + 2 > len))
        return 0;
    if (m->gso == PLAT_NET_GSO_NONE)
        return len <= frame_max;
    return m->gso == PLAT_NET_GSO_TCP4 && (on & PLAT_NET_CAP_TSO4) &&
           (m->flags & PLAT_NET_F_NEEDS_CSUM) && m->gso_size > 0 &&
           m->hdr_len > 14 && m->hdr_len <= len &&
           len <= PLAT_NET_GSO_FRAME_MAX;
}

#endif
