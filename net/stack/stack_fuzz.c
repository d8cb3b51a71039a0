/*
 * Fuzz target for net/stack: the input is a nettest program of raw frames
 * (every layer reachable), clock steps, sends and re-learning, with the
 * stack's invariants checked at every step. The input also goes, split
 * at NUL bytes into words, through net_config_parse(), whose result must
 * be a usable configuration or a one-line error.
 */
#include <stdint.h>
#include <string.h>
#include <pith/err.h>

#include "nettest.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

static void fuzz_config(const uint8_t *data, size_t size)
{
    static char buf[4096 + 1];
    char *argv[65], err[96];
    struct net_config c;
    size_t i, len = size < 4096 ? size : 4096;
    int argc = 1, rc;

    memcpy(buf, data, len);
    buf[len] = '\0';
    argv[0] = buf + len; /* "" as the program name */
    for (i = 0; i < len && argc < 64; i++)
        if ((i == 0 || buf[i - 1] == '\0') && buf[i] != '\0')
            argv[argc++] = buf + i;
    rc = net_config_parse(argc, argv, &c, err, sizeof err);
    if (rc == PITH_OK) {
        CHECK(c.prefix <= 32);
        CHECK(c.gateway == 0 || c.addr != 0);
    } else {
        CHECK(rc == PITH_EINVAL && err[0] != '\0' && !strchr(err, '\n'));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_config(data, size);
    nt_fuzz(data, size, NT_WRAP_NONE);
    return 0;
}
