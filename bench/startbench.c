/*
 * startbench: how long a command takes from the moment it is started to
 * its main function and to its exit, as seen from the parent.
 *
 *   startbench [-n RUNS] [-w WARMUP] [-r A/B]... -- LABEL CMD [ARG...]
 *              [-- LABEL CMD [ARG...]]...
 *
 * For every run the harness reads CLOCK_MONOTONIC, forks, and the child
 * execs CMD with its stdout on a pipe; the parent reads the output to its
 * end, reaps the child, and reads the clock again: that is the time to
 * exit. When the output holds "main_ns=<ns>", the command's own reading of
 * CLOCK_MONOTONIC (the same clock in every process) as it entered main,
 * the difference from the start is the time to main.
 *
 * The commands run interleaved, A B C A B C ..., so that noise on the
 * machine (other tenants, frequency changes, page cache) falls on all of
 * them alike; WARMUP rounds first are not counted. The report is a
 * Markdown table of medians and 99th percentiles in microseconds, then
 * for each -r A/B the ratios of A's figures to B's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CMDS_MAX   8
#define RATIOS_MAX 8
#define OUT_MAX    4096

struct cmd {
    const char *label;
    char **argv;
    uint64_t *to_main; /* ns per counted run; UINT64_MAX: no main_ns */
    uint64_t *to_exit;
    int has_main;
};

struct figures {
    double main_med, main_p99, exit_med, exit_p99;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: startbench [-n RUNS] [-w WARMUP] [-r A/B]... -- "
               "LABEL CMD [ARG...]\n"
               "                  [-- LABEL CMD [ARG...]]...\n"
               "Times each command from fork to main (when it prints "
               "main_ns=<CLOCK_MONOTONIC ns>)\nand to exit, RUNS times "
               "each (default 200) after WARMUP rounds (default 10),\n"
               "interleaved. -r A/B adds the ratios of A's figures to "
               "B's.\n");
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Finds "main_ns=" in (out) and stores the number after it in (*ns). */
static int parse_main_ns(const char *out, uint64_t *ns)
{
    const char *p = strstr(out, "main_ns=");
    char *end;
    unsigned long long v;

    if (!p)
        return -1;
    errno = 0;
    v = strtoull(p + 8, &end, 10);
    if (errno || end == p + 8)
        return -1;
    *ns = v;
    return 0;
}

/*
 * Runs (c) once; stores the time to exit in (*to_exit) and the time to
 * main, or UINT64_MAX when the output has no main_ns=, in (*to_main).
 * Returns 0, or -1 when the command could not run or did not exit 0.
 */
