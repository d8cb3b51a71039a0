# pith: top-level build. `make` builds the tool and the tenders; `make test`
# runs the whole suite; `make bench` the benchmarks. Apps are built by the
# `pith` tool (tools/pith), which drives mk/app.mk.

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
B    := $(ROOT)/build
include $(ROOT)/mk/flags.mk

.PHONY: all test unit bench format format-check clean
all:

# Each module's module.mk adds its unit tests to UNIT_TESTS (paths of test
# binaries under $(B)/tests) and the rules that build them.
UNIT_TESTS :=
include $(wildcard $(ROOT)/lib/*/module.mk $(ROOT)/tender/*/module.mk \
                   $(ROOT)/tools/*/module.mk $(ROOT)/plat/*/module.mk \
                   $(ROOT)/tests/module.mk)

all: $(TOOLS)
unit: $(UNIT_TESTS)

test: all unit
	$(ROOT)/tests/run

bench: all
	$(ROOT)/bench/run

FORMAT_FILES = $(shell cd $(ROOT) && git ls-files --cached --others \
                 --exclude-standard '*.c' '*.h')
format:
	cd $(ROOT) && clang-format -i $(FORMAT_FILES)
format-check:
	cd $(ROOT) && clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf $(B)
