/*
 * Unit tests for the event core, on a fake platform of the test's own: a
 * clock that moves only when plat_yield() sleeps (to the deadline, or to
 * the time scripted input arrives) or when a callback says it worked, and
 * input scripted as "at time T, handle H becomes readable". Readiness is
 * level-triggered, as with ppoll: a handle stays ready until its watcher
 * reads it (fake_read()), and while one is ready plat_yield() returns at
 * once, 1 ns later. A loop that reads the clock more than RUNAWAY_MAX
 * times in one test is stopped with status RUNAWAY.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pith/ev.h>
#include "unit.h"

#define MS 1000000ull
#define S  1000000000ull

/* ---- The fake platform ------------------------------------------------ */

struct arrival {
    uint64_t at;
    plat_handle_t h;
};

static uint64_t fake_clock = 1 * S;
static uint64_t fake_yields, fake_last_deadline;
static struct arrival script[64];
static unsigned nscript, script_next;
static plat_handle_set_t pending;

/* Runaway guard: a loop that would never end stops with this status. */
#define RUNAWAY     (-99)
#define RUNAWAY_MAX 10000000ull
static uint64_t runaway_reads;

uint64_t plat_clock_monotonic(void)
{
    if (++runaway_reads > RUNAWAY_MAX)
        ev_stop(RUNAWAY);
    return fake_clock;
}

static void deliver(void)
{
    while (script_next < nscript && script[script_next].at <= fake_clock)
        pending |= 1ull << script[script_next++].h;
}

void plat_yield(uint64_t deadline, plat_handle_set_t *ready)
{
    fake_yields++;
    fake_last_deadline = deadline;
    deliver();
    if (pending) {
        fake_clock++; /* returns at once; time still passes */
        deliver();
    } else {
        if (script_next < nscript && script[script_next].at <= deadline) {
            if (script[script_next].at > fake_clock)
                fake_clock = script[script_next].at;
            deliver();
        } else if (deadline > fake_clock) {
            fake_clock = deadline;
        }
    }
    *ready = pending;
}

void plat_console_write(const char *buf, size_t len)
{
    ssize_t n = write(2, buf, len);
    (void)n;
}

void plat_abort(void)
{
    abort();
}

/* Input on (h) at fake time (at); calls must come in time order. */
static void fake_input(uint64_t at, plat_handle_t h)
{
    script[nscript].at = at;
    script[nscript].h = h;
    nscript++;
}

/* What a watcher does when it reads (h) until PITH_EAGAIN. */
static void fake_read(plat_handle_t h)
{
    pending &= ~(1ull << h);
}

static void fake_reset(void)
{
    nscript = 0;
    script_next = 0;
    pending = 0;
    runaway_reads = 0;
}

/* ---- Helpers ---------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static int loop_is_idle(void)
{
    struct ev_stats st;
    ev_stats(&st);
    return st.timers_armed == 0;
}

/* A log of which timer (by index in arg) fired when. */
#define LOG_MAX 200000
static unsigned log_idx[LOG_MAX];
static uint64_t log_now[LOG_MAX];
static unsigned nlog;

static void log_fn(struct ev_timer *t, void *arg)
{
    (void)t;
    if (nlog < LOG_MAX) {
        log_idx[nlog] = (unsigned)(uintptr_t)arg;
        log_now[nlog] = ev_now();
    }
    nlog++;
}

/* ---- Tests ------------------------------------------------------------ */

static void test_idle_returns_at_once(void)
{
    struct ev_stats a, b;
    uint64_t y = fake_yields;

    fake_reset();
    ev_stats(&a);
    T_CHECK(ev_run() == 0);
    ev_stats(&b);
    T_CHECK(b.turns == a.turns && b.yields == a.yields);
    T_CHECK(fake_yields == y);
}

/*
 * 100,000 timers at random deadlines with many ties, a fifth of them
 * re-armed: they fire in (deadline, last arming) order, each once, never
 * before its deadline.
 */
#define NORDER 100000
static struct ev_timer order_t[NORDER];
static uint64_t order_arm[NORDER];
static unsigned order_count[NORDER];

