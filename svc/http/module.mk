# svc/http: an HTTP/1.1 server engine (svc/http/http.h): the request
# parser (parse.c: RFC 9112 framing, strict against smuggling) and what a
# server needs to answer (resp.c: response heads, dates, media types,
# validators, ranges, content codings, targets as paths). No I/O, no
# allocation. `modules http` links it.
http_SRCS := svc/http/parse.c svc/http/resp.c
http_DEPS := bv

HTTP_SRCS := svc/http/parse.c svc/http/resp.c lib/bv/bv.c
HTTP_HDRS := $(wildcard $(ROOT)/svc/http/*.h) $(ROOT)/include/pith/bv.h \
             $(ROOT)/include/pith/err.h $(ROOT)/tests/unit.h \
             $(ROOT)/mk/flags.mk $(ROOT)/svc/http/module.mk

$(B)/tests/http_test: $(ROOT)/svc/http/http_test.c \
                      $(addprefix $(ROOT)/,$(HTTP_SRCS)) $(HTTP_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(ROOT)/tests -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $@ $(filter %.c,$^)
UNIT_TESTS += $(B)/tests/http_test
build/tests/http_test: $(B)/tests/http_test

# The parser, fed whole and in pieces, and every helper on the input.
FUZZERS += http
http_FUZZ_SRCS := svc/http/http_fuzz.c $(HTTP_SRCS)
$(B)/fuzz/http: $(HTTP_HDRS)
