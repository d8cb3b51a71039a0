/*
 * hello: the smallest pith app. It exercises the platform contract that
 * needs no device: console, both clocks, a timed wait, entropy, exit.
 * Everything it knows of its target comes through <pith/plat.h>.
 */
#include <stdio.h>
#include <pith/plat.h>
#include <pith/rt.h>

#define MS 1000000ull

/* 2020-01-01T00:00:00Z: any sane host's wall clock is past this. */
#define WALL_FLOOR_NS (1577836800ull * 1000000000ull)

int app_main(int argc, char **argv)
{
    uint64_t t0, t1, wall;
    plat_handle_set_t ready;
    uint8_t rnd[16];
    unsigned i, nonzero = 0;
    int a;

    printf("hello from pith (%s)\n", argv[0]);
    for (a = 1; a < argc; a++)
        printf("argument %d: %s\n", a, argv[a]);

    wall = plat_clock_wall();
    printf("wall clock: %llu.%09llu s since the epoch\n",
           (unsigned long long)(wall / 1000000000ull),
           (unsigned long long)(wall % 1000000000ull));
    if (wall < WALL_FLOOR_NS) {
        printf("hello: FAIL: wall clock is before 2020\n");
        return 1;
    }

    /* Sleep 10 ms through the platform; wake-ups may come early. */
    t0 = plat_clock_monotonic();
    do
        plat_yield(t0 + 10 * MS, &ready);
    while (plat_clock_monotonic() < t0 + 10 * MS);
    t1 = plat_clock_monotonic();
    printf("slept %llu us through plat_yield\n",
           (unsigned long long)((t1 - t0) / 1000));
    if (t1 - t0 < 10 * MS || t1 - t0 > 1000 * MS) {
        printf("hello: FAIL: a 10 ms sleep took %llu us\n",
               (unsigned long long)((t1 - t0) / 1000));
        return 1;
    }

    if (plat_entropy(rnd, sizeof rnd) != PITH_OK) {
        printf("hello: FAIL: no entropy\n");
        return 1;
    }
    printf("entropy: ");
    for (i = 0; i < sizeof rnd; i++) {
        printf("%02x", rnd[i]);
        nonzero += rnd[i] != 0;
    }
    printf("\n");
    if (nonzero == 0) {
        printf("hello: FAIL: entropy is all zero\n");
        return 1;
    }
    printf("hello: ok\n");
    return 0;
}
