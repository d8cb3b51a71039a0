/*
 * Certificates from the files baked into the image (<pith/files.h>). See
 * tls.h.
 */
#include <stdio.h>
#include <string.h>
#include <pith/files.h>
#include "tls.h"
#include "tls_int.h"

/*
 * lib/files is linked only into images whose manifest has a `files`
 * line; through weak references an image without one links too, and
 * these are NULL there.
 */
extern int files_get(const char *path, const uint8_t **data, size_t *size)
    __attribute__((weak));
extern size_t files_count(void) __attribute__((weak));
extern const struct pith_file *files_at(size_t i) __attribute__((weak));

int tls_server_add_files(struct tls_server *s, const char *names,
                         const char *chain_path, const char *key_path,
                         unsigned flags, char *err, size_t errlen)
{
    const uint8_t *chain, *key;
    size_t chain_len, key_len;
    char why[200];
    int rc;

    if (!files_get || files_get(chain_path, &chain, &chain_len) < 0 ||
        files_get(key_path, &key, &key_len) < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s or %s: no such file in the image",
                     chain_path, key_path);
        return PITH_ENOENT;
    }
    rc = tls_server_add_pem(s, names, chain, chain_len, key, key_len, flags,
                            why, sizeof why);
    if (rc < 0 && err && errlen)
        snprintf(err, errlen, "%s, %s: %s", chain_path, key_path, why);
    return rc;
}

/* Whether (s) ends with (suffix). */
static int ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);

    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Whether the space-separated (names) include (name). */
static int has_name(const char *names, const char *name)
{
    size_t len = strlen(name);

    while (*names) {
        size_t n = strcspn(names, " ");
        if (n == len && memcmp(names, name, n) == 0)
            return 1;
        names += n;
        while (*names == ' ')
            names++;
    }
    return 0;
}

/*
 * The names a certificate file serves, by tls_server_add_dir()'s
 * convention, from its base name (base) ("a.org,*.a.org@rsa.crt"):
 * space-separated into (name) of (cap) bytes. Returns 1 when (base) is a
 * certificate's file (NAMES[@ANY].crt), 0 when it is another file, and
 * -1 when its names are empty or too long.
 */
int tls_cert_file_names(const char *base, char *name, size_t cap)
{
    size_t blen = strlen(base), nlen, j;

    if (!ends_with(base, blen, ".crt") || blen == 4)
        return 0;
    nlen = strcspn(base, "@");
    if (nlen > blen - 4)
        nlen = blen - 4;
    if (nlen == 0 || nlen >= cap)
        return -1;
    for (j = 0; j < nlen; j++)
        name[j] = base[j] == ',' ? ' ' : base[j];
    name[nlen] = '\0';
    return 1;
}

/* Whether (default_name) is one of the space-separated (names). */
unsigned tls_cert_flags(const char *names, const char *default_name)
{
    return default_name && has_name(names, default_name) ? TLS_CERT_DEFAULT : 0;
}

int tls_server_add_dir(struct tls_server *s, const char *dir,
                       const char *default_name, char *err, size_t errlen)
{
    char key_path[512], name[256];
    size_t i, n, dlen = strlen(dir), added = 0;

    if (!files_count || !files_at || !files_get)
        return 0;
    n = files_count();
    for (i = 0; i < n; i++) {
        const struct pith_file *f = files_at(i);
        const char *base = f->path + dlen + 1;
        int rc;
        if (strncmp(f->path, dir, dlen) != 0 || f->path[dlen] != '/' ||
            strchr(base, '/'))
            continue;
        rc = tls_cert_file_names(base, name, sizeof name);
        if (rc == 0)
            continue;
        if (rc < 0 || (size_t)snprintf(key_path, sizeof key_path, "%.*s.key",
                                       (int)(strlen(f->path) - 4),
                                       f->path) >= sizeof key_path) {
            if (err && errlen)
                snprintf(err, errlen, "%s: name too long or empty", f->path);
            return PITH_EINVAL;
        }
        rc = tls_server_add_files(s, name, f->path, key_path,
                                  tls_cert_flags(name, default_name), err,
                                  errlen);
        if (rc < 0)
            return rc;
        added++;
    }
    return (int)added;
}
