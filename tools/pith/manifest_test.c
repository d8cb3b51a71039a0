/* Unit tests for the manifest file parser: what it accepts, and that every
 * refusal names the file, the line and what was expected. */
#include "manifest.h"
#include "unit.h"

#include <string.h>

static struct pith_mft m;
static char err[512];

static int parse(const char *text)
{
    err[0] = '\0';
    return manifest_parse("app/manifest", text, strlen(text), PITH_TARGET_SPT,
                          NULL, &m, err, sizeof err);
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
    REFUSE("name a\n\nnet\n", "app/manifest:3: expected 'net NAME'");
    REFUSE("name a\nblock x y\n", "app/manifest:2: expected 'block NAME'");
    REFUSE("name a\nnet x\nblock x\n",
           "app/manifest:3: device 'x' declared twice");
    REFUSE("name a\nnet x.y\n", "app/manifest:2: bad device name 'x.y': "
                                "expected 1 to 31 of [A-Za-z0-9_-]");
    REFUSE("name a\ndevice net x\n",
           "app/manifest:2: unknown keyword 'device': expected name, net, "
           "block or modules");
    REFUSE("name a\nmodules\n", "app/manifest:2: expected 'modules NAME...'");
    REFUSE("name "
           "abcdefghijabcdefghijabcdefghijab\n",
           "app/manifest:1: bad app name "
           "'abcdefghijabcdefghijabcdefghijab': expected 1 to 31 of "
           "[A-Za-z0-9_-]");
}

static void test_nul_inside(void)
{
    static const char text[] = "name a\n\0net x\n";
    T_CHECK(manifest_parse("f", text, sizeof text - 1, PITH_TARGET_SPT, NULL,
                           &m, err, sizeof err) == -1);
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
                           only_alloc, &m, err, sizeof err) == 0);
    T_CHECK(manifest_parse("m", "name a\nmodules alloc tcp\n", 25,
                           PITH_TARGET_UNIX, only_alloc, &m, err,
                           sizeof err) == -1);
    T_CHECKF(strcmp(err, "m:2: unknown module 'tcp'") == 0, "got '%s'", err);
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
    T_RUN(test_errors);
    T_RUN(test_nul_inside);
    T_RUN(test_limits);
    T_RUN(test_module_check);
    T_RUN(test_check_rejects);
    return t_done();
}
