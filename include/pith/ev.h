/*
 * The event core: the one loop of an image. It waits in plat_yield() until
 * the next timer deadline or device input, then runs, to completion and in
 * this order: the watchers of devices with input, the timers that are due,
 * and the deferred work queued meanwhile. Single-threaded; callbacks never
 * run inside other callbacks.
 *
 * Every object here is owned by the caller and linked into the loop
 * intrusively: the core never allocates, and has no limit on the number of
 * timers (a pairing heap: arm O(1), cancel and expiry O(log n) amortised).
 * An object MUST stay valid, at the same address, while it is armed,
 * queued or watching.
 */
#ifndef PITH_EV_H
#define PITH_EV_H

#include <stdint.h>
#include <pith/plat.h>

struct ev_timer;
typedef void (*ev_timer_fn)(struct ev_timer *t, void *arg);

struct ev_timer {
    uint64_t deadline; /* monotonic ns; meaningful while armed */
    ev_timer_fn fn;
    void *arg;
    /* Private to the core. (seq) orders equal deadlines by arming; (armed)
     * is 0, or nonzero while the timer is in the heap or due this turn. */
    struct ev_timer *child, *next, *prev;
    uint64_t seq;
    int armed;
};

/* Prepares (t) to call (fn)(t, arg); it is not armed. */
void ev_timer_init(struct ev_timer *t, ev_timer_fn fn, void *arg);

/*
 * Arms (t) to fire once at the monotonic time (deadline) (ns). Arming an
 * armed timer moves it. A timer fires once the clock has reached its
 * deadline, at the next pass over due timers but never in the pass that
 * armed it: a deadline in the past fires in the next turn when armed by a
 * timer or deferred callback, so a timer may re-arm itself with any
 * deadline. It is disarmed before its callback runs. Timers with equal
 * deadlines fire in the order they were armed.
 */
void ev_timer_arm(struct ev_timer *t, uint64_t deadline);

/* Disarms (t) if armed; harmless otherwise. (t) may be freed afterwards. */
void ev_timer_cancel(struct ev_timer *t);

static inline int ev_timer_armed(const struct ev_timer *t)
{
    return t->armed != 0;
}

struct ev_defer;
typedef void (*ev_defer_fn)(struct ev_defer *d, void *arg);

struct ev_defer {
    ev_defer_fn fn;
    void *arg;
    struct ev_defer *next; /* private */
    int queued;            /* private */
};

void ev_defer_init(struct ev_defer *d, ev_defer_fn fn, void *arg);

/*
 * Queues (d) to run once, after the current callback and before the loop
 * waits again. Queuing a queued item does nothing; (d) is unqueued before
 * its callback runs, so it may queue itself again. Items queued by
 * deferred work run in the same turn, in FIFO order, up to EV_DEFER_EXTRA
 * of them per turn beyond those queued when the drain began; the rest run
 * in the next turn, after the loop has polled for input (so work that
 * keeps re-queuing itself cannot starve devices and timers).
 */
void ev_defer(struct ev_defer *d);
#define EV_DEFER_EXTRA 256

/* Removes (d) from the queue if queued; O(queue length). */
void ev_defer_cancel(struct ev_defer *d);

typedef void (*ev_watch_fn)(plat_handle_t h, void *arg);

/*
 * Calls (fn)(h, arg) in every turn in which plat_yield() reports input on
 * network device (h); (fn) should read until PITH_EAGAIN. One watcher per
 * handle; (fn) NULL removes it. Returns PITH_EINVAL for a bad handle.
 */
int ev_watch(plat_handle_t h, ev_watch_fn fn, void *arg);

/*
 * Runs the loop until ev_stop() is called, then returns the status given
 * to it. With nothing armed, queued or watched, returns 0 at once, and
 * likewise as soon as a turn leaves nothing armed, queued or watched. MUST
 * NOT be called from a callback (the image aborts).
 */
int ev_run(void);

/*
 * Makes ev_run() return (status) once the current turn is done (the last
 * call of the turn gives the status). Called outside ev_run(), it makes the
 * next ev_run() return after its first turn.
 */
void ev_stop(int status);

/*
 * The monotonic time (ns) read when the current turn woke from
 * plat_yield(): cheap, and the same for every callback of one turn (due
 * timers are those whose deadline is at most this). Outside ev_run(),
 * reads the clock.
 */
uint64_t ev_now(void);

/* Counters, for the curious and for tests. */
struct ev_stats {
    uint64_t turns;  /* times the loop went round */
    uint64_t yields; /* calls to plat_yield(); a turn skips it when
                        no device is watched and work is already due */
    uint64_t timers_fired;
    uint64_t deferred_run;
    uint64_t timers_armed; /* armed right now */
};

void ev_stats(struct ev_stats *st);

#endif
