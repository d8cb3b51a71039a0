/* Split virtqueues, the driver's side: see virtq.h. */
#include "virtq.h"
#include "kern.h"

#define VIRTQ_PAGE 4096u

static size_t virtq_align(size_t n, size_t a)
{
    return (n + a - 1) & ~(a - 1);
}

/* Offsets of the parts in a queue's memory (2.7, legacy layout 2.7.2). */
static size_t virtq_avail_off(unsigned size)
{
    return 16u * size;
}
static size_t virtq_used_off(unsigned size)
{
    return virtq_align(virtq_avail_off(size) + 6u + 2u * size, VIRTQ_PAGE);
}
static size_t virtq_priv_off(unsigned size)
{
    return virtq_align(virtq_used_off(size) + 6u + 8u * size, 8);
}

static int virtq_size_ok(unsigned size)
{
    return size >= 1 && size <= VIRTQ_SIZE_MAX && (size & (size - 1)) == 0;
}

size_t virtq_bytes(unsigned size)
{
    if (!virtq_size_ok(size))
        return 0;
    /* next[] and chain[] (u16), room[] (u32) */
    return virtq_align(virtq_priv_off(size) + 8u * size, VIRTQ_PAGE);
}

int virtq_init(struct virtq *q, unsigned size, unsigned ndesc, void *mem,
               int event_idx)
{
    uint8_t *m = mem;
    unsigned i;

    if (!virtq_size_ok(size) || ndesc == 0 || ndesc > size)
        return -1;
    *q = (struct virtq){0};
    q->size = (uint16_t)size;
    q->event_idx = event_idx != 0;
    q->desc = (struct virtq_desc *)m;
    q->avail = (volatile uint16_t *)(m + virtq_avail_off(size));
    q->used = (volatile uint16_t *)(m + virtq_used_off(size));
    q->used_ring =
        (volatile struct virtq_used_elem *)(m + virtq_used_off(size) + 4);
    q->next = (uint16_t *)(m + virtq_priv_off(size));
    q->chain = q->next + size;
    q->room = (uint32_t *)(q->chain + size);
    for (i = 0; i < ndesc; i++) {
        q->next[i] = (uint16_t)(i + 1);
        q->chain[i] = 0;
    }
    q->nfree = (uint16_t)ndesc;
    q->free_head = 0;
    return 0;
}

uint64_t virtq_desc_addr(const struct virtq *q)
{
    return (uint64_t)(uintptr_t)q->desc;
}
uint64_t virtq_avail_addr(const struct virtq *q)
{
    return (uint64_t)(uintptr_t)q->avail;
}
uint64_t virtq_used_addr(const struct virtq *q)
{
    return (uint64_t)(uintptr_t)q->used;
}

/* used_event sits after the available ring, avail_event after the used. */
static volatile uint16_t *virtq_used_event(const struct virtq *q)
{
    return &q->avail[2 + q->size];
}
static volatile uint16_t *virtq_avail_event(const struct virtq *q)
{
    return &q->used[2 + 4u * q->size];
}

int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned nout,
              unsigned nin)
{
    unsigned n = nout + nin, k;
    uint16_t head = q->free_head, i = head;
    uint64_t room = 0;

    if (n == 0 || n > VIRTQ_SEGS_MAX || n > q->nfree)
        return VIRTQ_FULL;
    for (k = 0; k < n; k++) {
        struct virtq_desc *d = &q->desc[i];
        d->addr = segs[k].addr;
        d->len = segs[k].len;
        d->flags = (uint16_t)((k >= nout ? VIRTQ_DESC_F_WRITE : 0) |
                              (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        d->next = k + 1 < n ? q->next[i] : 0;
        if (k >= nout)
            room += segs[k].len;
        i = q->next[i];
    }
    q->free_head = i;
    q->nfree = (uint16_t)(q->nfree - n);
    q->chain[head] = (uint16_t)n;
    q->room[head] = room > UINT32_MAX ? UINT32_MAX : (uint32_t)room;
    q->inflight++;
    q->avail[2 + (q->avail_idx & (q->size - 1))] = head;
    q->avail_idx++;
    return head;
}

int virtq_publish(struct virtq *q)
{
    uint16_t old = q->kick_idx, new_idx = q->avail_idx;

    if (new_idx == old)
        return 0;
    kern_wmb(); /* the ring entries before the index that shows them */
    q->avail[1] = new_idx;
    q->kick_idx = new_idx;
    /* The index must be visible before we read whether the device wants
     * a notification, or both sides may wait for the other (2.7.13). */
    kern_mb();
    if (q->event_idx)
        return virtq_need_event(*virtq_avail_event(q), new_idx, old);
    return !(q->used[0] & VIRTQ_USED_F_NO_NOTIFY);
}

int virtq_pending(const struct virtq *q)
{
    return !q->broken && q->used[1] != q->last_used;
}

unsigned virtq_used_count(const struct virtq *q)
{
    uint16_t n;

    if (q->broken)
        return 0;
    n = (uint16_t)(q->used[1] - q->last_used);
    return n > q->size ? 0 : n;
}

/* Returns the chain at (head) to the free list. */
static void virtq_free(struct virtq *q, uint16_t head)
{
    uint16_t n = q->chain[head], t = head, k;

    for (k = 1; k < n; k++)
        t = q->next[t];
    q->next[t] = q->free_head;
    q->free_head = head;
    q->nfree = (uint16_t)(q->nfree + n);
    q->chain[head] = 0;
    q->inflight--;
}

int virtq_get(struct virtq *q, uint32_t *len)
{
    for (;;) {
        uint16_t used_idx, slot;
        uint32_t id, n;

        if (q->broken)
            return VIRTQ_EMPTY;
        used_idx = q->used[1];
        if (used_idx == q->last_used)
            return VIRTQ_EMPTY;
        /* More entries than the ring holds: the index is garbage, and so
         * is everything behind it. */
        if ((uint16_t)(used_idx - q->last_used) > q->size) {
            q->bad_idx++;
            q->broken = 1;
            return VIRTQ_EMPTY;
        }
        kern_rmb(); /* the entry after the index that shows it */
        slot = q->last_used & (q->size - 1);
        id = q->used_ring[slot].id;
        n = q->used_ring[slot].len;
        q->last_used++;
        if (q->irq_off && q->event_idx)
            *virtq_used_event(q) = (uint16_t)(q->last_used - 1);
        if (id >= q->size || q->chain[id] == 0) {
            q->bad_id++;
            continue;
        }
        if (n > q->room[id]) {
            q->bad_len++;
            n = 0;
        }
        virtq_free(q, (uint16_t)id);
        *len = n;
        return (int)id;
    }
}

void virtq_irq_off(struct virtq *q)
{
    q->irq_off = 1;
    /* With event indexes the flag must stay 0 (2.7.7.1); an event index
     * one behind ours is 65535 returns away, further than the device can
     * get before we move it again. */
    if (q->event_idx)
        *virtq_used_event(q) = (uint16_t)(q->last_used - 1);
    else
        q->avail[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
}

int virtq_irq_arm(struct virtq *q)
{
    q->irq_off = 0;
    if (q->event_idx)
        *virtq_used_event(q) = q->last_used;
    else
        q->avail[0] = 0;
    kern_mb(); /* the request before the check, as in virtq_publish() */
    return virtq_pending(q);
}
