/* Unit tests for the manifest file parser: what it accepts, and that every
 * refusal names the file, the line and what was expected. */
#include "manifest.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static struct pith_mft m;
static char err[512];

static int parse(const char *text)
{
    err[0] = '\0';
    return manifest_parse("app/manifest", text, strlen(text), PITH_TARGET_SPT,
                          NULL, &m, NULL, err, sizeof err);
}

static int only_alloc(const char *name)
{
    return strcmp(name, "alloc") == 0;
}

static void test_full(void)
{
    const char *why;
    T_CHECK(parse("# comment\n\nname  dns-primary \t# trailing\n"
                  "net service\nnet internal\nblock storage\n"
                  "modules alloc net\nmodules dns\n") == 0);
    T_CHECK(strcmp(m.app, "dns-primary") == 0);
    T_CHECK(m.ndev == 3);
    T_CHECK(strcmp(m.dev[0].name, "service") == 0 &&
            m.dev[0].kind == PITH_MFT_NET);
    T_CHECK(strcmp(m.dev[1].name, "internal") == 0);
    T_CHECK(strcmp(m.dev[2].name, "storage") == 0 &&
            m.dev[2].kind == PITH_MFT_BLOCK);
    T_CHECK(strcmp(m.modules, "alloc net dns") == 0);
    T_CHECK(m.version == PITH_MFT_VERSION && m.target == PITH_TARGET_SPT);
    T_CHECK(pith_mft_check(&m, &why) == 0);
}

/* Devices the operator may leave unbound. */
static void test_optional(void)
{
    const char *why;
    T_CHECK(parse("name a\nnet service\nblock zones optional # if bound\n"
                  "net uplink\toptional\r\n") == 0);
    T_CHECK(m.ndev == 3 && m.dev[0].flags == 0 &&
            m.dev[1].flags == PITH_MFT_DEV_OPTIONAL &&
            m.dev[1].kind == PITH_MFT_BLOCK &&
            m.dev[2].flags == PITH_MFT_DEV_OPTIONAL &&
            m.dev[2].kind == PITH_MFT_NET);
    T_CHECK(pith_mft_check(&m, &why) == 0);
    {
        /* The note records the flag after the kind. */
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        T_CHECK(f && manifest_write_asm(&m, f) == 0);
        if (f)
            fclose(f);
        T_CHECK(buf && strstr(buf, "    .long 1, 0\n    .byte 122,") &&
                strstr(buf, "    .long 2, 1\n    .byte 117,") &&
                strstr(buf, "    .long 1, 1\n"));
        free(buf);
    }
    m.dev[1].flags = 2;
    T_CHECK(pith_mft_check(&m, &why) == -1 &&
            strcmp(why, "unknown device flags in manifest") == 0);
}

static void test_minimal_crlf(void)
{
    T_CHECK(parse("name hello\r\n") == 0);
    T_CHECK(strcmp(m.app, "hello") == 0 && m.ndev == 0 && !m.modules[0]);
    T_CHECK(parse("name last-line-without-newline") == 0);
}

#define REFUSE(text, msg)                                                      \
    do {                                                                       \
        T_CHECK(parse(text) == -1);                                            \
        T_CHECKF(strcmp(err, msg) == 0, "got '%s'", err);                      \
    } while (0)

