# sandlock - plain GNU Makefile.
#
#   make                 library (shared + static) and the CLI, in build/
#   make check           every test (unit + integration, root and unprivileged)
#   make check-install   make install into a scratch directory, and what it installed
#   make check-asan      the same under AddressSanitizer and UBSan (build-asan/)
#   make check-valgrind  the unit tests under valgrind's memcheck
#   make fuzz            each fuzz target under libFuzzer (clang), FUZZ_SECONDS each
#   make bench           start-up and supervisor benchmarks (prints ratios; not a test)
#   make lint | format   cppcheck + clang-format check | reformat
#   make install PREFIX=/usr/local [DESTDIR=...]   (also LIBDIR, DATADIR, MANDIR...)
#
# Sources are discovered: src/*/*.c is the library, cli/*.c the CLI,
# tests/unit/*.c and tests/integration/*.c one test binary each (with the
# harness), tests/probes/*.c one static helper program each, bench/*.c one
# benchmark program each.

VERSION   := 0.1.0
SOMAJOR   := 0
PREFIX    ?= /usr/local
LIBDIR    ?= $(PREFIX)/lib
INCDIR    ?= $(PREFIX)/include
BINDIR    ?= $(PREFIX)/bin
PCDIR     ?= $(LIBDIR)/pkgconfig
DATADIR   ?= $(PREFIX)/share/sandlock
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

CC        ?= gcc
B         := build
CSTD      := -std=gnu11
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wno-unused-parameter -Wformat=2 -Wvla
OPT       ?= -O2 -g
LDFLAGS   ?=
# src/ by layer (docs/architecture.md): each folder is an include path, so
# an internal header is named by its file name alone
SRC_DIRS  := src/base src/policy src/cow src/plan src/engine src/features src/api
CPPFLAGS  += -Iinclude $(addprefix -I,$(SRC_DIRS)) -D_GNU_SOURCE
CFLAGS    += $(CSTD) $(WARN) $(OPT) -fno-strict-aliasing -fstack-protector-strong \
             -D_FORTIFY_SOURCE=2
SECCOMP_CFLAGS := $(shell pkg-config --cflags libseccomp 2>/dev/null)
SECCOMP_LIBS   := $(shell pkg-config --libs libseccomp 2>/dev/null || echo -lseccomp)
# The CLI takes libseccomp's archive (libseccomp-dev ships it) when there
# is one: a shared object costs its open, mappings and relocations at
# every start (about 65 us a run here).
SECCOMP_A      := $(shell f=$$($(CC) -print-file-name=libseccomp.a); [ -f "$$f" ] && echo "$$f")
CLI_SECCOMP    := $(if $(SECCOMP_A),$(SECCOMP_A),$(SECCOMP_LIBS))
# OpenSSL: only the TLS plugin links it (src/tls/httptls.c, its one
# includer: libsandlock-tls.so.0, loaded by src/features/tlsload.c the first
# time a sandbox intercepts HTTPS).  Linked into the library or the CLI,
# its relocations cost every start about 0.3-0.5 ms, HTTPS or not.
SSL_CFLAGS := $(shell pkg-config --cflags openssl 2>/dev/null)
SSL_LIBS   := $(shell pkg-config --libs openssl 2>/dev/null || echo -lssl -lcrypto)
TLS_SONAME := libsandlock-tls.so.$(SOMAJOR)
TLS_LIB    := $(B)/libsandlock-tls.so.$(VERSION)
TLS_OBJ    := $(B)/obj/tls/httptls.o
TLS_DEPS   := $(B)/obj/src/base/error.o $(B)/obj/src/base/util.o

