/*
 * The event core (include/pith/ev.h).
 *
 * Timers sit in a pairing heap ordered by (deadline, seq), seq being a
 * counter stamped at arming, so equal deadlines keep arming order. Each
 * node points at its leftmost child (child), its right sibling (next) and
 * its left sibling or, for a leftmost child, its parent (prev). Merging
 * two heaps ("meet") is O(1); removing the root merges its children in two
 * passes, done iteratively because a heap built only by arming is a root
 * with every other timer as its child.
 *
 * A turn first moves every due timer from the heap to a list (the "due"
 * list, in firing order) and then fires the list. Timers armed while it
 * fires therefore go to the heap and wait for the next turn, whatever
 * their deadline, and cancelling or re-arming a due timer takes it off the
 * list before it fires.
 */
#include <stddef.h>
#include <stdint.h>
#include <pith/err.h>
#include <pith/plat.h>
#include <pith/ev.h>

/*
 * The longest single wait. Nothing but input and timers can make work, so
 * this only bounds what a target's plat_yield() is asked to convert; it
 * costs one empty turn per period when the loop only watches devices.
 */
#define EV_WAIT_MAX_NS (10ull * 1000000000ull)

/* ev_timer.armed */
#define T_OFF  0 /* not armed */
#define T_HEAP 1 /* in the heap */
#define T_DUE  2 /* on this turn's due list */

static struct ev_timer *heap; /* the root: earliest (deadline, seq) */
static struct ev_timer *due;  /* head of the due list (next/prev links) */
static uint64_t next_seq;

static struct ev_defer *dq_head, *dq_tail;
static size_t dq_len;

static struct {
    ev_watch_fn fn;
    void *arg;
} watchers[PLAT_HANDLE_MAX];
static plat_handle_set_t watched;

static uint64_t now; /* the current turn's time, while running */
static int running, stopping, stop_status;
static struct ev_stats stats;

static void ev_die(const char *msg, size_t len)
{
    plat_console_write(msg, len);
    plat_abort();
}
#define EV_DIE(msg)                                                            \
    ev_die("pith ev: " msg "\n", sizeof("pith ev: " msg "\n") - 1)

/* ---- Timers: the pairing heap ---------------------------------------- */

static int before(const struct ev_timer *a, const struct ev_timer *b)
{
    return a->deadline < b->deadline ||
           (a->deadline == b->deadline && a->seq < b->seq);
}

/* Merges the heaps rooted at (a) and (b); their next/prev are ignored. */
static struct ev_timer *meet(struct ev_timer *a, struct ev_timer *b)
{
    struct ev_timer *x;

    if (before(b, a)) {
        x = a;
        a = b;
        b = x;
    }
    b->prev = a;
    b->next = a->child;
    if (a->child)
        a->child->prev = b;
    a->child = b;
    a->next = NULL;
    a->prev = NULL;
    return a;
}

/*
 * Merges the sibling list starting at (first) into one heap: pairs left to
 * right, then folds the pairs right to left. NULL for an empty list.
 */
static struct ev_timer *merge_pairs(struct ev_timer *first)
{
    struct ev_timer *pairs = NULL, *a, *b, *r;

    while ((a = first) != NULL) {
        b = a->next;
        if (b) {
            first = b->next;
            a = meet(a, b);
        } else {
            first = NULL;
        }
        a->next = pairs; /* the pairs in reverse order */
        pairs = a;
    }
    if (!pairs)
        return NULL;
    r = pairs;
    pairs = r->next;
    while (pairs) {
        a = pairs;
        pairs = a->next;
        r = meet(r, a);
    }
    r->next = NULL;
    r->prev = NULL;
    return r;
}

static void heap_remove(struct ev_timer *t)
{
    struct ev_timer *sub;

    if (t == heap) {
        heap = merge_pairs(t->child);
    } else {
        if (t->prev->child == t)
            t->prev->child = t->next;
        else
            t->prev->next = t->next;
        if (t->next)
            t->next->prev = t->prev;
        sub = merge_pairs(t->child);
        if (sub)
            heap = meet(heap, sub);
    }
    t->child = NULL;
    t->next = NULL;
    t->prev = NULL;
}

static void due_remove(struct ev_timer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        due = t->next;
    if (t->next)
        t->next->prev = t->prev;
    t->next = NULL;
    t->prev = NULL;
}

void ev_timer_init(struct ev_timer *t, ev_timer_fn fn, void *arg)
{
    t->deadline = 0;
    t->fn = fn;
    t->arg = arg;
    t->child = NULL;
    t->next = NULL;
    t->prev = NULL;
    t->seq = 0;
    t->armed = T_OFF;
}

void ev_timer_cancel(struct ev_timer *t)
{
    if (t->armed == T_HEAP)
        heap_remove(t);
    else if (t->armed == T_DUE)
        due_remove(t);
    else
        return;
    t->armed = T_OFF;
    stats.timers_armed--;
}

