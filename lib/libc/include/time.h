/* time.h: wall-clock seconds, for pith images (BearSSL checks certificates). */
#ifndef PITH_LIBC_TIME_H
#define PITH_LIBC_TIME_H

typedef long long time_t;

/* Seconds since the epoch from plat_clock_wall(); also stored in (*t) when
 * (t) is not NULL. */
time_t time(time_t *t);

#endif
