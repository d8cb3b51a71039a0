/* Files baked into the image. See include/pith/files.h. */
#include <pith/err.h>
#include <pith/files.h>
#include <string.h>

int files_get(const char *path, const uint8_t **data, size_t *size)
{
    size_t lo = 0, hi = pith_nfiles;

    if (!path)
        return PITH_EINVAL;
    /* The table is sorted in strcmp() order by `pith build`. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(path, pith_files[mid].path);
        if (c == 0) {
            if (data)
                *data = pith_files[mid].data;
            if (size)
                *size = pith_files[mid].size;
            return PITH_OK;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return PITH_ENOENT;
}

size_t files_count(void)
{
    return pith_nfiles;
}

const struct pith_file *files_at(size_t i)
{
    return i < pith_nfiles ? &pith_files[i] : NULL;
}
