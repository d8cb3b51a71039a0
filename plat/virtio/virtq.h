/*
 * Split virtqueues (virtio 1.2, 2.7), the driver's side, with event-index
 * notification suppression (VIRTIO_F_EVENT_IDX, 2.7.7 and 2.7.10).
 *
 * A queue lives in memory the caller gives: the descriptor table, the
 * available ring and the used ring laid out as legacy devices require
 * (used ring on the next 4 KiB boundary), so the same memory serves every
 * transport, followed by the driver's private bookkeeping. Nothing here
 * talks to a transport: virtq_publish() says whether to notify, and the
 * caller does it.
 *
 * Everything the device writes (the used ring's ids, lengths and index,
 * avail_event) is untrusted: a used entry naming no chain in flight is
 * counted and skipped, a length beyond what the chain lets the device
 * write is counted and reported as 0, and a used index claiming more
 * entries than the ring holds stops the queue for good.
 *
 * Builds both freestanding (the image) and hosted (virtq_test.c, which
 * plays the device on the same memory).
 */
#ifndef PITH_VIRTIO_VIRTQ_H
#define PITH_VIRTIO_VIRTQ_H

#include <stddef.h>
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT          1
#define VIRTQ_DESC_F_WRITE         2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1

#define VIRTQ_SIZE_MAX 32768 /* the largest split queue (2.7) */
#define VIRTQ_SEGS_MAX 4     /* descriptors in one chain */

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

/* One buffer of a chain: (len) bytes at physical address (addr). */
struct virtq_seg {
    uint64_t addr;
    uint32_t len;
};

struct virtq {
    uint16_t size; /* entries in each ring: a power of 2 */
    uint16_t nfree;
    uint16_t free_head;
    uint16_t avail_idx; /* the next available ring slot to fill */
    uint16_t kick_idx;  /* avail->idx as of the last virtq_publish() */
    uint16_t last_used; /* the next used ring slot to read */
    uint16_t inflight;  /* chains added and not yet returned */
    uint8_t event_idx;  /* VIRTIO_F_EVENT_IDX negotiated */
    uint8_t irq_off;    /* keep the device from interrupting */
    uint8_t broken;     /* the device broke the protocol: stop */
    struct virtq_desc *desc;
    volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
    volatile uint16_t *used;  /* flags, idx, ring, avail_event (u16s) */
    volatile struct virtq_used_elem *used_ring;
    uint16_t *next;  /* private: chain and free-list links */
    uint16_t *chain; /* private: per head, its descriptors, 0 if idle */
    uint32_t *room;  /* private: per head, the bytes the device may write */
    /* Counters of what the device got wrong. */
    uint64_t bad_id;  /* used ids naming no chain in flight */
    uint64_t bad_len; /* used lengths beyond the chain's room */
    uint64_t bad_idx; /* used index jumps beyond the ring */
};

#define VIRTQ_EMPTY (-1) /* virtq_get(): nothing to take */
#define VIRTQ_FULL  (-2) /* virtq_add(): not enough free descriptors */

/*
 * Bytes of memory a queue of (size) entries needs, rings and private
 * state, in whole 4 KiB pages; 0 when (size) is not a power of 2 between
 * 1 and VIRTQ_SIZE_MAX.
 */
size_t virtq_bytes(unsigned size);

/*
 * Sets up (q) on (mem): virtq_bytes(size) bytes, 4 KiB-aligned and zeroed,
 * of which the driver lets the device use descriptors 0 to (ndesc) - 1
 * (ndesc <= size, and > 0). (event_idx) says whether VIRTIO_F_EVENT_IDX
 * was negotiated. Returns 0, or -1 for a bad (size) or (ndesc).
 */
int virtq_init(struct virtq *q, unsigned size, unsigned ndesc, void *mem,
               int event_idx);

/* Physical addresses of the three parts, for the transport. */
uint64_t virtq_desc_addr(const struct virtq *q);
uint64_t virtq_avail_addr(const struct virtq *q);
uint64_t virtq_used_addr(const struct virtq *q);

/*
 * The head the next virtq_add() will return, or VIRTQ_FULL when no
 * descriptor is free. Heads of chains in flight are distinct, so drivers
 * index their per-request buffers by head.
 */
static inline int virtq_next_head(const struct virtq *q)
{
    return q->nfree ? (int)q->free_head : VIRTQ_FULL;
}

/*
 * Queues a chain of (nout) device-readable segments then (nin)
 * device-writable ones from (segs), 1 <= nout + nin <= VIRTQ_SEGS_MAX.
 * The device does not see it before virtq_publish(). Returns the chain's
 * head, or VIRTQ_FULL (nothing queued).
 */
int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned nout,
              unsigned nin);

/*
 * Shows the device every chain added since the last call. Returns 1 when
 * the device asked to be notified of them (the caller then notifies), 0
 * when it did not.
 */
int virtq_publish(struct virtq *q);

/*
 * Takes the next chain the device returned: frees its descriptors, stores
 * in (*len) the bytes the device says it wrote (0 when that exceeds the
 * chain's writable room: bad_len), and returns its head. Returns
 * VIRTQ_EMPTY when none is waiting or the queue is broken. Entries with a
 * bad id are skipped and counted (bad_id).
 */
int virtq_get(struct virtq *q, uint32_t *len);

/* 1 when virtq_get() has something to take (or more to skip). */
int virtq_pending(const struct virtq *q);

/*
 * How many used entries are waiting, of which virtq_get() may still skip
 * some (bad ids): an upper bound on the chains it will return before
 * VIRTQ_EMPTY. 0 when the queue is broken or the used index claims more
 * entries than the ring holds (the next virtq_get() breaks the queue).
 */
unsigned virtq_used_count(const struct virtq *q);

/*
 * Interrupt control. virtq_irq_off() asks the device not to interrupt for
 * returned chains (tx completions, polled requests). virtq_irq_arm() asks
 * for one interrupt when the next chain is returned, then returns
 * virtq_pending(), checked after the request is visible: when it returns
 * 0, a later return will interrupt.
 */
void virtq_irq_off(struct virtq *q);
int virtq_irq_arm(struct virtq *q);

/*
 * The event-index rule (2.7.7.2 and 2.7.10): having moved an index from
 * (old) to (new), notify when the other side's event index (event) lies
 * in [old, new), all modulo 2^16.
 */
static inline int virtq_need_event(uint16_t event, uint16_t new_idx,
                                   uint16_t old)
{
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

#endif
