# deeplens-backup - top-level build.
#
#   make            build ./deeplens-backup
#   make check      warning-free -Werror build, unit tests under ASan+UBSan,
#                   then integration and console tests on a real engine
#                   (tests/env/up.sh installs and starts what they need)
#   make unit       unit tests only (no engine), sanitizer build
#   make lint       shellcheck on the job and test scripts, mandoc -Tlint (in check)
#   make fuzz       libFuzzer targets tests/fuzz/fuzz_*.c, FUZZ_SECONDS each
#                   (needs clang: apt-get install clang libclang-rt-14-dev)
#   make bench      benchmarks (figures, never pass/fail)
#   make demo       the local demo environment, then the console on it
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        the Debian package (dpkg-buildpackage, lintian) in build/deb/
#
# Sources are found, not listed: every src/**/*.c except src/main.c goes into
# the library; every tests/{unit,integration}/**/test_*.c is one test program.

PROG     := deeplens-backup
VERSION  := 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DATADIR  ?= $(PREFIX)/share/$(PROG)
DESTDIR  ?=

CC       ?= cc
PKG_CONFIG ?= pkg-config
PKGS     := ncursesw formw menuw panelw libcurl libcjson
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

B        ?= build
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith -Wvla -Wno-unused-parameter \
            -Wno-format-truncation
ifeq ($(WERROR),1)
WARN     += -Werror
endif
ifeq ($(SAN),1)
CFLAGS   := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
              -Iinclude -I$(B)/gen $(WARN) $(PKG_CFLAGS) \
              -DDL_VERSION='"$(VERSION)"' -DDL_DATADIR='"$(DATADIR)"' $(CPPFLAGS) $(CFLAGS)

LIB_SRC   := $(sort $(shell find src -name '*.c' ! -path src/main.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
LIB       := $(B)/libdeeplens.a
UNIT_SRC  := $(sort $(shell find tests/unit -name 'test_*.c' 2>/dev/null))
UNIT_BIN  := $(UNIT_SRC:%.c=$(B)/%)
INTEG_SRC := $(sort $(shell find tests/integration -name 'test_*.c' 2>/dev/null))
INTEG_BIN := $(INTEG_SRC:%.c=$(B)/%)
# Every tests/fuzz/fuzz_*.c is a libFuzzer target (make fuzz, clang) and,
# linked with replay.c, a corpus replay the unit step runs (gcc, sanitizers).
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/%.c=%)
REPLAY_BIN := $(FUZZ_NAMES:%=$(B)/tests/fuzz/replay/%)
FUZZ_BIN  := $(FUZZ_NAMES:%=$(B)/tests/fuzz/bin/%)
TEST_HELPERS := $(sort $(shell find tests/lib -name '*.c' 2>/dev/null))
TEST_HELPER_OBJ := $(TEST_HELPERS:%.c=$(B)/%.o)

# Files that run inside the backup container are kept as real shell scripts
# (so they can be linted and run by hand) and compiled in as string literals.
JOB_SRC   := $(sort $(wildcard src/backup/job/*.sh))
JOB_GEN   := $(JOB_SRC:src/backup/job/%.sh=$(B)/gen/job_%.inc)

.PHONY: all check unit integration tui bench demo install uninstall clean lint lint-sh lint-man fuzz fuzz-bin deb
.DEFAULT_GOAL := all

all: $(PROG)

$(PROG): $(B)/src/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/%.o: %.c | $(JOB_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/gen/job_%.inc: src/backup/job/%.sh
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@.tmp && mv $@.tmp $@

$(B)/tests/%: tests/%.c $(LIB) $(TEST_HELPER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/lib -MMD -MP $(LDFLAGS) -o $@ $< $(TEST_HELPER_OBJ) $(LIB) $(PKG_LIBS) $(CMOCKA_LIBS) -lpthread

$(B)/tests/fuzz/replay/%: tests/fuzz/%.c $(B)/tests/fuzz/replay.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(B)/tests/fuzz/replay.o $(LIB) $(PKG_LIBS) -lpthread

$(B)/tests/fuzz/bin/%: tests/fuzz/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) -lpthread

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# --- tests -----------------------------------------------------------------
# Every suite speaks TAP; tests/run.sh runs them and prints the closing
# "N passed, N failed" line. check = the whole thing, from a fresh machine.
unit-bin: $(UNIT_BIN) $(REPLAY_BIN)
integ-bin: $(INTEG_BIN)

unit:
	$(MAKE) --no-print-directory B=build/asan SAN=1 WERROR=1 unit-bin
	tests/run.sh --unit build/asan

integration: all integ-bin
	tests/run.sh --integration $(B)

tui: all
	tests/run.sh --tui $(B)

check:
	tests/env/up.sh
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory WERROR=1 all integ-bin
	$(MAKE) --no-print-directory B=build/asan SAN=1 WERROR=1 unit-bin
	tests/run.sh --all $(B) build/asan

# libFuzzer + ASan + UBSan, one build of the library with coverage. Installs
# nothing: without clang's libFuzzer it says which package to install.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -O1 -g -Wno-unknown-warning-option -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link
fuzz:
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
	    $(FUZZ_CC) -x c -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null || { \
	    echo "make fuzz: '$(FUZZ_CC)' with libFuzzer is needed: apt-get install clang" \
	         "libclang-rt-14-dev (Debian 12), or FUZZ_CC=clang-NN" >&2; exit 2; }
	$(MAKE) --no-print-directory B=build/fuzz CC=$(FUZZ_CC) SAN= CFLAGS='$(FUZZ_CFLAGS)' \
	    LDFLAGS='-fsanitize=address,undefined' fuzz-bin
	tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-bin: $(FUZZ_BIN)

bench: all
	tests/bench/run.sh

demo:
	tests/env/up.sh
	$(MAKE) --no-print-directory all
	tests/env/demo.sh

# lint: shellcheck (warnings and errors) on the job's scripts as sh (they run
# under busybox ash; dash is the nearest shell shellcheck knows) and on every
# test and environment script; mandoc -Tlint on the man page. Part of check.
LINT_SH := $(sort $(shell find tests contrib -name '*.sh'))
lint: lint-sh lint-man

lint-sh:
	shellcheck -s dash -S warning $(JOB_SRC)
	shellcheck -x -S warning $(LINT_SH)

lint-man:
	mandoc -Tlint -W warning man/$(PROG).1

# --- install ---------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/themes
	install -m 0755 $(PROG) $(DESTDIR)$(BINDIR)/$(PROG)
	install -m 0644 man/$(PROG).1 $(DESTDIR)$(MANDIR)/man1/$(PROG).1
	install -m 0644 themes/*.theme $(DESTDIR)$(DATADIR)/themes/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG) $(DESTDIR)$(MANDIR)/man1/$(PROG).1
	rm -rf $(DESTDIR)$(DATADIR)

# The package is built from a copy of the tree (dpkg-buildpackage writes
# beside the source), then checked by lintian; tests/integration/pkg/deb.test.sh installs
# it in a clean container.
deb:
	contrib/build-deb.sh build/deb

clean:
	rm -rf build $(PROG)
