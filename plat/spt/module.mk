# The spt target, image side.
plat_spt_SRCS := plat/linux/linux.c plat/spt/spt.c