void ev_timer_arm(struct ev_timer *t, uint64_t deadline)
{
    ev_timer_cancel(t);
    t->deadline = deadline;
    t->seq = next_seq++;
    t->armed = T_HEAP;
    heap = heap ? meet(heap, t) : t;
    stats.timers_armed++;
}

/* Moves every timer due at (now) to the due list, then fires the list. */
static void run_timers(void)
{
    struct ev_timer *t, *tail = NULL;

    while (heap && heap->deadline <= now) {
        t = heap;
        heap = merge_pairs(t->child);
        t->child = NULL;
        t->next = NULL;
        t->prev = tail;
        t->armed = T_DUE;
        if (tail)
            tail->next = t;
        else
            due = t;
        tail = t;
    }
    while ((t = due) != NULL) {
        due_remove(t);
        t->armed = T_OFF;
        stats.timers_armed--;
        stats.timers_fired++;
        t->fn(t, t->arg);
    }
}

/* ---- Deferred work ---------------------------------------------------- */

void ev_defer_init(struct ev_defer *d, ev_defer_fn fn, void *arg)
{
    d->fn = fn;
    d->arg = arg;
    d->next = NULL;
    d->queued = 0;
}

void ev_defer(struct ev_defer *d)
{
    if (d->queued)
        return;
    d->queued = 1;
    d->next = NULL;
    if (dq_tail)
        dq_tail->next = d;
    else
        dq_head = d;
    dq_tail = d;
    dq_len++;
}

void ev_defer_cancel(struct ev_defer *d)
{
    struct ev_defer **pp, *prev = NULL;

    if (!d->queued)
        return;
    for (pp = &dq_head; *pp != d; pp = &(*pp)->next)
        prev = *pp;
    *pp = d->next;
    if (dq_tail == d)
        dq_tail = prev;
    d->next = NULL;
    d->queued = 0;
    dq_len--;
}

/*
 * Runs what was queued when the drain began, and at most EV_DEFER_EXTRA
 * items queued since; whatever is left waits for the next turn.
 */
static void run_deferred(void)
{
    size_t budget = dq_len + EV_DEFER_EXTRA, n;
    struct ev_defer *d;

    for (n = 0; n < budget && (d = dq_head) != NULL; n++) {
        dq_head = d->next;
        if (!dq_head)
            dq_tail = NULL;
        d->next = NULL;
        d->queued = 0;
        dq_len--;
        stats.deferred_run++;
        d->fn(d, d->arg);
    }
}

/* ---- Devices ---------------------------------------------------------- */

int ev_watch(plat_handle_t h, ev_watch_fn fn, void *arg)
{
    if (h >= PLAT_HANDLE_MAX)
        return PITH_EINVAL;
    watchers[h].fn = fn;
    watchers[h].arg = fn ? arg : NULL;
    if (fn)
        watched |= 1ull << h;
    else
        watched &= ~(1ull << h);
    return PITH_OK;
}

/* Calls the watcher of each handle in (ready), as it is at call time. */
static void run_watchers(plat_handle_set_t ready)
{
    plat_handle_t h;

    ready &= watched;
    while (ready) {
        h = (plat_handle_t)__builtin_ctzll(ready);
        ready &= ready - 1;
        if (watchers[h].fn)
            watchers[h].fn(h, watchers[h].arg);
    }
}

/* ---- The loop --------------------------------------------------------- */

int ev_run(void)
{
    plat_handle_set_t ready;
    uint64_t deadline;
    int status = 0;

    if (running)
        EV_DIE("ev_run() called from a callback");
    running = 1;
    now = plat_clock_monotonic();
    for (;;) {
        if (!heap && !dq_head && !watched)
            break;
        /* Deferred work polls; otherwise wait for the earliest timer, but
         * never longer than EV_WAIT_MAX_NS. */
        deadline = now > UINT64_MAX - EV_WAIT_MAX_NS ? UINT64_MAX
                                                     : now + EV_WAIT_MAX_NS;
        if (dq_head)
            deadline = 0;
        else if (heap && heap->deadline < deadline)
            deadline = heap->deadline;
        /* With no device watched, a poll could find nothing to do. */
        ready = 0;
        if (watched || deadline > now) {
            plat_yield(deadline, &ready);
            stats.yields++;
        }
        now = plat_clock_monotonic();
        stats.turns++;

        run_watchers(ready);
        run_timers();
        run_deferred();
        if (stopping) {
            status = stop_status;
            break;
        }
    }
    running = 0;
    stopping = 0;
    return status;
}

void ev_stop(int status)
{
    stopping = 1;
    stop_status = status;
}

uint64_t ev_now(void)
{
    return running ? now : plat_clock_monotonic();
}

void ev_stats(struct ev_stats *st)
{
    *st = stats;
}