static void test_errors(void)
{
    REFUSE("", "app/manifest: no 'name NAME' line");
    REFUSE("net service\n", "app/manifest: no 'name NAME' line");
    REFUSE("name a\nname b\n", "app/manifest:2: 'name' given twice");
    REFUSE("name\n", "app/manifest:1: expected 'name NAME'");
    REFUSE("name a b\n", "app/manifest:1: expected 'name NAME'");
    REFUSE("name a/b\n", "app/manifest:1: bad app name 'a/b': expected 1 "
                         "to 31 of [A-Za-z0-9_-]");
    REFUSE("name a\n\nnet\n", "app/manifest:3: expected 'net NAME' or "
                              "'net NAME optional'");
    REFUSE("name a\nblock x y\n", "app/manifest:2: expected 'block NAME' "
                                  "or 'block NAME optional'");
    REFUSE("name a\nblock x optional y\n",
           "app/manifest:2: expected 'block NAME' or 'block NAME optional'");
    REFUSE("name a\nnet x Optional\n",
           "app/manifest:2: expected 'net NAME' or 'net NAME optional'");
    REFUSE("name a\nnet x\nblock x\n",
           "app/manifest:3: device 'x' declared twice");
    REFUSE("name a\nnet x.y\n", "app/manifest:2: bad device name 'x.y': "
                                "expected 1 to 31 of [A-Za-z0-9_-]");
    REFUSE("name a\ndevice net x\n",
           "app/manifest:2: unknown keyword 'device': expected name, net, "
           "block, modules, tcp or files");
    REFUSE("name a\nmodules\n", "app/manifest:2: expected 'modules NAME...'");
    REFUSE("name "
           "abcdefghijabcdefghijabcdefghijab\n",
           "app/manifest:1: bad app name "
           "'abcdefghijabcdefghijabcdefghijab': expected 1 to 31 of "
           "[A-Za-z0-9_-]");
}

static void test_tcp(void)
{
    const char *why;
    char buf[160];

    T_CHECK(parse("name a\n") == 0);
    T_CHECK(m.tcp.conns == 0 && m.tcp.sndbuf == 0 && m.tcp.rcvbuf == 0 &&
            m.tcp.mem == 0 && m.tcp.backlog == 0 && m.tcp.time_wait == 0);
    T_CHECK(manifest_tcp_str(&m.tcp, buf, sizeof buf) == 0 && !buf[0]);

    T_CHECK(parse("name a\ntcp conns=1000 sndbuf=64K rcvbuf=256K mem=32M "
                  "backlog=128 time-wait=1024\n") == 0);
    T_CHECK(m.tcp.conns == 1000 && m.tcp.sndbuf == 64 * 1024 &&
            m.tcp.rcvbuf == 256 * 1024 && m.tcp.mem == 32u << 20 &&
            m.tcp.backlog == 128 && m.tcp.time_wait == 1024);
    T_CHECK(pith_mft_check(&m, &why) == 0);
    T_CHECK(manifest_tcp_str(&m.tcp, buf, sizeof buf) > 0);
    T_CHECKF(strcmp(buf, "conns=1000 sndbuf=64K rcvbuf=256K mem=32M "
                         "backlog=128 time-wait=1024") == 0,
             "got '%s'", buf);
    T_CHECK(manifest_tcp_str(&m.tcp, buf, 20) == -1);

    /* Any subset, any order, plain bytes; a later value overrides. */
    T_CHECK(parse("tcp rcvbuf=5000 # bytes\nname a\n\ttcp  conns=7\r\n"
                  "tcp conns=9 sndbuf=1M sndbuf=8K\n") == 0);
    T_CHECK(m.tcp.conns == 9 && m.tcp.sndbuf == 8192 && m.tcp.rcvbuf == 5000 &&
            m.tcp.mem == 0 && m.tcp.backlog == 0 && m.tcp.time_wait == 0);
    T_CHECK(manifest_tcp_str(&m.tcp, buf, sizeof buf) > 0);
    T_CHECKF(strcmp(buf, "conns=9 sndbuf=8K rcvbuf=5000") == 0, "got '%s'",
             buf);
}

