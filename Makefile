# pith: top-level build. `make` builds the tool and the tenders; `make test`
# runs the whole suite; `make bench` the benchmarks. Apps are built by the
# `pith` tool (tools/pith), which drives mk/app.mk.

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
B    := $(ROOT)/build
include $(ROOT)/mk/flags.mk

.PHONY: all test unit bench fuzz format format-check clean
all:

# Each module's module.mk adds its unit tests to UNIT_TESTS (paths of test
# binaries under $(B)/tests) and the rules that build them, and its fuzz
# targets to FUZZERS (names; NAME_FUZZ_SRCS lists the sources, the first
# being the LLVMFuzzerTestOneInput file; its folder's corpus/ is the seed
# corpus, unless NAME_CORPUS names another folder; NAME_FUZZ_LIBS are
# linked after them).
UNIT_TESTS :=
FUZZERS :=
include $(wildcard $(ROOT)/lib/*/module.mk $(ROOT)/net/*/module.mk \
                   $(ROOT)/svc/*/module.mk \
                   $(ROOT)/tender/*/module.mk \
                   $(ROOT)/tools/*/module.mk $(ROOT)/plat/*/module.mk \
                   $(ROOT)/tests/module.mk)

all: $(TOOLS)
unit: $(UNIT_TESTS) $(B)/fuzz/list

# Fuzz targets: libFuzzer with ASan and UBSan. The suite replays each seed
# corpus and fuzzes briefly (tests/e2e/fuzz.sh); `make fuzz` fuzzes for
# FUZZ_TIME seconds each, keeping new inputs in build/fuzz/NAME.corpus.
FUZZ_CC     := clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=undefined -I$(ROOT)/include \
               -I$(ROOT)/tests -D_GNU_SOURCE
FUZZ_TIME   ?= 600
FUZZ_BINS    = $(addprefix $(B)/fuzz/,$(FUZZERS))

.SECONDEXPANSION:
$(FUZZ_BINS): $(B)/fuzz/%: $$(addprefix $(ROOT)/,$$($$*_FUZZ_SRCS)) \
              $(wildcard $(ROOT)/include/pith/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) $($*_FUZZ_LIBS)

$(B)/fuzz/list: $(FUZZ_BINS) $(MAKEFILE_LIST)
	@mkdir -p $(dir $@)
	@: >$@
	@$(foreach f,$(FUZZERS),echo "$(f) $(ROOT)/$(or $($(f)_CORPUS),$(dir \
	    $(firstword $($(f)_FUZZ_SRCS)))corpus)" >>$@;)

fuzz: $(B)/fuzz/list
	@while read -r name corpus; do \
	    mkdir -p $(B)/fuzz/$$name.corpus; \
	    echo "fuzzing $$name for $(FUZZ_TIME) s"; \
	    $(B)/fuzz/$$name -max_total_time=$(FUZZ_TIME) -timeout=5 \
	        $(B)/fuzz/$$name.corpus $$corpus || exit 1; \
	done <$<

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
