/*
 * Symbols that compilers and BearSSL expect an image to provide: the stack
 * protector's failure handler, glibc's _FORTIFY_SOURCE checks, time(), and
 * the file calls of BearSSL's /dev/urandom seeder, which here always fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pith/plat.h>

/* Called by code, not by people, so declared here rather than in headers. */
void __stack_chk_fail(void) __attribute__((noreturn));
void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_size);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dst_size);
void *__memset_chk(void *dst, int c, size_t n, size_t dst_size);

__attribute__((noreturn)) static void die(const char *msg)
{
    plat_console_write(msg, strlen(msg));
    plat_abort();
}

void __stack_chk_fail(void)
{
    die("pith: stack smashing detected\n");
}

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_size)
{
    if (n > dst_size)
        die("pith: buffer overflow detected\n");
    return memcpy(dst, src, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dst_size)
{
    if (n > dst_size)
        die("pith: buffer overflow detected\n");
    return memmove(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t dst_size)
{
    if (n > dst_size)
        die("pith: buffer overflow detected\n");
    return memset(dst, c, n);
}

time_t time(time_t *t)
{
    time_t now = (time_t)(plat_clock_wall() / 1000000000u);

    if (t)
        *t = now;
    return now;
}

int open(const char *path, int flags, ...)
{
    (void)path;
    (void)flags;
    errno = ENOSYS;
    return -1;
}

ssize_t read(int fd, void *buf, size_t n)
{
    (void)fd;
    (void)buf;
    (void)n;
    errno = ENOSYS;
    return -1;
}

int close(int fd)
{
    (void)fd;
    errno = ENOSYS;
    return -1;
}