static void test_tcp_bounds(void)
{
    T_CHECK(parse("name a\ntcp sndbuf=4096 rcvbuf=4K mem=64K conns=1 "
                  "backlog=1 time-wait=1\n") == 0);
    T_CHECK(m.tcp.sndbuf == 4096 && m.tcp.rcvbuf == 4096 &&
            m.tcp.mem == 65536 && m.tcp.conns == 1 && m.tcp.backlog == 1 &&
            m.tcp.time_wait == 1);
    T_CHECK(parse("name a\ntcp sndbuf=16M rcvbuf=16777216 mem=4095M "
                  "conns=1000000 backlog=1000000 time-wait=1000000\n") == 0);
    T_CHECK(m.tcp.sndbuf == 16u << 20 && m.tcp.rcvbuf == 16u << 20 &&
            m.tcp.mem == 4095u << 20 && m.tcp.conns == 1000000 &&
            m.tcp.backlog == 1000000 && m.tcp.time_wait == 1000000);
    T_CHECK(parse("name a\ntcp mem=4293918720 sndbuf=16384K\n") == 0);
    T_CHECK(m.tcp.mem == 4095u << 20 && m.tcp.sndbuf == 16u << 20);

    REFUSE("name a\ntcp sndbuf=4095\n",
           "app/manifest:2: tcp: sndbuf=4095 out of range 4K..16M");
    REFUSE("name a\ntcp sndbuf=1K\n",
           "app/manifest:2: tcp: sndbuf=1K out of range 4K..16M");
    REFUSE("name a\ntcp rcvbuf=16777217\n",
           "app/manifest:2: tcp: rcvbuf=16777217 out of range 4K..16M");
    REFUSE("name a\ntcp rcvbuf=17M\n",
           "app/manifest:2: tcp: rcvbuf=17M out of range 4K..16M");
    REFUSE("name a\ntcp mem=65535\n",
           "app/manifest:2: tcp: mem=65535 out of range 64K..4095M");
    REFUSE("name a\ntcp mem=4096M\n",
           "app/manifest:2: tcp: mem=4096M out of range 64K..4095M");
    REFUSE("name a\ntcp mem=4293918721\n",
           "app/manifest:2: tcp: mem=4293918721 out of range 64K..4095M");
    REFUSE("name a\ntcp conns=0\n",
           "app/manifest:2: tcp: conns=0 out of range 1..1000000");
    REFUSE("name a\ntcp backlog=1000001\n",
           "app/manifest:2: tcp: backlog=1000001 out of range 1..1000000");
    REFUSE("name a\ntcp time-wait=0\n",
           "app/manifest:2: tcp: time-wait=0 out of range 1..1000000");
}

static void test_tcp_errors(void)
{
    REFUSE("name a\ntcp\n", "app/manifest:2: expected 'tcp KEY=VALUE...'");
    REFUSE("name a\n\n\ntcp sndbuf=12Q\n",
           "app/manifest:4: tcp: bad value 'sndbuf=12Q': expected a size "
           "such as 64K");
    REFUSE("name a\ntcp conns=1000 foo=1\n",
           "app/manifest:2: tcp: unknown key 'foo': expected conns, sndbuf, "
           "rcvbuf, mem, backlog or time-wait");
    REFUSE("name a\ntcp foo\n",
           "app/manifest:2: tcp: unknown key 'foo': expected conns, sndbuf, "
           "rcvbuf, mem, backlog or time-wait");
    REFUSE("name a\ntcp time_wait=5\n",
           "app/manifest:2: tcp: unknown key 'time_wait': expected conns, "
           "sndbuf, rcvbuf, mem, backlog or time-wait");
    REFUSE("name a\ntcp =5\n",
           "app/manifest:2: tcp: unknown key '': expected conns, sndbuf, "
           "rcvbuf, mem, backlog or time-wait");
    REFUSE("name a\ntcp conns\n",
           "app/manifest:2: tcp: bad value 'conns': expected a number");
    REFUSE("name a\ntcp conns=\n",
           "app/manifest:2: tcp: bad value 'conns=': expected a number");
    REFUSE("name a\ntcp conns=1K\n",
           "app/manifest:2: tcp: bad value 'conns=1K': expected a number");
    REFUSE("name a\ntcp backlog=-1\n",
           "app/manifest:2: tcp: bad value 'backlog=-1': expected a number");
    REFUSE("name a\ntcp mem=\n",
           "app/manifest:2: tcp: bad value 'mem=': expected a size such as "
           "64K");
    REFUSE("name a\ntcp mem=K\n",
           "app/manifest:2: tcp: bad value 'mem=K': expected a size such as "
           "64K");
    REFUSE("name a\ntcp mem=64k\n",
           "app/manifest:2: tcp: bad value 'mem=64k': expected a size such "
           "as 64K");
    REFUSE("name a\ntcp mem=64KB\n",
           "app/manifest:2: tcp: bad value 'mem=64KB': expected a size such "
           "as 64K");
    REFUSE("name a\ntcp mem=1G\n",
           "app/manifest:2: tcp: bad value 'mem=1G': expected a size such "
           "as 64K");
    REFUSE("name a\ntcp mem= 64K\n",
           "app/manifest:2: tcp: bad value 'mem=': expected a size such as "
           "64K");
    REFUSE("name a\ntcp sndbuf=0x1000\n",
           "app/manifest:2: tcp: bad value 'sndbuf=0x1000': expected a size "
           "such as 64K");
    REFUSE("name a\ntcp mem=4096K4\n",
           "app/manifest:2: tcp: bad value 'mem=4096K4': expected a size "
           "such as 64K");
    /* Beyond 32 bits: out of range, never wrapped into it. */
    REFUSE("name a\ntcp mem=4294967296\n",
           "app/manifest:2: tcp: mem=4294967296 out of range 64K..4095M");
    REFUSE("name a\ntcp mem=4194304K\n",
           "app/manifest:2: tcp: mem=4194304K out of range 64K..4095M");
    REFUSE("name a\ntcp mem=4294967295M\n",
           "app/manifest:2: tcp: mem=4294967295M out of range 64K..4095M");
    REFUSE("name a\ntcp conns=99999999999999999999\n",
           "app/manifest:2: tcp: conns=99999999999999999999 out of range "
           "1..1000000");
    REFUSE("name a\ntcp sndbuf=18446744073709551617M\n",
           "app/manifest:2: tcp: sndbuf=18446744073709551617M out of range "
           "4K..16M");
    /* The first bad word of a line is reported; nothing is half-applied
     * that a caller could see, since parse fails as a whole. */
    REFUSE("name a\ntcp conns=5 sndbuf=1\n",
           "app/manifest:2: tcp: sndbuf=1 out of range 4K..16M");
}

