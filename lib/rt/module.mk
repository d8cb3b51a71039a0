# rt: the runtime every image links (plat_main -> app_main).
rt_SRCS := lib/rt/rt.c lib/rt/err.c
