# Host-side code shared by the tenders, the unix target and the pith tool.
TENDER_COMMON_SRCS := tender/common/args.c tender/common/devices.c \
                      tender/common/elf.c lib/bv/bv.c

# The ELF checker reads untrusted images: fuzz it.
FUZZERS += elf
elf_FUZZ_SRCS := tender/common/elf_fuzz.c tender/common/elf.c lib/bv/bv.c