static int run_once(const struct cmd *c, uint64_t *to_main, uint64_t *to_exit)
{
    char out[OUT_MAX];
    size_t len = 0;
    uint64_t t0, t1, main_ns;
    int fds[2], status;
    ssize_t n;
    pid_t pid;

    if (pipe(fds) < 0) {
        fprintf(stderr, "startbench: pipe: %s\n", strerror(errno));
        return -1;
    }
    t0 = now_ns();
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "startbench: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        if (dup2(fds[1], 1) < 0)
            _exit(127);
        close(fds[1]);
        execv(c->argv[0], c->argv);
        fprintf(stderr, "startbench: %s: %s\n", c->argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char drop[512];
        if (len < sizeof out - 1)
            n = read(fds[0], out + len, sizeof out - 1 - len);
        else
            n = read(fds[0], drop, sizeof drop);
        if (n > 0 && len < sizeof out - 1)
            len += (size_t)n;
        else if (n == 0 || (n < 0 && errno != EINTR))
            break;
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "startbench: waitpid: %s\n", strerror(errno));
            return -1;
        }
    t1 = now_ns();
    out[len] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "startbench: %s: %s %d\n", c->label,
                WIFEXITED(status) ? "exited with" : "killed by signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -1;
    }
    *to_exit = t1 - t0;
    *to_main = UINT64_MAX;
    if (parse_main_ns(out, &main_ns) == 0) {
        if (main_ns < t0 || main_ns > t1) {
            fprintf(stderr,
                    "startbench: %s: main_ns=%llu is outside the run "
                    "[%llu, %llu]: not the host's CLOCK_MONOTONIC?\n",
                    c->label, (unsigned long long)main_ns,
                    (unsigned long long)t0, (unsigned long long)t1);
            return -1;
        }
        *to_main = main_ns - t0;
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Median and nearest-rank 99th percentile of (n) values, in us. */
static void stats(uint64_t *v, int n, double *med, double *p99)
{
    int k = (99 * n + 99) / 100; /* ceil(0.99 n), 1-based rank */

    qsort(v, (size_t)n, sizeof *v, cmp_u64);
    *med = n % 2 ? (double)v[n / 2]
                 : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
    *p99 = (double)v[k - 1];
    *med /= 1000;
    *p99 /= 1000;
}

static int find(const struct cmd *cmds, int ncmd, const char *label, size_t len)
{
    int i;
    for (i = 0; i < ncmd; i++)
        if (strlen(cmds[i].label) == len && !strncmp(cmds[i].label, label, len))
            return i;
    return -1;
}

/* Prints a/b as "1.23x", or "-" when either figure is missing. */
static void print_ratio(double a, double b)
{
    if (a > 0 && b > 0)
        printf("%.2fx", a / b);
    else
        printf("-");
}

int main(int argc, char **argv)
{
    struct cmd cmds[CMDS_MAX];
    struct figures fig[CMDS_MAX];
    const char *ratios[RATIOS_MAX];
    int runs = 200, warmup = 10, ncmd = 0, nratio = 0, i, j, r;
    char *end;

    for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if ((!strcmp(argv[i], "-n") || !strcmp(argv[i], "-w")) &&
                   i + 1 < argc) {
            long v = strtol(argv[i + 1], &end, 10);
            if (*end || v < (argv[i][1] == 'n') || v > 100000) {
                fprintf(stderr, "startbench: bad count '%s'\n", argv[i + 1]);
                return 2;
            }
            *(argv[i][1] == 'n' ? &runs : &warmup) = (int)v;
            i++;
        } else if (!strcmp(argv[i], "-r") && i + 1 < argc &&
                   nratio < RATIOS_MAX && strchr(argv[i + 1], '/')) {
            ratios[nratio++] = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    /* The commands: "-- LABEL CMD [ARG...]", each "--" becoming a NULL
     * that ends the previous command's argv. */
    while (i < argc) {
        argv[i++] = NULL;
        if (i + 1 >= argc || !strcmp(argv[i], "--") ||
            !strcmp(argv[i + 1], "--") || ncmd == CMDS_MAX) {
            usage(stderr);
            return 2;
        }
        cmds[ncmd].label = argv[i];
        cmds[ncmd].argv = argv + i + 1;
        cmds[ncmd].has_main = 1;
        cmds[ncmd].to_main = calloc((size_t)runs, sizeof(uint64_t));
        cmds[ncmd].to_exit = calloc((size_t)runs, sizeof(uint64_t));
        if (!cmds[ncmd].to_main || !cmds[ncmd].to_exit) {
            fprintf(stderr, "startbench: out of memory\n");
            return 1;
        }
        ncmd++;
        while (i < argc && strcmp(argv[i], "--"))
            i++;
    }
    if (ncmd == 0) {
        usage(stderr);
        return 2;
    }
    for (r = 0; r < nratio; r++) {
        const char *slash = strchr(ratios[r], '/');
        if (find(cmds, ncmd, ratios[r], (size_t)(slash - ratios[r])) < 0 ||
            find(cmds, ncmd, slash + 1, strlen(slash + 1)) < 0) {
            fprintf(stderr, "startbench: -r %s: no such labels\n", ratios[r]);
            return 2;
        }
    }

    for (r = -warmup; r < runs; r++)
        for (j = 0; j < ncmd; j++) {
            uint64_t tm, te;
            if (run_once(&cmds[j], &tm, &te) < 0)
                return 1;
            if (r < 0)
                continue;
            cmds[j].to_main[r] = tm;
            cmds[j].to_exit[r] = te;
            if (tm == UINT64_MAX)
                cmds[j].has_main = 0;
        }

    printf("| command | to main: median | to main: p99 | to exit: median "
           "| to exit: p99 |\n"
           "|---|---:|---:|---:|---:|\n");
    for (j = 0; j < ncmd; j++) {
        struct figures *f = &fig[j];
        f->main_med = f->main_p99 = 0;
        if (cmds[j].has_main)
            stats(cmds[j].to_main, runs, &f->main_med, &f->main_p99);
        stats(cmds[j].to_exit, runs, &f->exit_med, &f->exit_p99);
        printf("| %s |", cmds[j].label);
        if (cmds[j].has_main)
            printf(" %.0f us | %.0f us |", f->main_med, f->main_p99);
        else
            printf(" - | - |");
        printf(" %.0f us | %.0f us |\n", f->exit_med, f->exit_p99);
    }
    printf("\n%d runs of each command, interleaved, after %d warm-up "
           "rounds; p99 is the nearest-rank 99th percentile.\n",
           runs, warmup);
    for (r = 0; r < nratio; r++) {
        const char *slash = strchr(ratios[r], '/');
        const struct figures *a =
            &fig[find(cmds, ncmd, ratios[r], (size_t)(slash - ratios[r]))];
        const struct figures *b =
            &fig[find(cmds, ncmd, slash + 1, strlen(slash + 1))];
        printf("%s- ratio %s: to main ", r ? "" : "\n", ratios[r]);
        print_ratio(a->main_med, b->main_med);
        printf(" (p99 ");
        print_ratio(a->main_p99, b->main_p99);
        printf("), to exit ");
        print_ratio(a->exit_med, b->exit_med);
        printf(" (p99 ");
        print_ratio(a->exit_p99, b->exit_p99);
        printf(")\n");
    }
    return 0;
}
