/*
 * pith: the command-line tool. Scaffolds apps, builds them into images for
 * a target, runs images with the right tender, and shows the manifest an
 * image carries.
 */
#include "embed.h"
#include "manifest.h"
#include "vmm.h"
#include "../../tender/common/tender.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[PATH_MAX]; /* the pith tree: mk/, lib/, plat/, ... */
static char bindir[PATH_MAX];

/* snprintf that reports truncation as an error: returns 0 or -1. */
static int fmt(char *buf, size_t size, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

static int fmt(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    int n;
    va_start(ap, f);
    n = vsnprintf(buf, size, f, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        tender_err("path too long: %s...", buf);
        return -1;
    }
    return 0;
}

/* Finds the tree from this executable (ROOT/build/bin/pith), or PITH_ROOT. */
static int find_root(void)
{
    char exe[PATH_MAX], probe[PATH_MAX + 16];
    const char *env = getenv("PITH_ROOT");
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    struct stat st;

    if (n < 0) {
        tender_err("/proc/self/exe: %s", strerror(errno));
        return -1;
    }
    exe[n] = '\0';
    if (fmt(bindir, sizeof bindir, "%s", dirname(exe)) < 0 ||
        fmt(root, sizeof root, "%s", env && *env ? env : bindir) < 0 ||
        (!(env && *env) && fmt(root, sizeof root, "%s/../..", bindir) < 0) ||
        fmt(probe, sizeof probe, "%s/mk/app.mk", root) < 0)
        return -1;
    if (realpath(root, exe))
        memcpy(root, exe, strlen(exe) + 1);
    if (stat(probe, &st) < 0) {
        tender_err("cannot find the pith tree (no %s); set PITH_ROOT", probe);
        return -1;
    }
    return 0;
}

static int module_ok(const char *name)
{
    static const char *const dirs[] = {"lib", "net", "svc"};
    char path[PATH_MAX + 64];
    struct stat st;
    unsigned i;

    if (strcmp(name, "rt") == 0 || strcmp(name, "libc") == 0)
        return 0; /* always linked: not for the manifest */
    for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s/%s/module.mk", root, dirs[i], name);
        if (stat(path, &st) == 0)
            return 1;
    }
    return 0;
}

static int target_of(const char *s, uint32_t *t)
{
    if (strcmp(s, "unix") == 0)
        *t = PITH_TARGET_UNIX;
    else if (strcmp(s, "spt") == 0)
        *t = PITH_TARGET_SPT;
    else if (strcmp(s, "virtio") == 0)
        *t = PITH_TARGET_VIRTIO;
    else {
        tender_err("unknown target '%s' (expected unix, spt or virtio)", s);
        return -1;
    }
    return 0;
}

