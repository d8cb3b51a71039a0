# The unix target: plat layer plus the host start-up it shares with tenders.
plat_unix_SRCS := plat/linux/linux.c plat/unix/unix.c $(TENDER_COMMON_SRCS)