static void test_timer_order(void)
{
    uint64_t base = ev_now(), arm_seq = 0;
    struct ev_stats a, b;
    unsigned i, k;

    fake_reset();
    ev_stats(&a);
    nlog = 0;
    for (i = 0; i < NORDER; i++) {
        ev_timer_init(&order_t[i], log_fn, (void *)(uintptr_t)i);
        ev_timer_arm(&order_t[i], base + 1 + rng() % 50000);
        order_arm[i] = arm_seq++;
        order_count[i] = 0;
    }
    for (k = 0; k < NORDER / 5; k++) {
        i = (unsigned)(rng() % NORDER);
        ev_timer_arm(&order_t[i], base + 1 + rng() % 50000);
        order_arm[i] = arm_seq++;
    }
    ev_stats(&b);
    T_CHECK(b.timers_armed == NORDER);
    T_CHECK(ev_run() == 0);
    T_CHECKF(nlog == NORDER, "%u fired", nlog);
    for (k = 0; k < nlog && k < NORDER; k++) {
        unsigned x = log_idx[k];
        order_count[x]++;
        T_CHECK(log_now[k] >= order_t[x].deadline);
        if (k > 0) {
            unsigned p = log_idx[k - 1];
            T_CHECKF(order_t[p].deadline < order_t[x].deadline ||
                         (order_t[p].deadline == order_t[x].deadline &&
                          order_arm[p] < order_arm[x]),
                     "timer %u fired after %u", x, p);
        }
    }
    for (i = 0; i < NORDER; i++)
        T_CHECK(order_count[i] == 1 && !ev_timer_armed(&order_t[i]));
    ev_stats(&b);
    T_CHECK(b.timers_fired - a.timers_fired == NORDER);
    T_CHECK(b.timers_armed == 0);
}

static void test_rearm_moves(void)
{
    struct ev_timer t[5];
    uint64_t base = ev_now();
    unsigned i;

    fake_reset();
    nlog = 0;
    for (i = 0; i < 5; i++)
        ev_timer_init(&t[i], log_fn, (void *)(uintptr_t)i);
    ev_timer_arm(&t[0], base + 10);
    ev_timer_arm(&t[1], base + 20);
    ev_timer_arm(&t[2], base + 50);
    ev_timer_arm(&t[3], base + 40);
    ev_timer_arm(&t[4], base + 40);
    ev_timer_arm(&t[0], base + 30); /* later */
    ev_timer_arm(&t[2], base + 5);  /* earlier */
    ev_timer_arm(&t[3], base + 40); /* same deadline: behind t[4] now */
    T_CHECK(ev_run() == 0);
    T_CHECK(nlog == 5);
    T_CHECK(log_idx[0] == 2 && log_now[0] == base + 5);
    T_CHECK(log_idx[1] == 1 && log_now[1] == base + 20);
    T_CHECK(log_idx[2] == 0 && log_now[2] == base + 30);
    T_CHECK(log_idx[3] == 4 && log_idx[4] == 3 && log_now[4] == base + 40);
}

/* Cancelling unarmed, armed, root and mid-heap timers. */
#define NCANCEL 2000
static struct ev_timer cancel_t[NCANCEL];
static int cancelled[NCANCEL];

static void cancel_half(struct ev_timer *t, void *arg)
{
    unsigned i;
    (void)t;
    (void)arg;
    /* By now the first pop has given the heap its shape: cancel from the
     * middle of it, including timers due in this very turn. */
    for (i = 0; i < NCANCEL; i++) {
        if (ev_timer_armed(&cancel_t[i]) && rng() % 2) {
            ev_timer_cancel(&cancel_t[i]);
            T_CHECK(!ev_timer_armed(&cancel_t[i]));
            cancelled[i] = 1;
        }
    }
}

