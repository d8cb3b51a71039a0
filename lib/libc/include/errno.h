/* errno.h: the error numbers pith's libc sets, with Linux's values. */
#ifndef PITH_LIBC_ERRNO_H
#define PITH_LIBC_ERRNO_H

#define ENOENT 2
#define EBADF  9
#define ENOMEM 12
#define EINVAL 22
#define EDOM   33
#define ERANGE 34
#define ENOSYS 38

/* One variable for the whole image: images are single-threaded. */
int *__errno_location(void);
#define errno (*__errno_location())

#endif
