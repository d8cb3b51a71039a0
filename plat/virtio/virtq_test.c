/*
 * virtq.c on the host, against a simulated device that works on the same
 * ring memory the way a virtio device does (virtio 1.2, 2.7): it takes
 * chains from the available ring, returns them through the used ring, and
 * decides notifications and interrupts by the event-index rule. Then the
 * device misbehaves, and the driver must not believe it.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "virtq.h"

struct sim {
    struct virtq q;
    void *mem;
    uint16_t last_avail; /* next available entry the device reads */
    uint16_t used_idx;   /* the device's used index */
    uint16_t signalled;  /* used index at its last interrupt decision */
};

static void sim_new(struct sim *s, unsigned size, unsigned ndesc, int event_idx)
{
    size_t n = virtq_bytes(size);
    memset(s, 0, sizeof *s);
    s->mem = aligned_alloc(4096, n);
    memset(s->mem, 0, n);
    T_CHECK(virtq_init(&s->q, size, ndesc, s->mem, event_idx) == 0);
}

static void sim_free(struct sim *s)
{
    free(s->mem);
}

/* The device takes the next published chain: its head, the bytes it may
 * write; -1 when there is none. Checks the chain's shape on the way. */
static int sim_take(struct sim *s, uint32_t *room, unsigned *nseg)
{
    const struct virtq *q = &s->q;
    uint16_t head, i;
    unsigned n = 0;
    int seen_write = 0;

    if (q->avail[1] == s->last_avail)
        return -1;
    head = q->avail[2 + (s->last_avail++ & (q->size - 1))];
    T_CHECK(head < q->size);
    *room = 0;
    for (i = head;; i = q->desc[i].next) {
        const struct virtq_desc *d = &q->desc[i];
        n++;
        T_CHECK(n <= VIRTQ_SEGS_MAX);
        if (d->flags & VIRTQ_DESC_F_WRITE) {
            *room += d->len;
            seen_write = 1;
        } else {
            T_CHECK(!seen_write); /* readable ones come first */
        }
        if (!(d->flags & VIRTQ_DESC_F_NEXT) || n > VIRTQ_SEGS_MAX)
            break;
        T_CHECK(d->next < q->size);
    }
    if (nseg)
        *nseg = n;
    return head;
}

/* The device returns (id) with (len) bytes written, as is: no checks, as a
 * hostile device would. Returns 1 when it would interrupt. */