static void test_cancel(void)
{
    struct ev_timer u, trigger;
    struct ev_stats st;
    uint64_t base = ev_now();
    unsigned i, k, root = 0;

    fake_reset();
    nlog = 0;
    ev_timer_init(&u, log_fn, NULL);
    ev_timer_cancel(&u); /* never armed */
    T_CHECK(!ev_timer_armed(&u));
    ev_timer_arm(&u, base + 1);
    T_CHECK(ev_timer_armed(&u));
    ev_timer_cancel(&u);
    ev_timer_cancel(&u); /* twice */
    T_CHECK(!ev_timer_armed(&u));
    ev_stats(&st);
    T_CHECK(st.timers_armed == 0);

    for (i = 0; i < NCANCEL; i++) {
        ev_timer_init(&cancel_t[i], log_fn, (void *)(uintptr_t)i);
        /* some due with the trigger, the rest later */
        ev_timer_arm(&cancel_t[i], base + 100 + rng() % 1000);
        cancelled[i] = 0;
        if (cancel_t[i].deadline < cancel_t[root].deadline)
            root = i;
    }
    /* The root, from outside the loop. */
    ev_timer_cancel(&cancel_t[root]);
    cancelled[root] = 1;
    ev_timer_init(&trigger, cancel_half, NULL);
    ev_timer_arm(&trigger, base + 300);
    T_CHECK(ev_run() == 0);
    for (k = 0; k < nlog && k < LOG_MAX; k++) {
        T_CHECKF(!cancelled[log_idx[k]], "cancelled timer %u fired",
                 log_idx[k]);
        if (k > 0)
            T_CHECK(cancel_t[log_idx[k - 1]].deadline <=
                    cancel_t[log_idx[k]].deadline);
    }
    /* Every timer not cancelled fired. */
    for (i = 0, k = 0; i < NCANCEL; i++)
        k += !cancelled[i];
    T_CHECKF(nlog == k, "%u fired, wanted %u", nlog, k);
    T_CHECK(k > NCANCEL / 8 && k < NCANCEL - NCANCEL / 8);
    ev_stats(&st);
    T_CHECK(st.timers_armed == 0);
}

/*
 * Against a model: rounds of random arms, moves and cancels on a heap that
 * keeps its shape from round to round, each round ended by a stop timer;
 * what fires is exactly what the model says is due, in its order.
 */
#define NMODEL 3000
static struct ev_timer model_t[NMODEL];
static uint64_t model_seq[NMODEL];
static int model_armed[NMODEL];
static unsigned model_exp[NMODEL];

static int model_cmp(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    if (model_t[x].deadline != model_t[y].deadline)
        return model_t[x].deadline < model_t[y].deadline ? -1 : 1;
    return model_seq[x] < model_seq[y] ? -1 : model_seq[x] > model_seq[y];
}

static void model_stop(struct ev_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    ev_stop(1);
}

static void test_against_model(void)
{
    struct ev_timer stop;
    struct ev_stats st;
    uint64_t seq = 0, end;
    unsigned i, k, r, n, armed = 0;

    fake_reset();
    ev_timer_init(&stop, model_stop, NULL);
    for (i = 0; i < NMODEL; i++) {
        ev_timer_init(&model_t[i], log_fn, (void *)(uintptr_t)i);
        model_armed[i] = 0;
    }
    for (r = 0; r < 300; r++) {
        for (k = 0; k < 200; k++) {
            i = (unsigned)(rng() % NMODEL);
            if (rng() % 3 == 0) {
                ev_timer_cancel(&model_t[i]);
                armed -= (unsigned)model_armed[i];
                model_armed[i] = 0;
            } else {
                ev_timer_arm(&model_t[i], ev_now() + rng() % 1000);
                model_seq[i] = seq++;
                armed += (unsigned)!model_armed[i];
                model_armed[i] = 1;
            }
        }
        end = ev_now() + rng() % 1000;
        ev_timer_arm(&stop, end);
        for (i = 0, n = 0; i < NMODEL; i++)
            if (model_armed[i] && model_t[i].deadline <= end)
                model_exp[n++] = i;
        qsort(model_exp, n, sizeof model_exp[0], model_cmp);
        nlog = 0;
        T_CHECK(ev_run() == 1);
        T_CHECKF(nlog == n, "round %u: %u fired, wanted %u", r, nlog, n);
        for (k = 0; k < n && k < nlog; k++)
            T_CHECKF(log_idx[k] == model_exp[k], "round %u: %u fired, not %u",
                     r, log_idx[k], model_exp[k]);
        for (k = 0; k < n; k++)
            model_armed[model_exp[k]] = 0;
        armed -= n;
        ev_stats(&st);
        T_CHECK(st.timers_armed == armed);
    }
    for (i = 0; i < NMODEL; i++)
        ev_timer_cancel(&model_t[i]);
    T_CHECK(loop_is_idle());
}

