/* The runtime: from plat_main() to app_main(). See <pith/rt.h>. */
#include <pith/rt.h>
#include <pith/mft.h>

/*
 * Present only when the app links the alloc module: the runtime must not
 * drag the allocator into images that never allocate.
 */
extern int alloc_init(void *base, size_t size) __attribute__((weak));

static const struct plat_start_info *rt_si;
static char rt_cmdline[RT_CMDLINE_MAX];
static char rt_name[PITH_MFT_NAME_MAX];
static char *rt_argv[RT_ARGS_MAX + 1];

static void rt_fail(const char *msg)
{
    size_t n = 0;
    while (msg[n])
        n++;
    plat_console_write(msg, n);
}

static int rt_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Splits (cmdline) into words in rt_cmdline; returns argc or -1. */
static int rt_split(const char *cmdline)
{
    size_t i;
    int argc = 1;
    char *p;

    for (i = 0; cmdline[i]; i++) {
        if (i + 1 >= sizeof rt_cmdline)
            return -1;
        rt_cmdline[i] = cmdline[i];
    }
    rt_cmdline[i] = '\0';
    for (p = rt_cmdline; *p;) {
        while (rt_is_space(*p))
            *p++ = '\0';
        if (!*p)
            break;
        if (argc == RT_ARGS_MAX)
            return -1;
        rt_argv[argc++] = p;
        while (*p && !rt_is_space(*p))
            p++;
    }
    rt_argv[argc] = 0;
    return argc;
}

int plat_main(const struct plat_start_info *si)
{
    int argc;

    rt_si = si;
    if (alloc_init && alloc_init((void *)si->heap_start, si->heap_size) < 0) {
        rt_fail("pith: cannot start the allocator over the heap\n");
        return 1;
    }
    for (argc = 0; argc < PITH_MFT_NAME_MAX - 1 && pith_mft.app[argc]; argc++)
        rt_name[argc] = pith_mft.app[argc];
    rt_argv[0] = rt_name;
    argc = rt_split(si->cmdline);
    if (argc < 0) {
        rt_fail("pith: command line too long or too many arguments\n");
        return 1;
    }
    return app_main(argc, rt_argv);
}

const struct plat_start_info *rt_start_info(void)
{
    return rt_si;
}