static int sim_put(struct sim *s, uint32_t id, uint32_t len)
{
    struct virtq *q = &s->q;
    uint16_t old = s->signalled;
    q->used_ring[s->used_idx & (q->size - 1)].id = id;
    q->used_ring[s->used_idx & (q->size - 1)].len = len;
    s->used_idx++;
    q->used[1] = s->used_idx;
    s->signalled = s->used_idx;
    if (q->event_idx)
        return virtq_need_event(q->avail[2 + q->size], s->used_idx, old);
    return !(q->avail[0] & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

static void sim_set_avail_event(struct sim *s, uint16_t v)
{
    s->q.used[2 + 4u * s->q.size] = v;
}

static int add1(struct sim *s, uint32_t len, int writable)
{
    struct virtq_seg seg = {0x100000, len};
    return writable ? virtq_add(&s->q, &seg, 0, 1)
                    : virtq_add(&s->q, &seg, 1, 0);
}

static void test_layout(void)
{
    struct sim s;
    T_CHECK(virtq_bytes(0) == 0);
    T_CHECK(virtq_bytes(3) == 0);
    T_CHECK(virtq_bytes(65536) == 0);
    T_CHECK(virtq_bytes(32768) > 0);
    T_CHECK(virtq_bytes(256) % 4096 == 0);
    sim_new(&s, 256, 256, 0);
    /* Legacy devices find avail right after desc and used on the next
     * page: one page number describes the whole queue. */
    T_CHECK(virtq_desc_addr(&s.q) == (uint64_t)(uintptr_t)s.mem);
    T_CHECK(virtq_avail_addr(&s.q) - virtq_desc_addr(&s.q) == 16 * 256);
    T_CHECK(virtq_used_addr(&s.q) - virtq_desc_addr(&s.q) == 2 * 4096);
    T_CHECK(virtq_init(&s.q, 256, 257, s.mem, 0) == -1);
    T_CHECK(virtq_init(&s.q, 256, 0, s.mem, 0) == -1);
    T_CHECK(virtq_init(&s.q, 100, 10, s.mem, 0) == -1);
    sim_free(&s);
}

/* Fill every descriptor, fail the next add, free one, add exactly one. */
static void test_full(void)
{
    struct sim s;
    uint32_t room, len;
    int heads[8], h, i;
    sim_new(&s, 8, 8, 0);
    for (i = 0; i < 8; i++) {
        T_CHECK(virtq_next_head(&s.q) >= 0);
        h = virtq_next_head(&s.q);
        heads[i] = add1(&s, 100, 1);
        T_CHECK(heads[i] == h);
    }
    T_CHECK(virtq_next_head(&s.q) == VIRTQ_FULL);
    T_CHECK(add1(&s, 100, 1) == VIRTQ_FULL);
    T_CHECK(virtq_publish(&s.q) == 1);
    T_CHECK(virtq_publish(&s.q) == 0); /* nothing new */
    for (i = 0; i < 8; i++)
        T_CHECK(sim_take(&s, &room, NULL) == heads[i] && room == 100);
    T_CHECK(sim_take(&s, &room, NULL) == -1);
    T_CHECK(virtq_get(&s.q, &len) == VIRTQ_EMPTY);
    sim_put(&s, (uint32_t)heads[5], 60);
    T_CHECK(virtq_get(&s.q, &len) == heads[5] && len == 60);
    T_CHECK(virtq_get(&s.q, &len) == VIRTQ_EMPTY);
    T_CHECK(add1(&s, 100, 1) == heads[5]);
    T_CHECK(add1(&s, 100, 1) == VIRTQ_FULL);
    /* Three-descriptor chains do not fit in two free descriptors. */
    for (i = 0; i < 8; i++)
        if (i != 5)
            sim_put(&s, (uint32_t)heads[i], 0);
    T_CHECK(virtq_get(&s.q, &len) == heads[0]);
    T_CHECK(virtq_get(&s.q, &len) == heads[1]);
    {
        struct virtq_seg segs[3] = {{1, 16}, {2, 512}, {3, 1}};
        T_CHECK(virtq_add(&s.q, segs, 1, 2) == VIRTQ_FULL);
        T_CHECK(virtq_get(&s.q, &len) >= 0);
        T_CHECK(virtq_add(&s.q, segs, 1, 2) >= 0);
        T_CHECK(s.q.nfree == 0);
        T_CHECK(virtq_add(&s.q, segs, 0, 0) == VIRTQ_FULL);
    }
    T_CHECK(s.q.bad_id == 0 && s.q.bad_len == 0 && s.q.bad_idx == 0);
    sim_free(&s);
}

/* Chains: readable then writable, linked, room counted, freed whole. */
static void test_chains(void)
{
    struct sim s;
    struct virtq_seg segs[4] = {
        {0x1000, 16}, {0x2000, 4096}, {0x3000, 1}, {0x4000, 7}};
    uint32_t room, len;
    unsigned n;
    int h;
    sim_new(&s, 16, 16, 0);
    h = virtq_add(&s.q, segs, 2, 2);
    T_CHECK(h >= 0);
    T_CHECK(s.q.nfree == 12);
    virtq_publish(&s.q);
    T_CHECK(sim_take(&s, &room, &n) == h && room == 8 && n == 4);
    T_CHECK(s.q.desc[h].addr == 0x1000 && s.q.desc[h].len == 16);
    T_CHECK(s.q.desc[h].flags == VIRTQ_DESC_F_NEXT);
    sim_put(&s, (uint32_t)h, 8);
    T_CHECK(virtq_get(&s.q, &len) == h && len == 8);
    T_CHECK(s.q.nfree == 16);
    /* Chains of every length, added and freed in scrambled order, leave
     * the free list whole. */
    {
        int hs[16], nh = 0, i;
        unsigned k;
        for (k = 1; nh < 16; k = k % 4 + 1) {
            h = virtq_add(&s.q, segs, k > 1 ? 1 : 0, k > 1 ? k - 1 : 1);
            if (h < 0)
                break;
            hs[nh++] = h;
        }
        virtq_publish(&s.q);
        while (sim_take(&s, &room, NULL) >= 0)
            ;
        for (i = nh - 1; i >= 0; i -= 2)
            sim_put(&s, (uint32_t)hs[i], 0);
        for (i = nh - 2; i >= 0; i -= 2)
            sim_put(&s, (uint32_t)hs[i], 0);
        for (i = 0; i < nh; i++)
            T_CHECK(virtq_get(&s.q, &len) >= 0);
        T_CHECK(virtq_get(&s.q, &len) == VIRTQ_EMPTY);
        T_CHECK(s.q.nfree == 16 && s.q.inflight == 0);
    }
    sim_free(&s);
}

/* 16-bit indexes wrap many times over; completions out of order. */
static void test_wrap(void)
{
    struct sim s;
    uint32_t room, len;
    unsigned round, total = 0;
    sim_new(&s, 4, 4, 1);
    for (round = 0; round < 100000; round++) {
        int hs[4], n = 1 + round % 4, i;
        uint16_t before = s.q.avail_idx;
        for (i = 0; i < n; i++)
            T_CHECK((hs[i] = add1(&s, 64 + (uint32_t)i, 1)) >= 0);
        virtq_publish(&s.q);
        T_CHECK(s.q.avail[1] == (uint16_t)(before + n));
        for (i = 0; i < n; i++)
            T_CHECK(sim_take(&s, &room, NULL) == hs[i] && room == 64u + i);
        for (i = n - 1; i >= 0; i--)
            sim_put(&s, (uint32_t)hs[i], (uint32_t)i);
        for (i = n - 1; i >= 0; i--) {
            T_CHECK(virtq_get(&s.q, &len) == hs[i] && len == (uint32_t)i);
            total++;
        }
        T_CHECK(virtq_get(&s.q, &len) == VIRTQ_EMPTY);
        T_CHECK(s.q.nfree == 4);
    }
    T_CHECK(total > 3 * 65536); /* both indexes wrapped several times */
    T_CHECK(s.q.last_used == (uint16_t)total && s.used_idx == s.q.last_used);
    T_CHECK(s.q.bad_id == 0 && s.q.bad_len == 0 && s.q.bad_idx == 0);
    sim_free(&s);
}

/* Moves both indexes of (s) to (idx) by adding and returning chains. */
static void sim_advance_to(struct sim *s, uint16_t idx)
{
    uint32_t room, len;
    int h;
    while (s->q.avail_idx != idx) {
        h = add1(s, 1, 1);
        virtq_publish(&s->q);
        T_CHECK(sim_take(s, &room, NULL) == h);
        sim_put(s, (uint32_t)h, 0);
        T_CHECK(virtq_get(&s->q, &len) == h);
    }
}

/* Driver to device: notify only when the index passes avail_event. */
static void test_notify_event_idx(void)
{
    struct sim s;
    int i;
    sim_new(&s, 16, 16, 1);
    sim_set_avail_event(&s, 0);
    add1(&s, 1, 1); /* 0 -> 1 passes event 0 */
    T_CHECK(virtq_publish(&s.q) == 1);
    add1(&s, 1, 1); /* 1 -> 2 does not */
    T_CHECK(virtq_publish(&s.q) == 0);
    sim_set_avail_event(&s, 2);
    add1(&s, 1, 1); /* 2 -> 3 passes event 2 */
    T_CHECK(virtq_publish(&s.q) == 1);
    /* A batch: one decision for five chains that cross the event. */
    sim_set_avail_event(&s, 5);
    for (i = 0; i < 5; i++)
        add1(&s, 1, 1);
    T_CHECK(virtq_publish(&s.q) == 1); /* 3 -> 8 */
    for (i = 0; i < 2; i++)
        add1(&s, 1, 1);
    T_CHECK(virtq_publish(&s.q) == 0); /* 8 -> 10 with the event at 5 */
    sim_free(&s);

    /* Across the wrap: 65534 -> 1 passes an event at 65535 and at 0, not
     * one at 1 or at 65533. */
    {
        static const uint16_t ev[] = {65535, 0, 1, 65533};
        static const int want[] = {1, 1, 0, 0};
        unsigned k;
        for (k = 0; k < 4; k++) {
            sim_new(&s, 4, 4, 1);
            sim_advance_to(&s, 65534);
            sim_set_avail_event(&s, ev[k]);
            for (i = 0; i < 3; i++)
                add1(&s, 1, 1);
            T_CHECKF(virtq_publish(&s.q) == want[k], "event %u", ev[k]);
            T_CHECK(s.q.avail[1] == 1);
            sim_free(&s);
        }
    }
    T_CHECK(virtq_need_event(0, 1, 0) == 1);
    T_CHECK(virtq_need_event(0, 2, 1) == 0);
    T_CHECK(virtq_need_event(65535, 0, 65535) == 1);
    T_CHECK(virtq_need_event(7, 7, 7) == 0);
}

/* Without event indexes the device's NO_NOTIFY flag decides. */
static void test_notify_flags(void)
{
    struct sim s;
    sim_new(&s, 8, 8, 0);
    add1(&s, 1, 1);
    T_CHECK(virtq_publish(&s.q) == 1);
    s.q.used[0] = VIRTQ_USED_F_NO_NOTIFY;
    add1(&s, 1, 1);
    T_CHECK(virtq_publish(&s.q) == 0);
    s.q.used[0] = 0;
    add1(&s, 1, 1);
    T_CHECK(virtq_publish(&s.q) == 1);
    sim_free(&s);
}

/* Device to driver: armed, one interrupt; off, none, however long. */
static void test_irq_event_idx(void)
{
    struct sim s;
    uint32_t room, len;
    unsigned i, irqs = 0;
    int h;
    sim_new(&s, 8, 8, 1);
    for (i = 0; i < 3; i++)
        add1(&s, 1, 1);
    virtq_publish(&s.q);
    T_CHECK(virtq_irq_arm(&s.q) == 0);
    h = sim_take(&s, &room, NULL);
    T_CHECK(sim_put(&s, (uint32_t)h, 1) == 1); /* armed: interrupt */
    h = sim_take(&s, &room, NULL);
    T_CHECK(sim_put(&s, (uint32_t)h, 1) == 0); /* not re-armed: none */
    /* Arming while entries wait says so: the caller must not sleep. */
    T_CHECK(virtq_irq_arm(&s.q) == 1);
    T_CHECK(virtq_get(&s.q, &len) >= 0 && virtq_get(&s.q, &len) >= 0);
    T_CHECK(virtq_irq_arm(&s.q) == 0);
    h = sim_take(&s, &room, NULL);
    T_CHECK(sim_put(&s, (uint32_t)h, 1) == 1);
    T_CHECK(virtq_get(&s.q, &len) == h);

    /* Off: no interrupt over 70000 completions, through the wrap, as
     * long as the driver keeps taking what the device returns. */
    virtq_irq_off(&s.q);
    for (i = 0; i < 70000; i++) {
        unsigned k, n = 1 + i % 8;
        int hs[8];
        for (k = 0; k < n; k++)
            hs[k] = add1(&s, 1, 1);
        virtq_publish(&s.q);
        for (k = 0; k < n; k++) {
            T_CHECK(sim_take(&s, &room, NULL) == hs[k]);
            irqs += (unsigned)sim_put(&s, (uint32_t)hs[k], 1);
        }
        for (k = 0; k < n; k++)
            T_CHECK(virtq_get(&s.q, &len) == hs[k]);
    }
    T_CHECK(irqs == 0);
    T_CHECK(s.q.avail[0] == 0); /* the flag stays 0 with event indexes */
    sim_free(&s);
}

static void test_irq_flags(void)
{
    struct sim s;
    uint32_t room;
    int h;
    sim_new(&s, 8, 8, 0);
    add1(&s, 1, 1);
    add1(&s, 1, 1);
    virtq_publish(&s.q);
    virtq_irq_off(&s.q);
    T_CHECK(s.q.avail[0] == VIRTQ_AVAIL_F_NO_INTERRUPT);
    h = sim_take(&s, &room, NULL);
    T_CHECK(sim_put(&s, (uint32_t)h, 1) == 0);
    T_CHECK(virtq_irq_arm(&s.q) == 1);
    T_CHECK(s.q.avail[0] == 0);
    h = sim_take(&s, &room, NULL);
    T_CHECK(sim_put(&s, (uint32_t)h, 1) == 1);
    sim_free(&s);
}

/* Used entries that lie: ids out of range, not in flight, returned twice;
 * lengths beyond the buffer. Each is counted and dropped, the good ones
 * around them still arrive, and no descriptor is lost or freed twice. */
static void test_hostile_entries(void)
{
    struct sim s;
    uint32_t room, len;
    int a, b, c;
    sim_new(&s, 8, 4, 0); /* descriptors 4-7 are never handed out */
    a = add1(&s, 100, 1);
    b = add1(&s, 100, 1);
    c = add1(&s, 100, 1);
    virtq_publish(&s.q);
    while (sim_take(&s, &room, NULL) >= 0)
        ;
    T_CHECK(virtq_used_count(&s.q) == 0);
    sim_put(&s, 8, 10);          /* out of the table */
    sim_put(&s, 0xffffffffu, 0); /* far out */
    sim_put(&s, (uint32_t)a, 10);
    T_CHECK(virtq_used_count(&s.q) == 3); /* a bound: two will be skipped */
    T_CHECK(virtq_get(&s.q, &len) == a && len == 10);
    T_CHECK(virtq_used_count(&s.q) == 0);
    T_CHECK(s.q.bad_id == 2);
    sim_put(&s, (uint32_t)a, 10);  /* a again: no longer in flight */
    sim_put(&s, 6, 10);            /* in the table, never used */
    sim_put(&s, (uint32_t)b, 101); /* longer than its buffer */
    T_CHECK(virtq_get(&s.q, &len) == b && len == 0);
    T_CHECK(s.q.bad_id == 4 && s.q.bad_len == 1);
    T_CHECK(virtq_get(&s.q, &len) == VIRTQ_EMPTY);
    /* A readable-only chain has no room: any length is a lie. */
    {
        int d = add1(&s, 100, 0);
        virtq_publish(&s.q);
        sim_take(&s, &room, NULL);
        sim_put(&s, (uint32_t)d, 1);
        T_CHECK(virtq_get(&s.q, &len) == d && len == 0);
        T_CHECK(s.q.bad_len == 2);
    }
    T_CHECK(s.q.nfree == 3 && s.q.inflight == 1);
    sim_put(&s, (uint32_t)c, 100);
    T_CHECK(virtq_get(&s.q, &len) == c && len == 100);
    T_CHECK(s.q.nfree == 4 && s.q.inflight == 0 && !s.q.broken);
    sim_free(&s);
}

/* A used index claiming more entries than the ring holds: the queue is
 * dead, and nothing behind that index is read. */
static void test_hostile_index(void)
{
    struct sim s;
    uint32_t room, len;
    int a, b;
    sim_new(&s, 8, 8, 1);
    a = add1(&s, 100, 1);
    b = add1(&s, 100, 1);
    virtq_publish(&s.q);
    while (sim_take(&s, &room, NULL) >= 0)
        ;
    sim_put(&s, (uint32_t)a, 1);
    T_CHECK(virtq_get(&s.q, &len) == a);
    s.q.used[1] = (uint16_t)(s.q.last_used + 1000);
    T_CHECK(virtq_used_count(&s.q) == 0); /* no count beyond the ring */
    T_CHECK(virtq_get(&s.q, &len) == VIRTQ_EMPTY);
    T_CHECK(s.q.broken && s.q.bad_idx == 1);
    T_CHECK(!virtq_pending(&s.q));
    T_CHECK(virtq_irq_arm(&s.q) == 0);
    s.q.used[1] = (uint16_t)(s.q.last_used + 1); /* too late to repent */
    T_CHECK(virtq_get(&s.q, &len) == VIRTQ_EMPTY);
    (void)b;
    /* An index going backwards is as large a jump forwards. */
    sim_free(&s);
    sim_new(&s, 8, 8, 0);
    a = add1(&s, 100, 1);
    virtq_publish(&s.q);
    s.q.used[1] = 0xffff;
    T_CHECK(virtq_get(&s.q, &len) == VIRTQ_EMPTY && s.q.broken);
    sim_free(&s);
}

int main(void)
{
    T_RUN(test_layout);
    T_RUN(test_full);
    T_RUN(test_chains);
    T_RUN(test_wrap);
    T_RUN(test_notify_event_idx);
    T_RUN(test_notify_flags);
    T_RUN(test_irq_event_idx);
    T_RUN(test_irq_flags);
    T_RUN(test_hostile_entries);
    T_RUN(test_hostile_index);
    return t_done();
}