/* Runs (argv) and waits; returns its exit status, or -1. */
static int run_wait(char *const argv[])
{
    int status;
    pid_t pid = fork();
    if (pid < 0) {
        tender_err("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        tender_err("%s: %s", argv[0], strerror(errno));
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0 || !(f = fdopen(fd, "w"))) {
        tender_err("%s: %s", path, strerror(errno));
        return -1;
    }
    fputs(text, f);
    if (fclose(f) != 0) {
        tender_err("%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * Writes (len) bytes of (text) to (path) unless it holds them already, so
 * that make sees a generated file as new only when it changed. Returns 0
 * or -1.
 */
static int write_if_changed(const char *path, const char *text, size_t len)
{
    char tmp[PATH_MAX + 8];
    uint8_t *old;
    size_t oldlen;
    FILE *f;
    int same = 0;

    if (access(path, F_OK) == 0 && tender_read_file(path, &old, &oldlen) == 0) {
        same = oldlen == len && memcmp(old, text, len) == 0;
        free(old);
    }
    if (same)
        return 0;
    if (fmt(tmp, sizeof tmp, "%s.tmp", path) < 0)
        return -1;
    if (!(f = fopen(tmp, "w")) || fwrite(text, 1, len, f) != len ||
        fclose(f) != 0 || rename(tmp, path) < 0) {
        tender_err("build: %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- pith new ---- */

static int cmd_new(int argc, char **argv)
{
    char path[PATH_MAX], text[2048], *copy, *name;

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: pith new DIR\n"
               "Creates the app folder DIR (its last component is the app's "
               "name)\nwith a manifest and a main.c that build and run as "
               "they are.\n");
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        tender_err("new: expected one folder name (try pith new --help)");
        return 2;
    }
    copy = strdup(argv[1]);
    name = basename(copy);
    if (!pith_mft_name_ok(name, PITH_MFT_NAME_MAX)) {
        tender_err("new: '%s' is not a valid app name: use 1 to %d of "
                   "[A-Za-z0-9_-]",
                   name, PITH_MFT_NAME_MAX - 1);
        return 2;
    }
    if (mkdir(argv[1], 0755) < 0) {
        tender_err("new: %s: %s", argv[1], strerror(errno));
        return 1;
    }
    snprintf(path, sizeof path, "%s/manifest", argv[1]);
    snprintf(text, sizeof text,
             "# The manifest of the pith app %s: see docs/MANIFEST.md.\n"
             "name %s\n"
             "# Devices the app may use, each bound at run time:\n"
             "#   net service      (pith run ... --net:service=TAP)\n"
             "#   block storage    (pith run ... --block:storage=FILE)\n"
             "# pith modules the app links, e.g.:\n"
             "#   modules alloc\n"
             "# Folders whose files go into the image (<pith/files.h>):\n"
             "#   files site\n",
             name, name);
    if (write_file(path, text, 0644) < 0)
        return 1;
    snprintf(path, sizeof path, "%s/main.c", argv[1]);
    snprintf(text, sizeof text,
             "/* %s: a pith app. */\n"
             "#include <stdio.h>\n"
             "#include <pith/rt.h>\n"
             "\n"
             "int app_main(int argc, char **argv)\n"
             "{\n"
             "    int i;\n"
             "\n"
             "    printf(\"hello from %%s\\n\", argv[0]);\n"
             "    for (i = 1; i < argc; i++)\n"
             "        printf(\"argument %%d: %%s\\n\", i, argv[i]);\n"
             "    return 0;\n"
             "}\n",
             name);
    if (write_file(path, text, 0644) < 0)
        return 1;
    printf("created %s: build it with 'pith build -t spt %s', run it with "
           "'pith run %s/%s.spt'\n",
           argv[1], argv[1], argv[1], name);
    free(copy);
    return 0;
}

/* ---- pith build ---- */

static void build_usage(void)
{
    printf("usage: pith build [-t unix|spt|virtio] [-o IMAGE] [--sanitize] "
           "[-v] "
           "[APPDIR]\n"
           "Builds the app in APPDIR (default .) into an image for the "
           "target\n(default spt): APPDIR/NAME.TARGET unless -o is given.\n\n"
           "  -t, --target T   unix (a Linux process), spt (sandboxed "
           "unikernel) or\n"
           "                   virtio (a VM for QEMU, Firecracker, clouds)\n"
           "  -o IMAGE         where to write the image\n"
           "  --sanitize       unix only: build with ASan and UBSan\n"
           "  -v, --verbose    show the compiler commands\n\n"
           "An executable APPDIR/prebuild runs first, in APPDIR, with "
           "PITH_TARGET set\n(to make files the image bakes in: "
           "certificates, a site).\n");
}

/*
 * Runs the app's executable (appdir)/prebuild, when there is one, in
 * (appdir) with PITH_TARGET=(tname). Returns 0, or -1 (having said why)
 * when it fails.
 */
static int run_prebuild(const char *appdir, const char *tname)
{
    char path[PATH_MAX];
    int status;
    pid_t pid;

    if (fmt(path, sizeof path, "%s/prebuild", appdir) < 0)
        return -1;
    if (access(path, F_OK) < 0)
        return 0;
    if (access(path, X_OK) < 0) {
        tender_err("build: %s: not executable (chmod +x it)", path);
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        tender_err("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (chdir(appdir) < 0 || setenv("PITH_TARGET", tname, 1) < 0) {
            tender_err("build: %s: %s", appdir, strerror(errno));
            _exit(127);
        }
        execl("./prebuild", "./prebuild", (char *)NULL);
        tender_err("build: %s: %s", path, strerror(errno));
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0) {
        tender_err("build: %s: %s", path, strerror(errno));
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        tender_err("build: %s failed (%s %d)", path,
                   WIFEXITED(status) ? "status" : "signal",
                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -1;
    }
    return 0;
}

static int cmd_build(int argc, char **argv)
{
    const char *appdir = ".", *tname = "spt", *out = NULL;
    char mpath[PATH_MAX], absdir[PATH_MAX], objdir[PATH_MAX];
    char mfts[PATH_MAX + 16], filess[PATH_MAX + 16];
    char outbuf[PATH_MAX + 64], err[512], vars[11][PATH_MAX + 32];
    struct manifest_files files;
    struct embed embed;
    char *asm_text = NULL;
    size_t asm_len = 0;
    int sanitize = 0, verbose = 0, i, rc;
    uint32_t target;
    struct pith_mft m;
    struct stat st;
    uint8_t *text;
    size_t len;
    FILE *f;
    char *mk[20];
    int nmk = 0;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            build_usage();
            return 0;
        } else if (!strcmp(a, "-t") || !strcmp(a, "--target")) {
            if (++i == argc) {
                tender_err("build: %s needs a target", a);
                return 2;
            }
            tname = argv[i];
        } else if (!strncmp(a, "--target=", 9)) {
            tname = a + 9;
        } else if (!strcmp(a, "-o")) {
            if (++i == argc) {
                tender_err("build: -o needs a file name");
                return 2;
            }
            out = argv[i];
        } else if (!strcmp(a, "--sanitize")) {
            sanitize = 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = 1;
        } else if (a[0] == '-') {
            tender_err("build: unknown option '%s' (try pith build --help)", a);
            return 2;
        } else if (appdir == (const char *)"." && strcmp(a, ".") != 0) {
            appdir = a;
        } else {
            tender_err("build: more than one app folder given");
            return 2;
        }
    }
    if (target_of(tname, &target) < 0)
        return 2;
    if (sanitize && target != PITH_TARGET_UNIX) {
        tender_err("build: --sanitize needs -t unix");
        return 2;
    }
    snprintf(mpath, sizeof mpath, "%s/manifest", appdir);
    if (stat(appdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        tender_err("build: %s: not a folder", appdir);
        return 1;
    }
    if (stat(mpath, &st) < 0) {
        tender_err("build: %s: no manifest (is %s a pith app? 'pith new' "
                   "makes one)",
                   mpath, appdir);
        return 1;
    }
    if (run_prebuild(appdir, tname) < 0)
        return 1;
    if (tender_read_file(mpath, &text, &len) < 0)
        return 1;
    rc = manifest_parse(mpath, (const char *)text, len, target, module_ok, &m,
                        &files, err, sizeof err);
    free(text);
    if (rc < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    /* make gets the app folder's absolute name: the dependency files the
     * compiler writes name objects and sources as make did, and only one
     * name for every spelling of the folder keeps them in force (a header
     * changed since the last build recompiles what includes it). */
    if (!realpath(appdir, absdir)) {
        tender_err("build: %s: %s", appdir, strerror(errno));
        return 1;
    }
    if (embed_collect(absdir, mpath, &files, &embed, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    /* The note counts the files for `pith inspect` (64M fits 32 bits). */
    m.nfiles = (uint32_t)embed.n;
    m.files_bytes = (uint32_t)embed.bytes;
    f = open_memstream(&asm_text, &asm_len);
    rc = !f || embed_write_asm(&embed, absdir, target, f) < 0;
    if (f && fclose(f) != 0)
        rc = 1;
    embed_free(&embed);
    if (rc) {
        tender_err("build: out of memory");
        return 1;
    }
    if (fmt(objdir, sizeof objdir, "%s/_build/%s%s", absdir, tname,
            sanitize ? "-san" : "") < 0 ||
        fmt(mfts, sizeof mfts, "mkdir -p '%s'", objdir) < 0)
        return 1;
    if (strchr(objdir, '\'') || system(mfts) != 0) {
        tender_err("build: cannot create %s", objdir);
        return 1;
    }
    /* The files' table, rewritten only when a file changed: an
     * unchanged one costs no reassembly of what may be 64M. */
    if (fmt(filess, sizeof filess, "%s/files.s", objdir) < 0 ||
        write_if_changed(filess, asm_text, asm_len) < 0)
        return 1;
    free(asm_text);
    if (fmt(mfts, sizeof mfts, "%s/manifest.S", objdir) < 0)
        return 1;
    f = fopen(mfts, "w");
    if (!f || manifest_write_asm(&m, f) < 0 || fclose(f) != 0) {
        tender_err("build: %s: %s", mfts, strerror(errno));
        return 1;
    }
    if (!out) {
        if (fmt(outbuf, sizeof outbuf, "%s/%s.%s", appdir, m.app, tname) < 0)
            return 1;
        out = outbuf;
    }
    mk[nmk++] = strdup("make");
    mk[nmk++] = strdup(verbose ? "--no-print-directory" : "-s");
    mk[nmk++] = strdup("-j2");
    mk[nmk++] = strdup("-f");
    if (fmt(vars[0], sizeof vars[0], "%s/mk/app.mk", root) < 0 ||
        fmt(vars[1], sizeof vars[1], "ROOT=%s", root) < 0 ||
        fmt(vars[2], sizeof vars[2], "APPDIR=%s", absdir) < 0 ||
        fmt(vars[3], sizeof vars[3], "APP=%s", m.app) < 0 ||
        fmt(vars[4], sizeof vars[4], "TARGET=%s", tname) < 0 ||
        fmt(vars[5], sizeof vars[5], "MODULES=%s", m.modules) < 0 ||
        fmt(vars[6], sizeof vars[6], "OBJDIR=%s", objdir) < 0 ||
        fmt(vars[7], sizeof vars[7], "MFT_S=%s", mfts) < 0 ||
        fmt(vars[8], sizeof vars[8], "OUT=%s", out) < 0 ||
        fmt(vars[9], sizeof vars[9], "SANITIZE=%d", sanitize) < 0 ||
        fmt(vars[10], sizeof vars[10], "FILES_S=%s", filess) < 0)
        return 1;
    for (i = 0; i < 11; i++)
        mk[nmk++] = vars[i];
    mk[nmk] = NULL;
    rc = run_wait(mk);
    if (rc != 0) {
        tender_err("build: failed (make exited with %d)", rc);
        return 1;
    }
    if (stat(out, &st) < 0) {
        tender_err("build: %s was not written", out);
        return 1;
    }
    printf("%s: %lld bytes (%s%s%s)\n", out, (long long)st.st_size, tname,
           target != PITH_TARGET_UNIX ? ", stripped" : "",
           sanitize ? ", ASan+UBSan" : "");
    return 0;
}

/* ---- pith inspect ---- */

static int load_note(const char *image, struct tender_elf *elf)
{
    uint8_t *img;
    size_t len;
    char why[160];
    int rc;

    if (tender_read_file(image, &img, &len) < 0)
        return -1;
    rc = tender_elf_check(img, len, 0, 0, 0, elf, why, sizeof why);
    free(img);
    if (rc < 0)
        tender_err("%s: %s", image, why);
    return rc;
}

static int cmd_inspect(int argc, char **argv)
{
    struct tender_elf elf;
    char tcp[160];
    uint32_t i;

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: pith inspect IMAGE\n"
               "Prints the manifest recorded in IMAGE.\n");
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        tender_err("inspect: expected one image (try pith inspect --help)");
        return 2;
    }
    if (load_note(argv[1], &elf) < 0)
        return 1;
    printf("image:   %s\n"
           "app:     %s\n"
           "target:  %s\n"
           "modules: %s\n"
           "devices: %u\n",
           argv[1], elf.mft.app, pith_mft_target_name(elf.mft.target),
           elf.mft.modules[0] ? elf.mft.modules : "(none)", elf.mft.ndev);
    for (i = 0; i < elf.mft.ndev; i++)
        printf("  %-6s %s%s\n", pith_mft_kind_name(elf.mft.dev[i].kind),
               elf.mft.dev[i].name,
               elf.mft.dev[i].flags & PITH_MFT_DEV_OPTIONAL ? " (optional)"
                                                            : "");
    if (manifest_tcp_str(&elf.mft.tcp, tcp, sizeof tcp) > 0)
        printf("tcp:     %s\n", tcp);
    if (elf.mft.nfiles)
        printf("files:   %u (%u bytes)\n", elf.mft.nfiles, elf.mft.files_bytes);
    return 0;
}

/* ---- pith run ---- */

static void run_usage(void)
{
    printf("usage: pith run [-t unix|spt|virtio] IMAGE [OPTIONS] [-- ARGS...]\n"
           "Runs IMAGE on its target (read from the image): through the spt "
           "tender,\ndirectly for unix, under QEMU for virtio. Run as root, "
           "it creates tap\ndevices that do not exist yet.\n\n");
    tender_usage_options();
    printf("virtio only:\n"
           "  --machine=M           QEMU machine: microvm (default), pc, "
           "q35\n"
           "  --qemu=PATH           the QEMU to run (default "
           "qemu-system-x86_64)\n"
           "  --accel=kvm|tcg       QEMU's accelerator (default: kvm "
           "where it works)\n"
           "  --dry-run             print the QEMU command, do not run it\n"
           "  --emit-firecracker-config=FILE\n"
           "                        write a Firecracker configuration for "
           "the image\n"
           "                        and its devices to FILE (- for stdout) "
           "instead\n");
}

static int cmd_run(int argc, char **argv)
{
    struct tender_opts o;
    struct tender_elf elf;
    const char *tname = NULL, *virtio_opt = NULL;
    struct vmm_opts vo = {0};
    char **args = calloc((size_t)argc + 2, sizeof *args), tender[PATH_MAX];
    uint32_t want;
    unsigned i;
    int j, n = 1, rc;

    /* Take -t and the virtio options off; the rest goes to the tender. */
    for (j = 1; j < argc; j++) {
        const char *a = argv[j], **into = NULL;
        if (!strcmp(a, "--"))
            break;
        if (!strncmp(a, "--machine=", 10))
            into = &vo.machine;
        else if (!strncmp(a, "--qemu=", 7))
            into = &vo.qemu;
        else if (!strncmp(a, "--accel=", 8))
            into = &vo.accel;
        else if (!strncmp(a, "--emit-firecracker-config=", 26))
            into = &vo.firecracker;
        if (into || !strcmp(a, "--dry-run")) {
            if (into)
                *into = strchr(a, '=') + 1;
            else
                vo.dry_run = 1;
            virtio_opt = a;
            memmove(argv + j, argv + j + 1, sizeof *argv * (size_t)(argc - j));
            argc--;
            j--;
            continue;
        }
        if (!strcmp(argv[j], "-t") || !strcmp(argv[j], "--target")) {
            if (j + 1 == argc) {
                tender_err("run: %s needs a target", argv[j]);
                return 2;
            }
            tname = argv[j + 1];
            memmove(argv + j, argv + j + 2,
                    sizeof *argv * (size_t)(argc - j - 1));
            argc -= 2;
            j--;
        }
    }
    rc = tender_parse(argc, argv, 1, &o);
    if (rc == 1) {
        run_usage();
        return 0;
    }
    if (rc < 0)
        return 2;
    if (load_note(o.image, &elf) < 0)
        return 1;
    if (tname) {
        if (target_of(tname, &want) < 0)
            return 2;
        if (want != elf.mft.target) {
            tender_err("run: %s was built for %s, not %s", o.image,
                       pith_mft_target_name(elf.mft.target), tname);
            return 2;
        }
    }
    if (virtio_opt && elf.mft.target != PITH_TARGET_VIRTIO) {
        tender_err("run: %s is for virtio images; %s is a %s image", virtio_opt,
                   o.image, pith_mft_target_name(elf.mft.target));
        return 2;
    }
    for (i = 0; i < o.nbind; i++) {
        const struct tender_bind *b = &o.bind[i];
        if (vo.firecracker || vo.dry_run)
            break;
        if (b->kind != PITH_MFT_NET || tender_if_exists(b->host) ||
            geteuid() != 0)
            continue;
        if (tender_tap_create(b->host) < 0)
            return 1;
        fprintf(stderr,
                "pith: created tap device %s (remove it with 'ip "
                "link del %s')\n",
                b->host, b->host);
    }
    if (elf.mft.target == PITH_TARGET_VIRTIO)
        return vmm_run(&o, &elf.mft, &vo);
    if (elf.mft.target == PITH_TARGET_SPT) {
        if (fmt(tender, sizeof tender, "%s/pith-spt", bindir) < 0)
            return 1;
        args[0] = tender;
        for (j = 1; j < argc; j++)
            args[n++] = argv[j];
    } else {
        /* The unix image is its own tender: IMAGE first, then the rest. */
        for (j = 1; j < argc; j++)
            if (argv[j] == o.image)
                args[0] = argv[j];
            else
                args[n++] = argv[j];
        if (!strchr(args[0], '/')) {
            if (fmt(tender, sizeof tender, "./%s", o.image) < 0)
                return 1;
            args[0] = tender;
        }
    }
    args[n] = NULL;
    fflush(NULL);
    execv(args[0], args);
    tender_err("run: %s: %s", args[0], strerror(errno));
    return 1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: pith COMMAND [ARGS]\n"
               "Builds network services as unikernels.\n\n"
               "  new DIR        create an app folder that builds as it is\n"
               "  build [APPDIR] build an app into an image (unix, spt, "
               "virtio)\n"
               "  run IMAGE      run an image on its target\n"
               "  inspect IMAGE  print the manifest recorded in an image\n\n"
               "'pith COMMAND --help' says more.\n");
}

int main(int argc, char **argv)
{
    tender_prog = "pith";
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "new"))
        return cmd_new(argc - 1, argv + 1);
    if (!strcmp(argv[1], "inspect"))
        return cmd_inspect(argc - 1, argv + 1);
    if (find_root() < 0)
        return 1;
    if (!strcmp(argv[1], "build"))
        return cmd_build(argc - 1, argv + 1);
    if (!strcmp(argv[1], "run"))
        return cmd_run(argc - 1, argv + 1);
    tender_err("unknown command '%s' (try pith --help)", argv[1]);
    return 2;
}