/* A due timer cancels or moves another due timer, and itself. */
static struct ev_timer due_a, due_b, due_c;

static void due_a_fn(struct ev_timer *t, void *arg)
{
    log_fn(t, arg);
    ev_timer_cancel(&due_b);
    ev_timer_arm(&due_c, ev_now() + 20);
    ev_timer_cancel(t); /* already disarmed: harmless */
}

static void test_callback_cancels_due(void)
{
    uint64_t base = ev_now();

    fake_reset();
    nlog = 0;
    ev_timer_init(&due_a, due_a_fn, (void *)(uintptr_t)1);
    ev_timer_init(&due_b, log_fn, (void *)(uintptr_t)2);
    ev_timer_init(&due_c, log_fn, (void *)(uintptr_t)3);
    ev_timer_arm(&due_a, base + 10);
    ev_timer_arm(&due_b, base + 10);
    ev_timer_arm(&due_c, base + 10);
    T_CHECK(ev_run() == 0);
    T_CHECK(nlog == 2);
    T_CHECK(log_idx[0] == 1 && log_now[0] == base + 10);
    T_CHECK(log_idx[1] == 3 && log_now[1] == base + 30);
}

/* A periodic timer, and one re-armed in the past. */
static unsigned periodic_n;
static uint64_t periodic_at[100];

static void periodic_fn(struct ev_timer *t, void *arg)
{
    (void)arg;
    T_CHECK(!ev_timer_armed(t));
    periodic_at[periodic_n++] = ev_now();
    if (periodic_n < 100)
        ev_timer_arm(t, t->deadline + 10 * MS);
}

static uint64_t past_turn[3];
static unsigned past_n;

static void past_fn(struct ev_timer *t, void *arg)
{
    struct ev_stats st;
    (void)arg;
    ev_stats(&st);
    past_turn[past_n++] = st.turns;
    if (past_n < 3)
        ev_timer_arm(t, ev_now() - 5); /* in the past: next turn */
}

static void test_periodic(void)
{
    struct ev_timer t;
    uint64_t base = ev_now();
    unsigned i;

    fake_reset();
    ev_timer_init(&t, periodic_fn, NULL);
    ev_timer_arm(&t, base + 10 * MS);
    T_CHECK(ev_run() == 0);
    T_CHECK(periodic_n == 100);
    for (i = 0; i < periodic_n; i++)
        T_CHECK(periodic_at[i] == base + (i + 1) * 10 * MS);

    ev_timer_init(&t, past_fn, NULL);
    ev_timer_arm(&t, ev_now());
    T_CHECK(ev_run() == 0);
    T_CHECK(past_n == 3);
    T_CHECK(past_turn[1] == past_turn[0] + 1);
    T_CHECK(past_turn[2] == past_turn[1] + 1);
}

/*
 * Deferred work: FIFO, no duplicates, cancel (head, middle, tail, and
 * during the drain), items queued during the drain run in the same turn.
 */
static char defer_log[32];
static unsigned ndefer_log;
static struct ev_defer da, db, dc, dd, de;
static int da_again;

static void defer_fn(struct ev_defer *d, void *arg)
{
    T_CHECK(!d->queued);
    if (ndefer_log < sizeof defer_log - 1)
        defer_log[ndefer_log++] = (char)(uintptr_t)arg;
    if (d == &da && !da_again++) {
        ev_defer(&dd);        /* queued meanwhile: runs this turn */
        ev_defer_cancel(&de); /* queued behind a: never runs */
        ev_defer(&da);        /* itself, once: after d */
    }
}

