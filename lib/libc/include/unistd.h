/* unistd.h: read() and close(), which always fail: there are no files. */
#ifndef PITH_LIBC_UNISTD_H
#define PITH_LIBC_UNISTD_H

#include <stddef.h>

typedef long ssize_t;

/* Both return -1 with errno ENOSYS; see open() in <fcntl.h>. */
ssize_t read(int fd, void *buf, size_t n);
int close(int fd);

#endif
