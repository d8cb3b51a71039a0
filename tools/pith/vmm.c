/* `pith run` for virtio images. See vmm.h. */
#include "vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 96

struct argv_buf {
    char *v[MAX_ARGS + 1];
    int n;
};

static void add(struct argv_buf *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add(struct argv_buf *a, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0 || a->n == MAX_ARGS) {
        tender_err("run: out of memory");
        exit(1);
    }
    va_end(ap);
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

/* Prints (a) on stderr as a shell would need it to run it again. */
static void print_cmd(FILE *f, const struct argv_buf *a)
{
    int i;
    fputs("pith:", f);
    for (i = 0; i < a->n; i++) {
        const char *s = a->v[i], *p;
        if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
                            "UVWXYZ0123456789_-+=.,:/@%") == strlen(s)) {
            fprintf(f, " %s", s);
            continue;
        }
        fputs(" '", f);
        for (p = s; *p; p++)
            if (*p == '\'')
                fputs("'\\''", f);
            else
                fputc(*p, f);
        fputc('\'', f);
    }
    fputc('\n', f);
}

/* A MAC for a device given none: locally administered, random. */
static void mac_of(const struct tender_bind *b, uint8_t mac[6])
{
    if (b->has_mac) {
        memcpy(mac, b->mac, 6);
        return;
    }
    if (getrandom(mac, 6, 0) != 6)
        memset(mac, 0x5a, 6);
    mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
}

static int firecracker_config(const struct tender_opts *o,
                              const struct pith_mft *m,
                              const struct tender_bind *order[],
                              const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    char img[4096];
    unsigned i, nnet = 0, nblk = 0;
    const char *p;

    if (!f) {
        tender_err("run: %s: %s", path, strerror(errno));
        return 1;
    }
    if (!realpath(o->image, img))
        snprintf(img, sizeof img, "%s", o->image);
    fprintf(f,
            "{\n  \"boot-source\": {\n    \"kernel_image_path\": \"%s\",\n"
            "    \"boot_args\": \"",
            img);
    for (p = o->cmdline; *p; p++)
        fprintf(f, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
    fprintf(f, "\"\n  },\n  \"drives\": [");
    for (i = 0; i < m->ndev; i++) {
        const struct tender_bind *b = order[i];
        if (!b || b->kind != PITH_MFT_BLOCK)
            continue;
        if (!realpath(b->host, img))
            snprintf(img, sizeof img, "%s", b->host);
        fprintf(f,
                "%s\n    {\n      \"drive_id\": \"%s\",\n"
                "      \"path_on_host\": \"%s\",\n"
                "      \"is_root_device\": false,\n"
                "      \"is_read_only\": false\n    }",
                nblk++ ? "," : "", b->name, img);
    }
    fprintf(f, "%s],\n  \"network-interfaces\": [", nblk ? "\n  " : "");
    for (i = 0; i < m->ndev; i++) {
        const struct tender_bind *b = order[i];
        uint8_t mac[6];
        if (!b || b->kind != PITH_MFT_NET)
            continue;
        mac_of(b, mac);
        fprintf(f,
                "%s\n    {\n      \"iface_id\": \"%s\",\n"
                "      \"host_dev_name\": \"%s\",\n"
                "      \"guest_mac\": \"%02x:%02x:%02x:%02x:%02x:%02x\"\n"
                "    }",
                nnet++ ? "," : "", b->name, b->host, mac[0], mac[1], mac[2],
                mac[3], mac[4], mac[5]);
    }
    fprintf(f,
            "%s],\n  \"machine-config\": {\n    \"vcpu_count\": 1,\n"
            "    \"mem_size_mib\": %llu\n  }\n}\n",
            nnet ? "\n  " : "", (unsigned long long)o->mem_mib);
    if (f != stdout && fclose(f) != 0) {
        tender_err("run: %s: %s", path, strerror(errno));
        return 1;
    }
    return 0;
}

/*
 * KVM when /dev/kvm opens and the CPU says it can virtualise (vmx or
 * svm in /proc/cpuinfo): some sandboxes offer a /dev/kvm that cannot
 * run real guests, and there only TCG works.
 */
static int kvm_usable(void)
{
    char line[4096];
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), found = 0;
    FILE *f;

    if (fd < 0)
        return 0;
    close(fd);
    f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return 0;
    while (!found && fgets(line, sizeof line, f))
        if (!strncmp(line, "flags", 5))
            found = strstr(line, " vmx") || strstr(line, " svm");
    fclose(f);
    return found;
}

static pid_t child;

static void forward(int sig)
{
    if (child > 0)
        kill(child, sig);
}

