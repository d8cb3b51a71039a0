/* errno: one variable for the image, which has one thread. */
#include <errno.h>

static int errno_value;

int *__errno_location(void)
{
    return &errno_value;
}
