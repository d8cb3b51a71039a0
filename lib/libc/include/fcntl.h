/* fcntl.h: open(), which always fails: pith images have no file system. */
#ifndef PITH_LIBC_FCNTL_H
#define PITH_LIBC_FCNTL_H

#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR   2

/* Returns -1 with errno ENOSYS. It exists for BearSSL's /dev/urandom
 * seeder; pith seeds BearSSL from plat_entropy() instead. */
int open(const char *path, int flags, ...);

#endif
