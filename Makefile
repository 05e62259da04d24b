# sshtrail build.  Targets: all (default), test, check (alias), san (tests
# under ASan and UBSan), fuzz and fuzz-build (libFuzzer harnesses), clean.  Debian's libraries are found by pkg-config.

CC ?= cc
BUILD ?= build
PKG_CONFIG ?= pkg-config

# CI sets WERROR=1 so a warning fails the build.
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wvla -Wformat=2 -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif

# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer, TSAN=1
# with ThreadSanitizer (for the threads of --jobs).
ifeq ($(SAN),1)
OPT = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
      -fno-sanitize-recover=undefined
else ifeq ($(TSAN),1)
OPT = -O1 -g -fsanitize=thread -fno-omit-frame-pointer
else
OPT = -O2 -g
endif

# Debian libraries: cJSON for JSON inputs, libxml2 for Sysmon's XML,
# libsystemd for reading journal files directly, libyaml for the
# configuration file, PCRE2 for suspicious-execution patterns, SQLite for
# the state file.
PKGS = libcjson libxml-2.0 libsystemd yaml-0.1 libpcre2-8 sqlite3

CPPFLAGS += -Isrc -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            $(shell $(PKG_CONFIG) --cflags $(PKGS))
CFLAGS += -std=c11 $(OPT) $(WARN)
LDLIBS += $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm

AUPARSE_CFLAGS := $(shell $(PKG_CONFIG) --cflags auparse 2>/dev/null)
AUPARSE_LIBS := $(shell $(PKG_CONFIG) --libs auparse 2>/dev/null || echo -lauparse)

LIB_SRC := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
DEPS := $(LIB_OBJ:.o=.d) $(BUILD)/src/cli/main.d

TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

.PHONY: all tests test check san clean style bench fuzz fuzz-build

all: $(BUILD)/sshtrail

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libsshtrail.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/sshtrail: $(BUILD)/src/cli/main.o $(BUILD)/libsshtrail.a
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) \
                  src/formats/syslog_header_twin.h $(BUILD)/libsshtrail.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $< $(BUILD)/libsshtrail.a \
	    $(LDLIBS) -o $@

# Test tools that link libauparse, the reference audit parser.
$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libsshtrail.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(AUPARSE_CFLAGS) $(CFLAGS) $< \
	    $(BUILD)/libsshtrail.a $(AUPARSE_LIBS) $(LDLIBS) -o $@

tests: $(TEST_BIN) $(TOOL_BIN)

test check: all tests
	SSHTRAIL_BUILD=$(BUILD) bash tests/run.sh

san:
	$(MAKE) BUILD=build-san SAN=1 test

# Fuzzing: libFuzzer harnesses under fuzz/, built with clang and
# ASan/UBSan into their own folder, never mixed with $(BUILD).  `make fuzz
# FUZZ_SECONDS=30` builds the seed corpus and runs every harness that long,
# one after the other (fuzz/run.sh keeps the total under 15 minutes).
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
# UBSan reports stay recoverable so fuzz/ubsan.supp can list open bugs;
# the harnesses set halt_on_error=1, so every other report is a crash.
FUZZ_CFLAGS = -std=c11 -O1 -g -fno-omit-frame-pointer \
              -fsanitize=fuzzer,address,undefined $(WARN)
FUZZ_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_BIN := $(patsubst fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard fuzz/fuzz_*.c))

$(FUZZ_BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/libsshtrail.a: $(FUZZ_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h \
                      src/formats/syslog_header_twin.h \
                      $(FUZZ_BUILD)/libsshtrail.a
	$(FUZZ_CC) $(CPPFLAGS) -Ifuzz $(FUZZ_CFLAGS) $< \
	    $(FUZZ_BUILD)/libsshtrail.a $(LDLIBS) -o $@

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	bash fuzz/build_corpus.sh $(FUZZ_BUILD)/corpus
	bash fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Timed runs on generated inputs (bench/run.sh); not part of the tests.
bench: all
	SSHTRAIL_BIN=$(CURDIR)/$(BUILD)/sshtrail bash bench/run.sh

style:
	clang-format --dry-run --Werror src/*/*.c src/*/*.h

clean:
	rm -rf build build-san build-tsan build-fuzz

-include $(DEPS) $(wildcard $(FUZZ_BUILD)/src/*/*.d)
