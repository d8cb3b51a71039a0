# pith-spt, the spt tender (host program, linked with libseccomp).
TOOLS += $(B)/bin/pith-spt

$(B)/bin/pith-spt: $(addprefix $(ROOT)/,tender/spt/spt.c \
                   $(TENDER_COMMON_SRCS)) $(wildcard $(ROOT)/tender/*/*.h \
                   $(ROOT)/include/pith/*.h $(ROOT)/plat/spt/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^) -lseccomp