static void test_defer(void)
{
    struct ev_stats a, b;

    fake_reset();
    ev_defer_init(&da, defer_fn, (void *)(uintptr_t)'a');
    ev_defer_init(&db, defer_fn, (void *)(uintptr_t)'b');
    ev_defer_init(&dc, defer_fn, (void *)(uintptr_t)'c');
    ev_defer_init(&dd, defer_fn, (void *)(uintptr_t)'d');
    ev_defer_init(&de, defer_fn, (void *)(uintptr_t)'e');
    ev_defer_cancel(&da); /* not queued: harmless */

    /* Cancel head, middle and tail; queue twice. */
    ev_defer(&da);
    ev_defer(&db);
    ev_defer(&dc);
    ev_defer(&db);
    ev_defer_cancel(&da);
    ev_defer_cancel(&dc);
    ev_defer_cancel(&db);
    ev_stats(&a);
    T_CHECK(ev_run() == 0);
    ev_stats(&b);
    T_CHECK(b.deferred_run == a.deferred_run && ndefer_log == 0);
    T_CHECK(b.turns == a.turns);

    ev_defer(&da);
    ev_defer(&db);
    ev_defer(&db);
    ev_defer(&dc);
    ev_defer_cancel(&db);
    ev_defer(&db); /* back at the tail */
    ev_defer(&de);
    ev_stats(&a);
    T_CHECK(ev_run() == 0);
    ev_stats(&b);
    defer_log[ndefer_log] = 0;
    T_CHECKF(strcmp(defer_log, "acbda") == 0, "ran %s", defer_log);
    T_CHECK(b.deferred_run - a.deferred_run == 5);
    T_CHECK(b.turns - a.turns == 1);
    /* No device watched and work due: the turn did not yield. */
    T_CHECK(b.yields == a.yields);
    T_CHECK(!da.queued && !dd.queued && !de.queued);
}

/*
 * Starvation: an item that re-queues itself forever (and costs 1 us a run)
 * still lets a watcher and a timer run; the timer stops the loop.
 */
static struct ev_defer hog;
static uint64_t hog_runs, hog_max_per_turn, hog_this_turn, hog_turn;
static unsigned starve_watch_calls;

static void hog_fn(struct ev_defer *d, void *arg)
{
    struct ev_stats st;
    (void)arg;
    ev_stats(&st);
    if (st.turns != hog_turn) {
        hog_turn = st.turns;
        hog_this_turn = 0;
    }
    hog_runs++;
    if (++hog_this_turn > hog_max_per_turn)
        hog_max_per_turn = hog_this_turn;
    fake_clock += 1000;
    if (hog_this_turn < 1000000) /* an unbounded drain would never end */
        ev_defer(d);
}

static void starve_watch(plat_handle_t h, void *arg)
{
    T_CHECK(h == 3 && arg == &hog);
    fake_read(h);
    starve_watch_calls++;
}

static void starve_stop(struct ev_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    ev_defer_cancel(&hog);
    ev_watch(3, NULL, NULL);
    ev_stop(7);
}

static void test_starvation(void)
{
    struct ev_timer t;
    uint64_t base = ev_now();

    fake_reset();
    fake_input(base + 2 * MS, 3);
    ev_defer_init(&hog, hog_fn, NULL);
    ev_defer(&hog);
    T_CHECK(ev_watch(3, starve_watch, &hog) == PITH_OK);
    ev_timer_init(&t, starve_stop, NULL);
    ev_timer_arm(&t, base + 5 * MS);
    T_CHECK(ev_run() == 7);
    T_CHECK(starve_watch_calls == 1);
    T_CHECK(hog_runs >= 5000 / 2);
    T_CHECKF(hog_max_per_turn <= 1 + EV_DEFER_EXTRA, "%llu runs in a turn",
             (unsigned long long)hog_max_per_turn);
    T_CHECK(!hog.queued);
}

/* Watchers run only for ready handles, with their argument. */
static unsigned w_calls[PLAT_HANDLE_MAX];
static uint64_t w_when[PLAT_HANDLE_MAX];
static int w_arg;

static void watch_fn(plat_handle_t h, void *arg)
{
    T_CHECK(arg == &w_arg);
    fake_read(h);
    w_calls[h]++;
    w_when[h] = ev_now();
    if (h == 1)
        ev_watch(5, NULL, NULL); /* 5 is ready too: must not be called */
    if (h == 7 || h == 1)
        ev_watch(h, NULL, NULL);
}

