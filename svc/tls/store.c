/*
 * Certificates from a store of files (<pith/kv.h>): baked into the
 * image, or a tar archive on a block device. See tls.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pith/kv.h>
#include "tls.h"
#include "tls_int.h"

/*
 * Points (*data) at the whole of (e): its bytes in memory, or a copy
 * read into (*copy) (malloc'd; the caller wipes and frees it). Returns
 * PITH_OK, PITH_ELIMIT past TLS_PEM_MAX, PITH_ENOMEM or PITH_EIO.
 */
static int whole(struct kv *kv, const struct kv_entry *e, const uint8_t **data,
                 uint8_t **copy)
{
    long n;

    *copy = NULL;
    if (e->data) {
        *data = e->data;
        return PITH_OK;
    }
    if (e->size > TLS_PEM_MAX)
        return PITH_ELIMIT;
    *copy = malloc(e->size ? (size_t)e->size : 1);
    if (!*copy)
        return PITH_ENOMEM;
    n = kv_read(kv, e, 0, *copy, (size_t)e->size);
    if (n != (long)e->size) {
        free(*copy);
        *copy = NULL;
        return PITH_EIO;
    }
    *data = *copy;
    return PITH_OK;
}

static void drop(uint8_t *copy, uint64_t size)
{
    if (copy) {
        tls_wipe(copy, (size_t)size);
        free(copy);
    }
}

/* Adds the certificate at (crt) with its key, serving (names). */
static int add_one(struct tls_server *s, struct kv *kv,
                   const struct kv_entry *crt, const char *names,
                   unsigned flags, char *err, size_t errlen)
{
    char key_path[512], why[200];
    const uint8_t *chain, *key;
    uint8_t *chain_copy, *key_copy;
    struct kv_entry k;
    int rc;

    if ((size_t)snprintf(key_path, sizeof key_path, "%.*s.key",
                         (int)(strlen(crt->path) - 4),
                         crt->path) >= sizeof key_path) {
        snprintf(err, errlen, "%s: name too long", crt->path);
        return PITH_EINVAL;
    }
    if (kv_get(kv, key_path, &k) < 0) {
        snprintf(err, errlen, "%s: no key beside it (%s)", crt->path, key_path);
        return PITH_ENOENT;
    }
    rc = whole(kv, crt, &chain, &chain_copy);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", crt->path, pith_strerror(rc));
        return rc;
    }
    rc = whole(kv, &k, &key, &key_copy);
    if (rc < 0) {
        drop(chain_copy, crt->size);
        snprintf(err, errlen, "%s: %s", key_path, pith_strerror(rc));
        return rc;
    }
    rc = tls_server_add_pem(s, names, chain, (size_t)crt->size, key,
                            (size_t)k.size, flags, why, sizeof why);
    if (rc < 0)
        snprintf(err, errlen, "%s, %s: %s", crt->path, key_path, why);
    drop(chain_copy, crt->size);
    drop(key_copy, k.size);
    return rc;
}

int tls_server_add_kv(struct tls_server *s, struct kv *kv, const char *dir,
                      const char *default_name, char *err, size_t errlen)
{
    char name[256], dummy[1];
    size_t i, n = kv_count(kv), dlen = strlen(dir), added = 0;
    struct kv_entry e;

    if (!err || !errlen)
        err = dummy, errlen = sizeof dummy;
    err[0] = '\0';
    for (i = 0; i < n; i++) {
        const char *base;
        int rc;
        if (kv_at(kv, i, &e) < 0)
            break;
        if (dlen && (strncmp(e.path, dir, dlen) != 0 || e.path[dlen] != '/'))
            continue;
        base = e.path + (dlen ? dlen + 1 : 0);
        if (strchr(base, '/'))
            continue;
        rc = tls_cert_file_names(base, name, sizeof name);
        if (rc == 0)
            continue;
        if (rc < 0) {
            snprintf(err, errlen, "%s: name too long or empty", e.path);
            return PITH_EINVAL;
        }
        rc = add_one(s, kv, &e, name, tls_cert_flags(name, default_name), err,
                     errlen);
        if (rc < 0)
            return rc;
        added++;
    }
    return (int)added;
}
