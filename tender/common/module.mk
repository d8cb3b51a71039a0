# Host-side code shared by the tenders, the unix target and the pith tool.
TENDER_COMMON_SRCS := tender/common/args.c tender/common/devices.c \
                      tender/common/elf.c
