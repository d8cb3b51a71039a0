# Builds one app image. Driven by `pith build`, which passes:
#   ROOT    the pith tree          APPDIR  the app's folder
#   APP     the app's name         TARGET  unix | spt | virtio
#   MODULES the manifest's modules OBJDIR  where objects go
#   MFT_S   the generated manifest note (assembler)
#   FILES_S the generated table of the manifest's files (assembler)
#   OUT     the image to write     SANITIZE=1 (unix) for ASan + UBSan
# The image links the runtime, the target's platform layer and exactly the
# modules the manifest names, with unreferenced sections collected. Apps
# include service headers by folder: #include <dns/auth.h> (svc/dns).

.DEFAULT_GOAL := image
include $(ROOT)/mk/flags.mk
B := $(OBJDIR)
include $(wildcard $(ROOT)/lib/*/module.mk $(ROOT)/net/*/module.mk \
                   $(ROOT)/svc/*/module.mk $(ROOT)/tender/common/module.mk \
                   $(ROOT)/plat/*/module.mk)

# A module.mk may name the modules it needs in M_DEPS; the image links the
# closure of the manifest's list.
mod_closure = $(foreach m,$(1),$(m) $(call mod_closure,$($(m)_DEPS)))
ALL_MODULES = $(sort $(call mod_closure,$(MODULES)))
MOD_SRCS  = $(foreach m,$(ALL_MODULES),$($(m)_SRCS) $($(m)_SRCS_$(TARGET)))
# A module.mk may also name compiler flags for every object of the image
# (NAME_CFLAGS: its header may need them) and libraries to link (NAME_LIBS).
MOD_CFLAGS = $(foreach m,$(ALL_MODULES),$($(m)_CFLAGS))
MOD_LIBS   = $(foreach m,$(ALL_MODULES),$($(m)_LIBS))
APP_SRCS := $(notdir $(wildcard $(APPDIR)/*.c))

ifeq ($(TARGET),spt)
ROOT_SRCS = $(rt_SRCS) $(libc_SRCS) $(plat_spt_SRCS) $(MOD_SRCS)
CFLAGS   := $(FREE_CFLAGS)
LINK      = $(CC) -nostdlib -static -no-pie \
            -Wl,-T,$(ROOT)/plat/spt/spt.lds -Wl,--gc-sections \
            -Wl,-z,noexecstack -Wl,-z,max-page-size=4096 \
            -Wl,--build-id=none -Wl,-z,norelro -Wl,--nmagic
LIBS     := -lgcc
else ifeq ($(TARGET),virtio)
ROOT_SRCS = $(rt_SRCS) $(libc_SRCS) $(plat_virtio_SRCS) $(MOD_SRCS)
# Frame pointers for the crash report's backtrace.
CFLAGS   := $(FREE_CFLAGS) -fno-omit-frame-pointer
LINK      = $(CC) -nostdlib -static -no-pie \
            -Wl,-T,$(ROOT)/plat/virtio/virtio.lds -Wl,--gc-sections \
            -Wl,-z,noexecstack -Wl,-z,max-page-size=4096 \
            -Wl,--build-id=none -Wl,-z,norelro
LIBS     := -lgcc
else ifeq ($(TARGET),unix)
ROOT_SRCS = $(rt_SRCS) $(plat_unix_SRCS) $(MOD_SRCS)
CFLAGS   := $(HOST_CFLAGS) -fstack-protector-strong -ffunction-sections \
            -fdata-sections
ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
endif
LINK      = $(CC) $(filter -fsanitize=%,$(CFLAGS)) -Wl,--gc-sections
LIBS     :=
else
$(error TARGET must be unix, spt or virtio)
endif
CFLAGS   += $(MOD_CFLAGS)

ROOT_OBJS = $(patsubst %,$(OBJDIR)/root/%.o,$(basename $(sort $(ROOT_SRCS))))
APP_OBJS  = $(patsubst %.c,$(OBJDIR)/app/%.o,$(APP_SRCS))
OBJS      = $(ROOT_OBJS) $(APP_OBJS) $(OBJDIR)/manifest.o
# The files module reads the table `pith build` generates from the files
# lines (include/pith/files.h); pith rewrites FILES_S only when a file
# changed, so the data is reassembled only then.
ifneq ($(filter files,$(ALL_MODULES)),)
OBJS     += $(OBJDIR)/files.o
endif

$(OBJDIR)/root/lib/libc/%.o: EXTRA := $(LIBC_CFLAGS)

$(OBJDIR)/root/%.o: $(ROOT)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(EXTRA) -MMD -MP -c -o $@ $<

$(OBJDIR)/root/%.o: $(ROOT)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(OBJDIR)/app/%.o: $(APPDIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(APPDIR) -I$(ROOT)/svc -MMD -MP -c -o $@ $<

$(OBJDIR)/manifest.o: $(MFT_S)
	$(CC) -c -o $@ $<

$(OBJDIR)/files.o: $(FILES_S)
	$(CC) -c -o $@ $<

$(OBJDIR)/$(APP).elf: $(OBJS)
	$(LINK) -o $@ $(OBJS) $(MOD_LIBS) $(LIBS)

.PHONY: image
image: $(OBJDIR)/$(APP).elf
ifneq ($(TARGET),unix)
	strip -o $(OUT) $<
else
	cp $< $(OUT)
endif

-include $(OBJS:.o=.d)
