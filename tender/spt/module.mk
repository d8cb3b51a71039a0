# pith-spt, the spt tender (host program, linked with libseccomp). Static
# PIE: no dynamic loading at start, and it stays clear of guest memory at
# 0x100000, where a plain static binary would be linked.
TOOLS += $(B)/bin/pith-spt

$(B)/bin/pith-spt: $(addprefix $(ROOT)/,tender/spt/spt.c \
                   $(TENDER_COMMON_SRCS)) $(wildcard $(ROOT)/tender/*/*.h \
                   $(ROOT)/include/pith/*.h $(ROOT)/plat/spt/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -static-pie -o $@ $(filter %.c,$^) -lseccomp
