# lib/ev: the event core (timers, deferred work, device watchers), the one
# loop of an image. It needs nothing but the platform contract.
ev_SRCS := lib/ev/ev.c
ev_DEPS :=

# The unit test brings its own fake platform (clock, yield, console,
# abort) and runs under ASan and UBSan.
EV_TEST_SRCS := $(ROOT)/lib/ev/ev.c $(ROOT)/lib/ev/ev_test.c
EV_TEST_DEPS := $(EV_TEST_SRCS) $(ROOT)/include/pith/ev.h \
                $(ROOT)/include/pith/plat.h $(ROOT)/include/pith/err.h \
                $(ROOT)/tests/unit.h $(ROOT)/mk/flags.mk \
                $(ROOT)/lib/ev/module.mk

$(B)/tests/ev_test: $(EV_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(ROOT)/tests -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $@ $(EV_TEST_SRCS)

UNIT_TESTS += $(B)/tests/ev_test

# So that `make build/tests/ev_test` from the top directory works too.
build/tests/ev_test: $(B)/tests/ev_test