/* The note written as assembler holds exactly sizeof(struct pith_mft)
 * bytes after the pith_mft label, the tcp limits among them. */
static void test_write_asm(void)
{
    char *buf = NULL, *line, *save = NULL, header[64];
    size_t len = 0, bytes = 0;
    int in = 0, tcp_seen = 0;
    FILE *f = open_memstream(&buf, &len);

    T_CHECK(parse("name a\nnet x\ntcp conns=1000 sndbuf=64K rcvbuf=256K "
                  "mem=32M backlog=128 time-wait=1024\n") == 0);
    if (!f) {
        T_CHECK(f != NULL);
        return;
    }
    T_CHECK(manifest_write_asm(&m, f) == 0);
    fclose(f);
    /* namesz, then descsz: the whole struct */
    snprintf(header, sizeof header, "    .long 5\n    .long %zu\n",
             sizeof(struct pith_mft));
    T_CHECK(strstr(buf, header) != NULL);
    for (line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        size_t items = 1;
        const char *p;
        if (strcmp(line, "pith_mft:") == 0) {
            in = 1;
            continue;
        }
        if (!in || strncmp(line, "    .size", 9) == 0) {
            in = 0;
            continue;
        }
        for (p = line; *p; p++)
            items += *p == ',';
        if (strncmp(line, "    .byte ", 10) == 0)
            bytes += items;
        else if (strncmp(line, "    .long ", 10) == 0)
            bytes += 4 * items;
        else
            T_CHECKF(0, "unexpected line '%s'", line);
        if (strcmp(line, "    .long 1000, 65536, 262144, 33554432, 128, "
                         "1024, 0, 0") == 0)
            tcp_seen = 1;
    }
    T_CHECKF(bytes == sizeof(struct pith_mft), "%zu bytes", bytes);
    T_CHECK(tcp_seen);
    free(buf);
}

static void test_nul_inside(void)
{
    static const char text[] = "name a\n\0net x\n";
    T_CHECK(manifest_parse("f", text, sizeof text - 1, PITH_TARGET_SPT, NULL,
                           &m, NULL, err, sizeof err) == -1);
    T_CHECKF(strcmp(err, "f:2: NUL byte in text") == 0, "got '%s'", err);
}

