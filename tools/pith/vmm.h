/*
 * `pith run` for virtio images: the QEMU command line that boots one with
 * its declared devices, and the equivalent Firecracker configuration.
 */
#ifndef PITH_TOOL_VMM_H
#define PITH_TOOL_VMM_H

#include <pith/mft.h>
#include "../../tender/common/tender.h"

struct vmm_opts {
    const char *machine;     /* microvm (default), pc or q35 */
    const char *qemu;        /* the QEMU binary; default qemu-system-x86_64 */
    const char *accel;       /* kvm or tcg; default: kvm when it works */
    const char *firecracker; /* write a Firecracker config here, not run */
    int dry_run;             /* print the command, do not run it */
};

/*
 * Boots (o->image), whose manifest is (m), under QEMU (KVM when it can
 * run guests here, TCG otherwise) with the bindings of (o), after printing the
 * command on stderr; waits, and returns the image's exit status as the
 * image gave it (QEMU's isa-debug-exit carries 0 to 126; plat/virtio's
 * console.c), or 125 with a message when the VM ended without one.
 */
int vmm_run(const struct tender_opts *o, const struct pith_mft *m,
            const struct vmm_opts *v);

#endif
