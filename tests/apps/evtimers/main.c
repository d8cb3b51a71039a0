/*
 * evtimers: 10,000 one-shot timers at pseudo-random deadlines over 200 ms
 * and one 10 ms periodic timer, run by the event core on the real
 * platform. Every one-shot must fire exactly once, never before its
 * deadline, in deadline order (arming order among equal deadlines), and
 * the whole run must take less than 2 s.
 */
#include <stdio.h>
#include <pith/ev.h>
#include <pith/plat.h>
#include <pith/rt.h>

#define MS     1000000ull
#define NTIMER 10000
#define SPREAD (200 * MS)
#define PERIOD (10 * MS)

static struct ev_timer timers[NTIMER];
static unsigned char fired[NTIMER];
static unsigned nfired, ticks;
static const char *failure;
static unsigned fail_idx;
static uint64_t max_late;
static struct ev_timer *last;
static unsigned last_idx;

static void fail(const char *why, unsigned idx)
{
    if (!failure) {
        failure = why;
        fail_idx = idx;
    }
}

static void note_lateness(const struct ev_timer *t, unsigned idx)
{
    uint64_t now = ev_now();

    if (now < t->deadline)
        fail("fired before its deadline", idx);
    else if (now - t->deadline > max_late)
        max_late = now - t->deadline;
}

static void one_shot(struct ev_timer *t, void *arg)
{
    unsigned idx = (unsigned)(uintptr_t)arg;

    note_lateness(t, idx);
    if (fired[idx]++)
        fail("fired twice", idx);
    if (last && (last->deadline > t->deadline ||
                 (last->deadline == t->deadline && last_idx > idx)))
        fail("fired out of order", idx);
    last = t;
    last_idx = idx;
    nfired++;
}

static void periodic(struct ev_timer *t, void *arg)
{
    (void)arg;
    note_lateness(t, NTIMER);
    ticks++;
    if (nfired < NTIMER)
        ev_timer_arm(t, t->deadline + PERIOD);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

int app_main(int argc, char **argv)
{
    struct ev_timer tick;
    struct ev_stats st;
    uint64_t seed = 0, t0, t1;
    unsigned i;
    int rc;

    (void)argc;
    (void)argv;
    if (plat_entropy((uint8_t *)&seed, sizeof seed) != PITH_OK)
        seed = 0;
    rng_state = seed | 1;

    t0 = plat_clock_monotonic();
    for (i = 0; i < NTIMER; i++) {
        ev_timer_init(&timers[i], one_shot, (void *)(uintptr_t)i);
        ev_timer_arm(&timers[i], t0 + rng() % SPREAD);
    }
    ev_timer_init(&tick, periodic, NULL);
    ev_timer_arm(&tick, t0 + PERIOD);
    rc = ev_run();
    t1 = plat_clock_monotonic();
    ev_stats(&st);

    for (i = 0; i < NTIMER && !failure; i++)
        if (!fired[i])
            fail("never fired", i);
    if (!failure && rc != 0)
        fail("ev_run() did not return 0", NTIMER);
    if (!failure && ticks != SPREAD / PERIOD)
        fail("the periodic timer did not fire 20 times", NTIMER);
    if (!failure && (st.timers_fired != NTIMER + ticks || st.timers_armed))
        fail("the statistics do not add up", NTIMER);
    if (!failure && t1 - t0 >= 2000 * MS)
        fail("the run took 2 s or more", NTIMER);

    printf("evtimers: %u timers and %u ticks in %llu ms, %llu turns, %llu "
           "yields, latest by %llu us, seed %016llx\n",
           nfired, ticks, (unsigned long long)((t1 - t0) / MS),
           (unsigned long long)st.turns, (unsigned long long)st.yields,
           (unsigned long long)(max_late / 1000), (unsigned long long)seed);
    if (failure) {
        printf("evtimers: FAIL: %s (timer %u)\n", failure, fail_idx);
        return 1;
    }
    printf("evtimers: ok\n");
    return 0;
}