static void test_limits(void)
{
    char text[4096];
    size_t n = 0;
    int i;

    n += (size_t)snprintf(text + n, sizeof text - n, "name a\n");
    for (i = 0; i < PITH_MFT_DEV_MAX; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "net d%d\n", i);
    T_CHECK(parse(text) == 0 && m.ndev == PITH_MFT_DEV_MAX);
    snprintf(text + n, sizeof text - n, "block one-more\n");
    T_CHECK(parse(text) == -1);
    T_CHECKF(strcmp(err, "app/manifest:18: more than 16 devices") == 0,
             "got '%s'", err);

    memset(text, 'x', 600);
    memcpy(text, "name ", 5);
    text[600] = '\0';
    T_CHECK(parse(text) == -1);
    T_CHECKF(strcmp(err, "app/manifest:1: line longer than 510 characters") ==
                 0,
             "got '%s'", err);
}

static void test_module_check(void)
{
    T_CHECK(manifest_parse("m", "name a\nmodules alloc\n", 21, PITH_TARGET_UNIX,
                           only_alloc, &m, NULL, err, sizeof err) == 0);
    T_CHECK(manifest_parse("m", "name a\nmodules alloc tcp\n", 25,
                           PITH_TARGET_UNIX, only_alloc, &m, NULL, err,
                           sizeof err) == -1);
    T_CHECKF(strcmp(err, "m:2: unknown module 'tcp'") == 0, "got '%s'", err);
}

static struct manifest_files files;

static int parse_files(const char *text)
{
    err[0] = '\0';
    return manifest_parse("app/manifest", text, strlen(text), PITH_TARGET_SPT,
                          NULL, &m, &files, err, sizeof err);
}

static void test_files(void)
{
    T_CHECK(parse_files("name a\nfiles zones site/\n\nfiles www/static// "
                        "_buildx .well-known\n") == 0);
    T_CHECK(files.n == 5);
    T_CHECK(strcmp(files.dir[0].path, "zones") == 0 && files.dir[0].line == 2);
    T_CHECK(strcmp(files.dir[1].path, "site") == 0 && files.dir[1].line == 2);
    T_CHECK(strcmp(files.dir[2].path, "www/static") == 0 &&
            files.dir[2].line == 4);
    T_CHECK(strcmp(files.dir[3].path, "_buildx") == 0);
    T_CHECK(strcmp(files.dir[4].path, ".well-known") == 0);
    /* The line brings its module, once. */
    T_CHECKF(strcmp(m.modules, "files") == 0, "got '%s'", m.modules);
    T_CHECK(parse_files("name a\nfiles d\nmodules alloc\n") == 0);
    T_CHECKF(strcmp(m.modules, "alloc files") == 0, "got '%s'", m.modules);
    T_CHECK(parse_files("name a\nmodules files alloc\nfiles d\n") == 0);
    T_CHECKF(strcmp(m.modules, "files alloc") == 0, "got '%s'", m.modules);
    T_CHECK(parse_files("name a\nmodules filesx\nfiles d\n") == 0);
    T_CHECKF(strcmp(m.modules, "filesx files") == 0, "got '%s'", m.modules);
    /* Without the line, no files and no module. */
    T_CHECK(parse_files("name a\nmodules alloc\n") == 0);
    T_CHECK(files.n == 0 && strcmp(m.modules, "alloc") == 0);
    /* Folders that overlap only by a prefix of their names do not. */
    T_CHECK(parse_files("name a\nfiles ab a a-b a.b\n") == 0 && files.n == 4);
}

#define REFUSE_FILES(text, msg)                                                \
    do {                                                                       \
        T_CHECK(parse_files(text) == -1);                                      \
        T_CHECKF(strcmp(err, msg) == 0, "got '%s'", err);                      \
    } while (0)

#define BAD_FOLDER(line, dir)                                                  \
    "app/manifest:" line ": files: bad folder '" dir "': expected a path "     \
    "inside the app folder, such as site or zones/primary"

