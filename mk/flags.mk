# Compiler flags shared by the host build (tools, tenders, unit tests, the
# unix target) and the freestanding image build (spt). Included with ROOT set.

CC      ?= gcc
WARN    := -Wall -Wextra -Wshadow -Wcast-qual -Wsign-compare -Wwrite-strings \
           -Werror
GCC_INC := $(shell $(CC) -print-file-name=include)

# Host code: ordinary hosted C with glibc.
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I$(ROOT)/include -D_GNU_SOURCE

# Freestanding image code: no host headers, no host libc; pith's own libc.
# Stack protector on (the platform provides the canary at %fs:0x28), every
# function and object in its own section so --gc-sections keeps only what
# is reached. _LIBC_LIMITS_H_ makes gcc's limits.h self-contained.
FREE_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -nostdinc \
           -isystem $(GCC_INC) -I$(ROOT)/lib/libc/include -I$(ROOT)/include \
           -fno-pie -fno-pic -fstack-protector-strong -ffunction-sections \
           -fdata-sections -fno-asynchronous-unwind-tables \
           -fno-common -DPITH_FREESTANDING -D_LIBC_LIMITS_H_

# libc's own sources must not have their loops turned into calls to the
# very functions they implement.
LIBC_CFLAGS := -fno-tree-loop-distribute-patterns
