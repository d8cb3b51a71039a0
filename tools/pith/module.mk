# The pith command-line tool (host program).
TOOLS += $(B)/bin/pith

PITH_TOOL_SRCS := tools/pith/pith.c tools/pith/manifest.c \
                  tools/pith/embed.c tools/pith/vmm.c $(TENDER_COMMON_SRCS)
$(B)/bin/pith: $(addprefix $(ROOT)/,$(PITH_TOOL_SRCS)) \
               $(wildcard $(ROOT)/tools/pith/*.h $(ROOT)/tender/common/*.h \
               $(ROOT)/include/pith/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^)

UNIT_TESTS += $(B)/tests/manifest_test
$(B)/tests/manifest_test: $(ROOT)/tools/pith/manifest_test.c \
                          $(ROOT)/tools/pith/manifest.c \
                          $(wildcard $(ROOT)/tools/pith/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -I$(ROOT)/tests -I$(ROOT)/tools/pith -fsanitize=address,undefined \
	    -o $@ $(filter %.c,$^)

# The manifest parser reads files users write: fuzz it.
FUZZERS += manifest
manifest_FUZZ_SRCS := tools/pith/manifest_fuzz.c tools/pith/manifest.c