static void test_files_errors(void)
{
    char text[4096];
    size_t n;
    int i;

    REFUSE_FILES("name a\nfiles\n", "app/manifest:2: expected 'files DIR...'");
    REFUSE_FILES("name a\nfiles /etc\n", BAD_FOLDER("2", "/etc"));
    REFUSE_FILES("name a\nfiles /\n", BAD_FOLDER("2", "/"));
    REFUSE_FILES("name a\nfiles ok ../x\n", BAD_FOLDER("2", "../x"));
    REFUSE_FILES("name a\nfiles a/../b\n", BAD_FOLDER("2", "a/../b"));
    REFUSE_FILES("name a\nfiles a/..\n", BAD_FOLDER("2", "a/.."));
    REFUSE_FILES("name a\nfiles .\n", BAD_FOLDER("2", "."));
    REFUSE_FILES("name a\nfiles ./\n", BAD_FOLDER("2", "./"));
    REFUSE_FILES("name a\nfiles ./a\n", BAD_FOLDER("2", "./a"));
    REFUSE_FILES("name a\nfiles a//b\n", BAD_FOLDER("2", "a//b"));
    REFUSE_FILES("name a\nfiles _build\n",
                 "app/manifest:2: files: bad folder '_build': _build holds "
                 "what pith build makes");
    REFUSE_FILES("name a\nfiles _build/spt/\n",
                 "app/manifest:2: files: bad folder '_build/spt/': _build "
                 "holds what pith build makes");
    REFUSE_FILES("name a\nfiles a\nfiles a/\n",
                 "app/manifest:3: files: 'a' listed twice");
    REFUSE_FILES("name a\nfiles a\nfiles b a/b\n",
                 "app/manifest:3: files: 'a/b' overlaps 'a' (line 2)");
    REFUSE_FILES("name a\nfiles x/y/z x/y\n",
                 "app/manifest:2: files: 'x/y' overlaps 'x/y/z' (line 2)");
    /* The module check applies to the module the line brings. */
    T_CHECK(manifest_parse("m", "name a\nfiles d\n", 15, PITH_TARGET_SPT,
                           only_alloc, &m, &files, err, sizeof err) == -1);
    T_CHECKF(strcmp(err, "m:2: files: cannot add the module 'files'") == 0,
             "got '%s'", err);

    n = (size_t)snprintf(text, sizeof text, "name a\n");
    for (i = 0; i < MANIFEST_FILES_MAX; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "files d%d\n", i);
    T_CHECK(parse_files(text) == 0 && files.n == MANIFEST_FILES_MAX);
    snprintf(text + n, sizeof text - n, "files one-more\n");
    REFUSE_FILES(text, "app/manifest:34: files: more than 32 folders");
}

static void test_check_rejects(void)
{
    const char *why;
    T_CHECK(parse("name a\nnet x\n") == 0);
    m.version = 99;
    T_CHECK(pith_mft_check(&m, &why) == -1);
    T_CHECK(parse("name a\nnet x\n") == 0);
    m.dev[0].kind = 7;
    T_CHECK(pith_mft_check(&m, &why) == -1);
    T_CHECK(parse("name a\nnet x\n") == 0);
    m.ndev = 17;
    T_CHECK(pith_mft_check(&m, &why) == -1);
    T_CHECK(parse("name a\nnet x\nnet y\n") == 0);
    memcpy(m.dev[1].name, "x", 2);
    T_CHECK(pith_mft_check(&m, &why) == -1);
    T_CHECK(parse("name a\n") == 0);
    memset(m.app, 'a', sizeof m.app);
    T_CHECK(pith_mft_check(&m, &why) == -1);
}

int main(void)
{
    T_RUN(test_full);
    T_RUN(test_minimal_crlf);
    T_RUN(test_optional);
    T_RUN(test_errors);
    T_RUN(test_tcp);
    T_RUN(test_tcp_bounds);
    T_RUN(test_tcp_errors);
    T_RUN(test_write_asm);
    T_RUN(test_nul_inside);
    T_RUN(test_limits);
    T_RUN(test_module_check);
    T_RUN(test_check_rejects);
    T_RUN(test_files);
    T_RUN(test_files_errors);
    return t_done();
}
