/*
 * The runtime: the glue between the platform's plat_main() and the app.
 *
 * An app implements app_main(). The runtime, called by the platform,
 * starts the allocator over the heap region when the app links the alloc
 * module, splits the command line into arguments and calls app_main();
 * app_main's return value becomes the image's exit status.
 */
#ifndef PITH_RT_H
#define PITH_RT_H

#include <pith/plat.h>

/* Most arguments app_main() receives, including argv[0]. */
#define RT_ARGS_MAX 64
/* Longest command line the runtime accepts, with its NUL. */
#define RT_CMDLINE_MAX 4096

/*
 * Implemented by the app. (argv[0]) is the app's name from its manifest;
 * the others are the words of the command line. (argv) stays valid until
 * exit.
 */
int app_main(int argc, char **argv);

/* The start information the platform passed; valid until exit. */
const struct plat_start_info *rt_start_info(void);

#endif
