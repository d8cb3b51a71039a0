/* Names for pith error codes. See <pith/err.h>. */
#include <pith/err.h>

const char *pith_strerror(int err)
{
    switch (err) {
    case PITH_OK:
        return "OK";
    case PITH_EAGAIN:
        return "EAGAIN";
    case PITH_EINVAL:
        return "EINVAL";
    case PITH_ENOENT:
        return "ENOENT";
    case PITH_EIO:
        return "EIO";
    case PITH_ENOMEM:
        return "ENOMEM";
    case PITH_ERANGE:
        return "ERANGE";
    case PITH_EBUSY:
        return "EBUSY";
    case PITH_EPROTO:
        return "EPROTO";
    case PITH_ELIMIT:
        return "ELIMIT";
    default:
        return "unknown error";
    }
}
