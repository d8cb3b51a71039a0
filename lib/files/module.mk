# lib/files: files baked into the image (include/pith/files.h). A `files`
# line in the manifest links it; `pith build` generates the table it reads
# (pith_files, in $(OBJDIR)/files.S, linked by mk/app.mk with the module).
files_SRCS := lib/files/files.c
files_DEPS :=

# The unit test brings its own table (files_test.c), and a second build
# of it an empty one; both under ASan and UBSan.
FILES_TEST_SRCS := $(ROOT)/lib/files/files.c $(ROOT)/lib/files/files_test.c
FILES_TEST_DEPS := $(FILES_TEST_SRCS) $(ROOT)/include/pith/files.h \
                   $(ROOT)/include/pith/err.h $(ROOT)/tests/unit.h \
                   $(ROOT)/mk/flags.mk $(ROOT)/lib/files/module.mk
FILES_TEST_CFLAGS := $(HOST_CFLAGS) -I$(ROOT)/tests -fno-omit-frame-pointer \
                     -fsanitize=address,undefined -fno-sanitize-recover=all

$(B)/tests/files_test: $(FILES_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(FILES_TEST_CFLAGS) -o $@ $(FILES_TEST_SRCS)

$(B)/tests/files_test_empty: $(FILES_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(FILES_TEST_CFLAGS) -DFILES_TEST_EMPTY -o $@ $(FILES_TEST_SRCS)

UNIT_TESTS += $(B)/tests/files_test $(B)/tests/files_test_empty

# So that `make build/tests/files_test` from the top directory works too.
build/tests/files_test: $(B)/tests/files_test
build/tests/files_test_empty: $(B)/tests/files_test_empty