LIB_SRC   := $(sort $(wildcard $(addsuffix /*.c,$(SRC_DIRS))))
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o)
CLI_SRC   := $(sort $(wildcard cli/*.c))
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/obj/%.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/*.c))
INTEG_SRC := $(sort $(wildcard tests/integration/*.c))
PROBE_SRC := $(sort $(wildcard tests/probes/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
FUZZ_SRC  := $(sort $(filter-out fuzz/replay.c,$(wildcard fuzz/*.c)))
HARNESS   := tests/harness.c

# The default policy's seccomp program, assembled at build time by the
# library's own code (tools/gen_filter.c) and embedded.
GEN_SRC   := $(B)/gen/filter_default.c
GEN_OBJ   := $(B)/obj/gen/filter_default.o
GEN_TOOL  := $(B)/tools/gen_filter

# The syscall name table: every __NR_ name of the native ABI, listed by
# tools/gen_syscalls.sh from the kernel headers the compiler sees (and
# src/policy/sysnr.h's supplement of newer syscalls); regenerated when a
# header changes (its .d).
SYSTAB_SRC := $(B)/gen/syscall_table.c
SYSTAB_OBJ := $(B)/obj/gen/syscall_table.o

SONAME    := libsandlock.so.$(SOMAJOR)
SHLIB     := $(B)/libsandlock.so.$(VERSION)
STLIB     := $(B)/libsandlock.a
CLI       := $(B)/sandlock
PROBES    := $(PROBE_SRC:tests/probes/%.c=$(B)/tests/probes/%)
BENCHES   := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
TESTBINS  := $(if $(UNIT_SRC),$(B)/tests/unit) $(if $(INTEG_SRC),$(B)/tests/integration)
REPLAYS   := $(FUZZ_SRC:fuzz/%.c=$(B)/fuzz/%-replay)

.PHONY: FORCE all check check-install check-asan check-valgrind fuzz test bench lint format install uninstall clean tests
all: $(SHLIB) $(STLIB) $(CLI) $(TLS_LIB) $(B)/sandlock.pc

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(SYSTAB_SRC:.c=.d) $(SYSTAB_OBJ:.o=.d)

# Library objects: PIC, only SL_API symbols exported.
$(B)/obj/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(SECCOMP_CFLAGS) $(CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

# Code that runs between clone and exec (the keeper, the child, the
# capability drop), on the cloning host thread's TLS and in its address
# space, while other host threads run: no call into libc may hide there.
# No stack-protector checks (a failed one calls libc's abort path), no
# loops turned into memcpy/strlen calls, and no sanitizer calls (check-asan:
# its runtime is libc-like code, and these run on stacks it does not know).
RAW_OBJ := $(addprefix $(B)/obj/src/plan/,child.o keeper.o privdrop.o rawclone.o overlay.o)
NO_LIBCALLS := $(if $(findstring clang,$(CC)),-fno-builtin,-fno-tree-loop-distribute-patterns)
$(RAW_OBJ): CFLAGS += -fno-stack-protector $(NO_LIBCALLS) -fno-sanitize=all
# The plugin: its object, with its one exported symbol (sandlock_tls_ops).
$(TLS_OBJ): src/tls/httptls.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(SSL_CFLAGS) $(CFLAGS) -DSL_TLS_PLUGIN -fPIC -fvisibility=hidden -MMD -MP \
	    -c $< -o $@
-include $(TLS_OBJ:.o=.d)

# A plain object of the same source, for the unit tests (they call it
# directly, not through the loader).
$(B)/obj/tls/httptls-test.o: src/tls/httptls.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(SSL_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# The commit of the copy-on-write workdir with its test hook
# (cow_test_stop_at: a commit stopped before a step, as a kill would), for
# the unit tests only; linked before the archive, whose own object (no
# hook) it replaces.
COW_TEST_OBJ := $(B)/obj/src/cow/cowcommit-test.o
$(COW_TEST_OBJ): src/cow/cowcommit.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DSL_COW_TEST_HOOK -MMD -MP -c $< -o $@
-include $(COW_TEST_OBJ:.o=.d)

$(TLS_LIB): $(TLS_OBJ) $(TLS_DEPS)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(TLS_SONAME) -Wl,-z,relro -Wl,-z,now \
	    -o $@ $^ $(SSL_LIBS) -lpthread
	ln -sf $(notdir $@) $(B)/$(TLS_SONAME)

# The install paths the build embeds, each in a stamp file rewritten only
# when its value changes: `make install PREFIX=/opt/x` after a plain
# `make` rebuilds what names them (and only that), so nothing installed
# still points into /usr/local.
STAMP_pc      = $(PREFIX) $(LIBDIR) $(INCDIR) $(VERSION)
STAMP_libdir  = $(LIBDIR)
STAMP_datadir = $(DATADIR)
$(B)/stamp/%: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(STAMP_$*)' | cmp -s - $@ || printf '%s\n' '$(STAMP_$*)' > $@

# where the loader looks last (tlsload.c)
$(B)/obj/src/features/tlsload.o: CPPFLAGS += -DSL_LIBDIR='"$(LIBDIR)"'
$(B)/obj/src/features/tlsload.o: $(B)/stamp/libdir

# where the built-in profiles are installed (cli/profile.c)
$(B)/obj/cli/profile.o: CPPFLAGS += -DSL_DATADIR='"$(DATADIR)"'
$(B)/obj/cli/profile.o: $(B)/stamp/datadir

$(B)/obj/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(SYSTAB_SRC): tools/gen_syscalls.sh
	@mkdir -p $(dir $@)
	sh tools/gen_syscalls.sh $(CC) $(CPPFLAGS) -MD -MP -MF $(@:.c=.d) -MT $@ > $@.tmp && mv $@.tmp $@

$(SYSTAB_OBJ): $(SYSTAB_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

$(GEN_TOOL): tools/gen_filter.c $(LIB_OBJ) $(SYSTAB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(SECCOMP_CFLAGS) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(SYSTAB_OBJ) \
	    $(SECCOMP_LIBS) -lpthread

$(GEN_SRC): $(GEN_TOOL)
	@mkdir -p $(dir $@)
	$(GEN_TOOL) > $@.tmp && mv $@.tmp $@

$(GEN_OBJ): $(GEN_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(SHLIB): $(LIB_OBJ) $(SYSTAB_OBJ) $(GEN_OBJ)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,-z,relro -Wl,-z,now -Wl,--as-needed \
	    -o $@ $^ $(SECCOMP_LIBS) -lpthread
	ln -sf $(notdir $@) $(B)/$(SONAME)
	ln -sf $(SONAME) $(B)/libsandlock.so
	ln -sf $(SONAME) $(B)/libsandlock_ffi.so

$(STLIB): $(LIB_OBJ) $(SYSTAB_OBJ) $(GEN_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The CLI links the static library: one code path with the shared library,
# one fewer object to load at every start.
$(CLI): $(CLI_OBJ) $(STLIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(STLIB) -Wl,--as-needed $(CLI_SECCOMP) -lpthread

$(B)/sandlock.pc: sandlock.pc.in Makefile $(B)/stamp/pc
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' $< > $@.tmp && mv $@.tmp $@

# ---- tests -----------------------------------------------------------------
# Unit tests link the static library so they can reach internal functions;
# integration tests link the shared library exactly as users do.
# They also link the CLI's objects (all but main.c) to test option parsing.
CLI_LIBOBJ := $(filter-out $(B)/obj/cli/main.o,$(CLI_OBJ))
$(B)/tests/unit: $(UNIT_SRC) $(HARNESS) tests/harness.h $(STLIB) $(CLI_LIBOBJ) $(B)/obj/tls/httptls-test.o \
    $(COW_TEST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(SSL_CFLAGS) $(CFLAGS) -Itests -Icli -o $@ $(UNIT_SRC) $(HARNESS) \
	    $(CLI_LIBOBJ) $(B)/obj/tls/httptls-test.o $(COW_TEST_OBJ) $(STLIB) $(SECCOMP_LIBS) \
	    $(SSL_LIBS) -lpthread

$(B)/tests/integration: $(INTEG_SRC) $(HARNESS) tests/harness.h tests/stress.h $(SHLIB) $(TLS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests -o $@ $(INTEG_SRC) $(HARNESS) \
	    -L$(B) -lsandlock -Wl,-rpath,'$$ORIGIN/..' -lpthread

# Probes are static so a sandbox that grants only a few paths can run them
# (built without $(OPT): sanitizers cannot link statically).
$(B)/tests/probes/%: tests/probes/%.c tests/probes/probe_cmds.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 -static -o $@ $< -lpthread

# nprobe has no libc (it must be able to run without one notified
# syscall): its own start-up code, no crt files.
$(B)/tests/probes/nprobe: tests/probes/nprobe.c src/base/rawsys.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 -static -nostdlib -ffreestanding \
	    -fno-stack-protector -fno-builtin -o $@ $<

# Fuzz targets: each replays its corpus in `make check` (gcc, no
# libFuzzer); `make fuzz` runs them under libFuzzer (clang).
$(B)/fuzz/%-replay: fuzz/%.c fuzz/replay.c fuzz/fuzz.h $(STLIB) $(CLI_LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Ifuzz -Icli -o $@ $< fuzz/replay.c $(CLI_LIBOBJ) $(STLIB) \
	    $(LDFLAGS) $(SECCOMP_LIBS) -lpthread

# The unit tests under valgrind's memcheck (the integration tests spawn
# sandboxes through raw clone calls valgrind cannot follow); a memory error
# fails the run.  Tests that need what valgrind lacks skip themselves.
check-valgrind: tests
	SANDLOCK_UNDER_VALGRIND=1 SANDLOCK_TEST_MUST_WORK= valgrind -q --error-exitcode=99 \
	    --leak-check=no $(B)/tests/unit

FUZZ_DIR     := build-fuzz
FUZZ_SECONDS ?= 30
FUZZ_SAN     := -fsanitize=address,undefined
fuzz:
	$(MAKE) B=$(FUZZ_DIR) CC=clang \
	    OPT="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Wno-missing-field-initializers" \
	    LDFLAGS="$(FUZZ_SAN)" $(FUZZ_DIR)/libsandlock.a $(CLI_OBJ:$(B)/%=$(FUZZ_DIR)/%)
	@for t in $(FUZZ_SRC:fuzz/%.c=%); do \
	    clang $(CPPFLAGS) -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer -Ifuzz -Icli \
	        -o $(FUZZ_DIR)/fuzz-$$t fuzz/$$t.c \
	        $(filter-out $(FUZZ_DIR)/obj/cli/main.o,$(CLI_OBJ:$(B)/%=$(FUZZ_DIR)/%)) \
	        $(FUZZ_DIR)/libsandlock.a $(SECCOMP_LIBS) -lpthread || exit 1; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	    $(FUZZ_DIR)/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 \
	        fuzz/corpus/$$t || exit 1; \
	done

tests: all $(TESTBINS) $(PROBES) $(REPLAYS)

check test: tests
	bash tests/run.sh

# The install test alone (make check runs it too): tests/install.sh.
check-install: all
	bash tests/install.sh

# The library, the CLI and the tests with AddressSanitizer and UBSan (the
# code between clone and exec excepted, see RAW_OBJ); any report fails the
# test that made it.  Leak checks off: the tests keep what they allocate.
ASAN_DIR := build-asan
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined
check-asan:
	$(MAKE) B=$(ASAN_DIR) OPT="-O1 -g $(SAN) -fno-omit-frame-pointer" LDFLAGS="$(SAN)" tests
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    B=$(ASAN_DIR) bash tests/run.sh

# ---- benchmarks --------------------------------------------------------------
$(B)/bench/%: bench/%.c $(SHLIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests -o $@ $< -L$(B) -lsandlock -Wl,-rpath,'$$ORIGIN/..' \
	    -lpthread

# The long form of the stress run shares its core with the test.
$(B)/bench/stress: tests/stress.h

# The HTTP load tool speaks TLS itself (bench/http.sh).
$(B)/bench/httpload: bench/httpload.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(SSL_CFLAGS) $(CFLAGS) -o $@ $< $(SSL_LIBS) -lpthread

bench: all $(BENCHES) $(PROBES)
	bash bench/run.sh

# ---- tooling -------------------------------------------------------------------
FMT_FILES := $(wildcard include/*.h src/*.c src/*.h src/*/*.c src/*/*.h cli/*.c cli/*.h tools/*.c \
             tests/*.c tests/*.h tests/*/*.c bench/*.c fuzz/*.c fuzz/*.h)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	    --inline-suppr --suppress=missingIncludeSystem -Iinclude $(addprefix -I,$(SRC_DIRS)) -D__linux__ -D__x86_64__ \
	    src cli
	clang-format --dry-run --Werror $(FMT_FILES)

format:
	clang-format -i $(FMT_FILES)

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(PCDIR)
	install -m 0644 include/sandlock.h $(DESTDIR)$(INCDIR)/sandlock.h
	install -m 0755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libsandlock.so
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libsandlock_ffi.so
	install -m 0644 $(STLIB) $(DESTDIR)$(LIBDIR)/
	install -m 0755 $(TLS_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(TLS_LIB)) $(DESTDIR)$(LIBDIR)/$(TLS_SONAME)
	install -m 0644 $(B)/sandlock.pc $(DESTDIR)$(PCDIR)/sandlock.pc
	install -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/sandlock
	install -d $(DESTDIR)$(DATADIR)/profiles
	install -m 0644 profiles/*.toml $(DESTDIR)$(DATADIR)/profiles/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 man/sandlock.1 $(DESTDIR)$(MANDIR)/man1/sandlock.1
	install -m 0644 man/sandlock-profile.5 $(DESTDIR)$(MANDIR)/man5/sandlock-profile.5
	install -m 0644 completion/sandlock.bash $(DESTDIR)$(BASHCOMPDIR)/sandlock

uninstall:
	rm -f $(DESTDIR)$(INCDIR)/sandlock.h $(DESTDIR)$(LIBDIR)/libsandlock.so* \
	    $(DESTDIR)$(LIBDIR)/libsandlock_ffi.so $(DESTDIR)$(LIBDIR)/libsandlock.a \
	    $(DESTDIR)$(LIBDIR)/libsandlock-tls.so* \
	    $(DESTDIR)$(PCDIR)/sandlock.pc $(DESTDIR)$(BINDIR)/sandlock
	rm -rf $(DESTDIR)$(DATADIR)/profiles
	rm -f $(DESTDIR)$(MANDIR)/man1/sandlock.1 $(DESTDIR)$(MANDIR)/man5/sandlock-profile.5 \
	    $(DESTDIR)$(BASHCOMPDIR)/sandlock

clean:
	rm -rf $(B) $(ASAN_DIR) $(FUZZ_DIR)