int vmm_run(const struct tender_opts *o, const struct pith_mft *m,
            const struct vmm_opts *v)
{
    const struct tender_bind *order[PITH_MFT_DEV_MAX];
    const char *machine = v->machine ? v->machine : "microvm";
    int mmio = !strcmp(machine, "microvm"), kvm, status;
    struct argv_buf a = {{0}, 0};
    struct sigaction sa;
    unsigned i;

    if (strcmp(machine, "microvm") && strcmp(machine, "pc") &&
        strcmp(machine, "q35")) {
        tender_err("run: unknown machine '%s' (expected microvm, pc or q35)",
                   machine);
        return 2;
    }
    if (tender_bind(m, o, order) < 0)
        return 2;
    if (v->firecracker)
        return firecracker_config(o, m, order, v->firecracker);

    if (v->accel && strcmp(v->accel, "kvm") && strcmp(v->accel, "tcg")) {
        tender_err("run: unknown accelerator '%s' (expected kvm or tcg)",
                   v->accel);
        return 2;
    }
    kvm = v->accel ? !strcmp(v->accel, "kvm") : kvm_usable();
    add(&a, "%s", v->qemu ? v->qemu : "qemu-system-x86_64");
    /* microvm: no ACPI, so QEMU names the virtio-mmio devices on the
     * command line (virtio_mmio.device=); no PIC, since the image routes
     * through the I/O APIC. */
    if (mmio)
        add(&a, "-M");
    if (mmio)
        add(&a, "microvm,acpi=off,pic=off,rtc=on");
    else {
        add(&a, "-M");
        add(&a, "%s", machine);
    }
    add(&a, "-accel");
    add(&a, "%s", kvm ? "kvm" : "tcg");
    add(&a, "-cpu");
    add(&a, "%s", kvm ? "host" : "max");
    add(&a, "-m");
    add(&a, "%llu", (unsigned long long)o->mem_mib);
    add(&a, "-nodefaults");
    add(&a, "-no-user-config");
    /* -display none, not -nographic: that one also turns on SeaBIOS's
     * serial console on pc and q35, and its banner would mix with ours. */
    add(&a, "-display");
    add(&a, "none");
    add(&a, "-no-reboot");
    add(&a, "-serial");
    add(&a, "stdio");
    add(&a, "-device");
    add(&a, "isa-debug-exit,iobase=0xf4,iosize=4");
    add(&a, "-device");
    add(&a, mmio ? "virtio-rng-device" : "virtio-rng-pci");
    for (i = 0; i < m->ndev; i++) {
        const struct tender_bind *b = order[i];
        uint8_t mac[6];
        if (!b)
            continue; /* an optional device left unbound */
        if (b->kind == PITH_MFT_NET) {
            mac_of(b, mac);
            add(&a, "-netdev");
            add(&a, "tap,id=%s,ifname=%s,script=no,downscript=no", b->name,
                b->host);
            add(&a, "-device");
            add(&a, "%s,netdev=%s,mac=%02x:%02x:%02x:%02x:%02x:%02x",
                mmio ? "virtio-net-device" : "virtio-net-pci", b->name, mac[0],
                mac[1], mac[2], mac[3], mac[4], mac[5]);
        } else {
            add(&a, "-drive");
            add(&a, "file=%s,if=none,format=raw,id=%s,cache=unsafe", b->host,
                b->name);
            add(&a, "-device");
            add(&a, "%s,drive=%s",
                mmio ? "virtio-blk-device" : "virtio-blk-pci", b->name);
        }
    }
    add(&a, "-kernel");
    add(&a, "%s", o->image);
    add(&a, "-append");
    add(&a, "%s", o->cmdline);
    print_cmd(stderr, &a);
    if (v->dry_run)
        return 0;
    fflush(NULL);

    child = fork();
    if (child < 0) {
        tender_err("run: fork: %s", strerror(errno));
        return 1;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execvp(a.v[0], a.v);
        tender_err("run: %s: %s", a.v[0], strerror(errno));
        _exit(127);
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) {
            tender_err("run: waitpid: %s", strerror(errno));
            return 1;
        }
    if (WIFSIGNALED(status)) {
        tender_err("run: QEMU was killed by signal %d", WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    status = WEXITSTATUS(status);
    if (status == 127)
        return 127;
    /* isa-debug-exit: QEMU exits with (value << 1) | 1, and the image
     * writes its status + 1, so 1 (QEMU's own failure) and 0 (a reset, a
     * triple fault, a shutdown) are not mistaken for a status. */
    if ((status & 1) && status >= 3)
        return (status >> 1) - 1;
    if (status == 0)
        tender_err("run: the VM ended without an exit status (a reset or "
                   "a triple fault)");
    else
        tender_err("run: QEMU failed (exit status %d)", status);
    return 125;
}
