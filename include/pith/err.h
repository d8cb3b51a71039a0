/*
 * pith error codes: the one convention every module uses.
 *
 * 0 is success. Errors are small negative integers. PITH_EAGAIN ("nothing
 * there yet, try after the next yield") is an error value of its own so that
 * callers can tell it apart from failure without looking anything up.
 */
#ifndef PITH_ERR_H
#define PITH_ERR_H

#define PITH_OK     0
#define PITH_EAGAIN (-1) /* no data / no room now; retry after plat_yield() */
#define PITH_EINVAL (-2) /* an argument breaks the function's contract */
#define PITH_ENOENT (-3) /* no such device, name or entry */
#define PITH_EIO    (-4) /* the host or device reported a failure */
#define PITH_ENOMEM (-5) /* a memory bound was reached */
#define PITH_ERANGE (-6) /* offset, size or value out of range */
#define PITH_EBUSY  (-7) /* already acquired or in use */
#define PITH_EPROTO (-8) /* malformed input from the outside world */
#define PITH_ELIMIT (-9) /* a configured limit (connections, queue) was hit */

/* Returns a static, human-readable name for (err), e.g. "EAGAIN". */
const char *pith_strerror(int err);

#endif
