/*
 * badsys: attempts the system call named by its argument, bypassing the
 * platform contract with a raw `syscall` instruction, as hostile code in
 * an image would. On spt the seccomp filter must kill the process first.
 */
#include <stdio.h>
#include <string.h>
#include <pith/rt.h>

static long raw(long nr, long a, long b, long c, long d, long e, long f)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
                       "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

int app_main(int argc, char **argv)
{
    static const char path[] = "/etc/passwd";
    static char *const none[] = {0};
    static char buf[16];
    const char *what = argc > 1 ? argv[1] : "";
    long rc;

    if (!strcmp(what, "open"))
        rc = raw(2, (long)path, 0, 0, 0, 0, 0);
    else if (!strcmp(what, "socket"))
        rc = raw(41, 2 /* AF_INET */, 1 /* SOCK_STREAM */, 0, 0, 0, 0);
    else if (!strcmp(what, "execve"))
        rc = raw(59, (long)"/bin/sh", (long)none, (long)none, 0, 0, 0);
    else if (!strcmp(what, "mmap-exec"))
        rc = raw(9, 0, 4096, 7 /* RWX */, 0x22 /* PRIVATE|ANON */, -1, 0);
    else if (!strcmp(what, "read-stdin"))
        rc = raw(0, 0, (long)buf, sizeof buf, 0, 0, 0);
    else if (!strcmp(what, "clock-boottime"))
        rc = raw(228, 7 /* CLOCK_BOOTTIME */, (long)buf, 0, 0, 0, 0);
    else if (!strcmp(what, "ioctl"))
        rc = raw(16, 1, 0x5401 /* TCGETS */, (long)buf, 0, 0, 0);
    else if (!strcmp(what, "ioctl-offload")) /* allowed on taps only */
        rc = raw(16, 1, 0x400454d0 /* TUNSETOFFLOAD */, 0, 0, 0, 0);
    else {
        printf("usage: badsys open|socket|execve|mmap-exec|read-stdin|"
               "clock-boottime|ioctl|ioctl-offload\n");
        return 2;
    }
    printf("badsys: %s returned %ld: the sandbox let it through\n", what, rc);
    return 1;
}