static void test_watchers(void)
{
    uint64_t base = ev_now();
    unsigned h;

    fake_reset();
    memset(w_calls, 0, sizeof w_calls);
    T_CHECK(ev_watch(PLAT_HANDLE_MAX, watch_fn, &w_arg) == PITH_EINVAL);
    T_CHECK(ev_watch(63, watch_fn, &w_arg) == PITH_OK);
    T_CHECK(ev_watch(63, NULL, NULL) == PITH_OK);
    T_CHECK(ev_watch(7, watch_fn, &w_arg) == PITH_OK);
    T_CHECK(ev_watch(1, watch_fn, &w_arg) == PITH_OK);
    T_CHECK(ev_watch(5, watch_fn, &w_arg) == PITH_OK);
    fake_input(base + 100, 9); /* nobody watches 9 */
    fake_input(base + 200, 7);
    fake_input(base + 300, 1);
    fake_input(base + 300, 5);
    T_CHECK(ev_run() == 0);
    T_CHECK(w_calls[7] == 1 && w_when[7] == base + 200);
    T_CHECK(w_calls[1] == 1 && w_when[1] == base + 300);
    for (h = 0; h < PLAT_HANDLE_MAX; h++)
        if (h != 7 && h != 1)
            T_CHECKF(w_calls[h] == 0, "watcher %u called", h);
    fake_read(9);
    fake_read(5);

    /* Watching with nothing else armed: waits, in 10 s steps. */
    fake_reset();
    ev_watch(7, watch_fn, &w_arg);
    fake_input(ev_now() + 25 * S, 7);
    base = ev_now();
    T_CHECK(ev_run() == 0);
    T_CHECK(w_calls[7] == 2 && w_when[7] == base + 25 * S);
    T_CHECK(fake_last_deadline == base + 30 * S);
}

/* ev_stop: status, the turn completes, the loop runs again afterwards. */
static struct ev_defer stop_d;
static int stop_d_ran;

static void stop_defer_fn(struct ev_defer *d, void *arg)
{
    (void)d;
    (void)arg;
    stop_d_ran = 1;
}

static void stop_fn(struct ev_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    ev_stop(1);
    ev_stop(42); /* the last one gives the status */
    ev_defer(&stop_d);
}

static void test_stop(void)
{
    struct ev_timer t, later;
    uint64_t base = ev_now();
    struct ev_stats a, b;

    fake_reset();
    nlog = 0;
    ev_defer_init(&stop_d, stop_defer_fn, NULL);
    ev_timer_init(&t, stop_fn, NULL);
    ev_timer_init(&later, log_fn, NULL);
    ev_timer_arm(&t, base + 10);
    ev_timer_arm(&later, base + 20);
    T_CHECK(ev_run() == 42);
    T_CHECK(stop_d_ran);
    T_CHECK(ev_timer_armed(&later) && nlog == 0);
    T_CHECK(ev_run() == 0);
    T_CHECK(nlog == 1 && log_now[0] == base + 20);

    /* ev_stop() outside the loop: the next run stops after one turn. */
    ev_timer_arm(&later, base + 30);
    ev_timer_arm(&t, base + 40);
    ev_stop(5);
    ev_stats(&a);
    T_CHECK(ev_run() == 5);
    ev_stats(&b);
    T_CHECK(b.turns - a.turns == 1 && nlog == 2);
    T_CHECK(ev_timer_armed(&t));
    ev_timer_cancel(&t);
    T_CHECK(ev_run() == 0);
}

/* ev_now(): cached for the turn, the clock outside ev_run(). */
static uint64_t now_seen[2];

static void now_fn(struct ev_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    now_seen[0] = ev_now();
    fake_clock += 5 * MS; /* this callback works for 5 ms */
    now_seen[1] = ev_now();
}

static void test_now(void)
{
    struct ev_timer t;
    uint64_t base;

    fake_reset();
    fake_clock += 123;
    T_CHECK(ev_now() == fake_clock);
    base = ev_now();
    ev_timer_init(&t, now_fn, NULL);
    ev_timer_arm(&t, base + MS);
    T_CHECK(ev_run() == 0);
    T_CHECK(now_seen[0] == base + MS && now_seen[1] == base + MS);
    T_CHECK(ev_now() == base + 6 * MS);
}

