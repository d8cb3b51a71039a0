# svc/dns: DNS (svc/dns/dns.h): names, records and messages (name.c,
# rdata.c, msg.c), zones from master files (zone.c), the authoritative
# answerer (auth.c, auth.h). `modules dns` links it with the allocator.
dns_SRCS := svc/dns/name.c svc/dns/rdata.c svc/dns/msg.c svc/dns/zone.c \
            svc/dns/auth.c
dns_DEPS := bv alloc

DNS_CODEC_SRCS := svc/dns/name.c svc/dns/rdata.c svc/dns/msg.c lib/bv/bv.c
DNS_HDRS := $(wildcard $(ROOT)/svc/dns/*.h) $(ROOT)/include/pith/bv.h \
            $(ROOT)/include/pith/err.h $(ROOT)/tests/unit.h \
            $(ROOT)/mk/flags.mk $(ROOT)/svc/dns/module.mk

# $(call DNS_UNIT_TEST,NAME,SRCS): build/tests/NAME from svc/dns/NAME.c
# and SRCS, under ASan and UBSan.
define DNS_UNIT_TEST
$(B)/tests/$(1): $(ROOT)/svc/dns/$(1).c $(addprefix $(ROOT)/,$(2)) $(DNS_HDRS)
	@mkdir -p $$(@D)
	$$(CC) $$(HOST_CFLAGS) -I$$(ROOT)/tests -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -o $$@ $$(filter %.c,$$^)
UNIT_TESTS += $(B)/tests/$(1)
build/tests/$(1): $(B)/tests/$(1)
endef

# The codec: names, records, messages.
ifneq ($(wildcard $(ROOT)/svc/dns/dns_test.c),)
$(eval $(call DNS_UNIT_TEST,dns_test,$(DNS_CODEC_SRCS)))
FUZZERS += dns_msg
dns_msg_FUZZ_SRCS := svc/dns/msg_fuzz.c $(DNS_CODEC_SRCS)
$(B)/fuzz/dns_msg: $(DNS_HDRS)
endif

# Zones: the master-file parser and the lookup structure.
ifneq ($(wildcard $(ROOT)/svc/dns/zone_test.c),)
$(eval $(call DNS_UNIT_TEST,zone_test,svc/dns/zone.c $(DNS_CODEC_SRCS)))
FUZZERS += dns_zone
dns_zone_FUZZ_SRCS := svc/dns/zone_fuzz.c svc/dns/zone.c $(DNS_CODEC_SRCS)
dns_zone_CORPUS := svc/dns/zone-corpus/
$(B)/fuzz/dns_zone: $(DNS_HDRS)
endif

# The answerer, zone transfers included: queries from the fuzzer over
# the zones of auth_fuzz.c.
FUZZERS += dns_auth
dns_auth_FUZZ_SRCS := svc/dns/auth_fuzz.c svc/dns/auth.c svc/dns/zone.c \
                      $(DNS_CODEC_SRCS)
dns_auth_CORPUS := svc/dns/auth-corpus/
$(B)/fuzz/dns_auth: $(DNS_HDRS)
