# Host helpers that end-to-end tests use as peers.
TEST_TOOLS := $(B)/testtools/rawpeer $(B)/testtools/udpcheck \
              $(B)/testtools/badframes $(B)/testtools/impair
unit: $(TEST_TOOLS)
$(B)/testtools/%: $(ROOT)/tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $<