/* The counters add up. */
static void test_stats(void)
{
    struct ev_timer t[3];
    struct ev_defer d;
    struct ev_stats a, b;
    uint64_t base = ev_now();
    unsigned i;

    fake_reset();
    ev_stats(&a);
    for (i = 0; i < 3; i++) {
        ev_timer_init(&t[i], log_fn, NULL);
        ev_timer_arm(&t[i], base + (i + 1) * MS);
    }
    ev_timer_arm(&t[2], base + 2 * MS); /* moving is not arming twice */
    ev_stats(&b);
    T_CHECK(b.timers_armed == 3);
    ev_defer_init(&d, stop_defer_fn, NULL);
    ev_defer(&d);
    T_CHECK(ev_run() == 0);
    ev_stats(&b);
    /* turn 1: the deferred item (no yield); turns 2 and 3: the timers */
    T_CHECK(b.turns - a.turns == 3);
    T_CHECK(b.yields - a.yields == 2);
    T_CHECK(b.timers_fired - a.timers_fired == 3);
    T_CHECK(b.deferred_run - a.deferred_run == 1);
    T_CHECK(b.timers_armed == 0);
}

/* ev_run() from a callback is a broken invariant: the image aborts. */
static void nested_fn(struct ev_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    ev_run();
}

static void test_nested_run_aborts(void)
{
    int fds[2], status = 0;
    char out[256];
    ssize_t n;
    pid_t pid;

    T_CHECK(pipe(fds) == 0);
    pid = fork();
    if (pid == 0) {
        struct ev_timer t;
        dup2(fds[1], 2);
        ev_timer_init(&t, nested_fn, NULL);
        ev_timer_arm(&t, ev_now());
        ev_run();
        _exit(0);
    }
    close(fds[1]);
    n = read(fds[0], out, sizeof out - 1);
    out[n > 0 ? n : 0] = 0;
    close(fds[0]);
    T_CHECK(waitpid(pid, &status, 0) == pid);
    T_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    T_CHECKF(strstr(out, "ev_run() called from a callback") != NULL, "%s", out);
}

/* Not a check: what arming, cancelling and firing cost. */
static double host_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nop_fn(struct ev_timer *t, void *arg)
{
    (void)t;
    (void)arg;
}

static void test_cost(void)
{
    enum { N = 1000000 };
    struct ev_timer *t = calloc(N, sizeof *t);
    unsigned *perm = calloc(N, sizeof *perm);
    uint64_t base = ev_now();
    double t0, t1, t2, t3;
    unsigned i;

    fake_reset();
    T_CHECK(t != NULL && perm != NULL);
    if (!t || !perm)
        return;
    for (i = 0; i < N; i++) {
        ev_timer_init(&t[i], nop_fn, NULL);
        perm[i] = i;
    }
    for (i = N - 1; i > 0; i--) {
        unsigned j = (unsigned)(rng() % (i + 1)), x = perm[i];
        perm[i] = perm[j];
        perm[j] = x;
    }
    t0 = host_sec();
    for (i = 0; i < N; i++)
        ev_timer_arm(&t[i], base + 1 + rng() % (60 * S));
    t1 = host_sec();
    for (i = 0; i < N; i++)
        ev_timer_cancel(&t[perm[i]]);
    t2 = host_sec();
    for (i = 0; i < N; i++)
        ev_timer_arm(&t[i], base + 1 + rng() % (60 * S));
    T_CHECK(ev_run() == 0);
    t3 = host_sec();
    T_CHECK(loop_is_idle());
    printf("# cost: arm %.0f ns, cancel %.0f "
           "ns, arm+fire %.0f ns per timer, 1M timers\n",
           (t1 - t0) * 1e9 / N, (t2 - t1) * 1e9 / N, (t3 - t2) * 1e9 / N);
    free(t);
    free(perm);
}

int main(void)
{
    T_RUN(test_idle_returns_at_once);
    T_RUN(test_timer_order);
    T_RUN(test_rearm_moves);
    T_RUN(test_cancel);
    T_RUN(test_against_model);
    T_RUN(test_callback_cancels_due);
    T_RUN(test_periodic);
    T_RUN(test_defer);
    T_RUN(test_starvation);
    T_RUN(test_watchers);
    T_RUN(test_stop);
    T_RUN(test_now);
    T_RUN(test_stats);
    T_RUN(test_nested_run_aborts);
    T_RUN(test_cost);
    return t_done();
}
