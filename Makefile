# netjourney - `make run` and `make test` are the two commands a user needs.
# Everything else: all, deps, install, clean, debug, bench, fuzz, soak.

CC      ?= cc
PREFIX  ?= /usr/local
PKGS    := libmicrohttpd libcjson libpcap libedit libzstd
DEB_PKGS := libmicrohttpd-dev libcjson-dev libpcap-dev libedit-dev libzstd-dev check pkg-config gcc make nftables
# Every tool a tests/*/run.sh calls: a missing one fails its suite, never skips it.
TEST_DEB_PKGS := tcpdump tshark clang libclang-rt-14-dev python3 chromium nodejs wrk curl iproute2 iputils-ping \
		 netcat-openbsd arping time valgrind util-linux bsdutils

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-format-zero-length \
	   -fno-strict-aliasing
B := build
NPROC := $(shell nproc 2>/dev/null || echo 2)
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=address,undefined
B := build-san
# make test SAN=1: every sanitizer report lands in $(B)/san-logs and fails the
# run, even from a test that expects a failing exit (which an ASan abort is).
SAN_LOGS := $(CURDIR)/$(B)/san-logs
SAN_ENV  := ASAN_OPTIONS=log_path=$(SAN_LOGS)/asan UBSAN_OPTIONS=log_path=$(SAN_LOGS)/ubsan:print_stacktrace=1
endif

# gcc builds the netjourney binary with link-time optimisation: the receive
# path is many small functions in many files, and inlined across them an
# untraced replay runs 6% fewer instructions (bench/README.md, session 13).
# The objects keep plain code too (fat), which the unit tests link.
ifneq ($(SAN),1)
LTO ?= $(if $(shell $(CC) -v 2>&1 | grep '^gcc version'),-flto=auto -ffat-lto-objects)
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

# The layers, lowest first (README "Layout"). A folder sees only its own
# headers and those of the folders it names below it: each gets its own -I
# list, so an include that climbs a layer fails to compile.
LAYERS        := stack trace replay mkpcap diffkernel whatif step classroom web cli
INC_stack     := stack
INC_trace     := trace stack
INC_replay    := replay trace stack
INC_mkpcap    := mkpcap replay trace stack
INC_diffkernel:= diffkernel replay trace stack
INC_whatif    := whatif replay trace stack
INC_step      := step whatif replay trace stack
INC_classroom := classroom replay trace stack
INC_web       := web classroom whatif replay trace stack
INC_cli       := $(LAYERS)
INC_tests     := $(LAYERS)

reverse = $(if $(1),$(call reverse,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))
LIB_LAYERS := $(filter-out cli,$(LAYERS))
LIBS_TOPDOWN := $(foreach l,$(call reverse,$(LIB_LAYERS)),$(B)/lib$(l).a)

$(foreach l,$(LAYERS),$(eval OBJ_$(l) := $(patsubst %.c,$(B)/%.o,$(wildcard $(l)/*.c))))
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
ALL_H     := $(foreach l,$(LAYERS),$(wildcard $(l)/*.h))

.PHONY: all deps run test unit unit-san install clean debug bench fuzz soak

# make -s print-VAR: a variable's value, for scripts (tests/layers, tests/fuzz).
print-%:
	@echo $($*)
all: $(B)/netjourney

$(foreach l,$(LIB_LAYERS),$(eval $(B)/lib$(l).a: $$(OBJ_$(l)) ; @rm -f $$@; ar rcs $$@ $$^))

# libmicrohttpd is opened when the server starts (web/mhd_lazy.c), libedit
# when step reads a terminal (cli/edit_lazy.c): linked, they and their
# libraries (GnuTLS ...) took 2 ms of every run's start.
$(B)/netjourney: $(OBJ_cli) $(LIBS_TOPDOWN)
	$(CC) $(LDFLAGS) $(LTO) -o $@ $^ $(filter-out -lmicrohttpd -ledit,$(PKG_LIBS)) -lm

# One compile rule per layer, with that layer's include list.
define layer_rule
$(B)/$(1)/%.o: $(1)/%.c $$(ALL_H)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$<"
	@$$(CC) $$(CFLAGS) $$(LTO) $$(PKG_CFLAGS) $$(addprefix -I,$$(INC_$(1))) -c -o $$@ $$<
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rule,$(l))))

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/nj_*.h) $(LIBS_TOPDOWN)
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(CFLAGS) $(if $(LTO),-fno-lto) $(PKG_CFLAGS) -Itests/unit $(addprefix -I,$(INC_tests)) -o $@ $< $(LIBS_TOPDOWN) $(PKG_LIBS) $(CHECK_LIBS) -lm

# deps: install what is missing, unattended, when root; otherwise say how.
deps:
	@sh tests/deps.sh $(DEB_PKGS) $(TEST_DEB_PKGS)

run: deps all
	./$(B)/netjourney run-default

unit: $(UNIT_BIN)

# Builds use every core (a fresh clone's make test compiled serially for two
# minutes); deps comes first, alone, since it installs the compiler's libraries.
test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory -j$(NPROC) all unit
ifeq ($(SAN),1)
	@rm -rf $(SAN_LOGS); mkdir -p $(SAN_LOGS)
	@B=$(B) NJ=$(B)/netjourney $(SAN_ENV) sh tests/run-all.sh; rc=$$?; \
	for f in $(SAN_LOGS)/*; do [ -f "$$f" ] && { echo "FAIL sanitizer report $$f:"; cat "$$f"; rc=1; }; done; \
	exit $$rc
else
	@B=$(B) NJ=$(B)/netjourney sh tests/run-all.sh; rc=$$?; $(MAKE) --no-print-directory unit-san || rc=1; exit $$rc
endif

# unit-san: make test also runs the Check units under ASan/UBSan (about
# a minute and a half on two cores); the whole suite under them is make test SAN=1.
unit-san:
	@$(MAKE) --no-print-directory -j$(NPROC) SAN=1 unit
	@sh tests/run-units.sh " (ASan/UBSan)" $(UNIT_SRC:tests/unit/%.c=build-san/tests/%)

install: all
	install -D -m 755 $(B)/netjourney $(DESTDIR)$(PREFIX)/bin/netjourney
	mkdir -p $(DESTDIR)$(PREFIX)/share/netjourney
	cp -r static lessons pcaps $(DESTDIR)$(PREFIX)/share/netjourney/

# Benchmarks print figures (bench/README.md); fuzzing and soak runs take long.
bench: deps all
	sh bench/run.sh

fuzz: deps all
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} sh tests/fuzz/run.sh

soak: deps all
	sh tests/soak/run.sh

debug:
	$(MAKE) SAN=1 all unit

clean:
	rm -rf build build-san
