# boxstep: make builds every tool as a static binary in bin/; see README.md.
#
# The tools link statically against musl when musl-gcc is installed (exec start-up
# ~0.035 ms instead of glibc's ~0.6 ms here), static glibc otherwise.
#   make                 musl if installed, else static glibc
#   make LIBC=glibc      force static glibc
#   make CC=clang        static glibc built with clang

LIBC ?= auto
PREFIX ?= /usr/local
DESTDIR ?=
V2VM ?= ../shared/v2vm
HOSTCC ?= cc

ifeq ($(origin CC),default)
  CC := cc
  ifneq ($(LIBC),glibc)
    ifneq ($(shell command -v musl-gcc 2>/dev/null),)
      CC := musl-gcc
    else ifeq ($(LIBC),musl)
      $(error LIBC=musl but musl-gcc is missing: run 'make deps' or apt-get install musl-tools)
    endif
  endif
endif

BUILD := build/$(notdir $(CC))
GEN := build/gen
CFLAGS ?= -O2
CFLAGS += -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Ilib -I$(GEN)
LDFLAGS += -static

# musl-gcc does not see the kernel's headers: give it a folder of its own with links
# to linux/, asm/ and asm-generic/ only (all of /usr/include would pull in glibc's).
ifeq ($(notdir $(CC)),musl-gcc)
  MUSL_INC := build/musl-include
  CFLAGS += -isystem $(MUSL_INC)
  MULTIARCH := $(shell $(HOSTCC) -print-multiarch 2>/dev/null)
  ASM_DIR := $(firstword $(wildcard /usr/include/$(MULTIARCH)/asm /usr/include/asm))
endif

# Binaries are relinked when the compiler or libc changes, not only when sources do.
CC_STAMP := build/cc-used
$(shell mkdir -p build; [ "$$(cat $(CC_STAMP) 2>/dev/null)" = "$(CC) $(LIBC)" ] || echo "$(CC) $(LIBC)" >$(CC_STAMP))

TOOLS_C := $(wildcard tools/*.c)
TOOLS := $(patsubst tools/%.c,bin/%,$(TOOLS_C))
SCRIPTS := $(patsubst tools/%.sh,bin/%,$(wildcard tools/*.sh))
PROBES := $(patsubst probes/%.c,build/probes/%,$(wildcard probes/*.c))
BENCHES := $(patsubst bench/%.c,build/bench/%,$(wildcard bench/*.c))
UNITS := $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/*.c))
LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRC))
GEN_H := $(GEN)/clone_flags.h $(GEN)/errnos.h $(GEN)/cap_table.h $(GEN)/syscalls.h \
	$(GEN)/mount_flags.h $(GEN)/signals.h

.PHONY: all deps test test-v2 demo install lint lab grade bench clean
all: $(TOOLS) $(SCRIPTS) $(PROBES) $(BENCHES) $(UNITS)

$(GEN_H) &: lib/gen-tables.sh
	sh lib/gen-tables.sh '$(HOSTCC)' $(GEN)

$(MUSL_INC):
	mkdir -p $@
	ln -sfn /usr/include/linux $@/linux
	ln -sfn $(ASM_DIR) $@/asm
	ln -sfn /usr/include/asm-generic $@/asm-generic

$(BUILD)/lib/%.o: lib/%.c lib/*.h $(GEN_H) | $(MUSL_INC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libboxstep.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

bin/%: tools/%.c $(BUILD)/libboxstep.a lib/*.h $(GEN_H) $(CC_STAMP) | $(MUSL_INC)
	@mkdir -p bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libboxstep.a

bin/%: tools/%.sh
	@mkdir -p bin
	cp $< $@
	chmod 755 $@

build/probes/%: probes/%.c $(BUILD)/libboxstep.a $(GEN_H) $(CC_STAMP) | $(MUSL_INC)
	@mkdir -p build/probes
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libboxstep.a

build/bench/%: bench/%.c $(BUILD)/libboxstep.a $(CC_STAMP) | $(MUSL_INC)
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libboxstep.a

# Unit tests of lib/ modules: tests/unit/NAME.c, run by tests/unit.bats.
build/unit/%: tests/unit/%.c $(BUILD)/libboxstep.a lib/*.h $(GEN_H) $(CC_STAMP) | $(MUSL_INC)
	@mkdir -p build/unit
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libboxstep.a

# What the tests and lessons use, installed when missing (Debian, as root).
DEB_PACKAGES := gcc libc6-dev linux-libc-dev bats busybox-static iproute2 musl-tools uidmap procps util-linux nftables skopeo umoci runc
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing$$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing >/dev/null || \
		{ apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing >/dev/null; }; \
	fi

# The suite: bats files in tests/ (tools, lessons, labs, coverage), then the
# cgroup v2 tests in a pure-v2 VM when ../shared/v2vm exists. bats' own summary
# line ends the output, so a run that executed no test shows.
test: deps
	$(MAKE) all
	@tests/run-v2.sh '$(V2VM)'
	bats --formatter pretty --timing --print-output-on-failure tests/ tests/security/

test-v2: all
	@tests/run-v2.sh '$(V2VM)'

demo: deps
	$(MAKE) all
	@sh tests/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/lib/boxstep/bin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	for t in $(TOOLS) $(SCRIPTS); do \
		install -m 755 $$t $(DESTDIR)$(PREFIX)/lib/boxstep/bin/; \
		ln -sfn ../lib/boxstep/bin/$$(basename $$t) $(DESTDIR)$(PREFIX)/bin/$$(basename $$t); \
	done
	install -m 644 tools/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

lint:
	shellcheck -x $$(find lessons labs tests bench tools -name '*.sh' -o -name '*.bash' | grep -v /work/) \
		$$(find tests labs -name '*.bats' | grep -v /work/)
	tests/lint-lessons.sh
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 \
		-D_GNU_SOURCE -Ilib -I$(GEN) --suppress=missingIncludeSystem lib tools probes

# Labs: make lab LAB=01 copies the starter into labs/01-*/work/; make grade LAB=01
# grades that copy.
lab:
	@labs/lab.sh start '$(LAB)'
grade: all
	@labs/lab.sh grade '$(LAB)'

# Teachers: make grade-all grades a copy of every lab's solution/, which must score
# 100% (LABS="01 16" for some); make student-pack writes the students' copy, without
# solutions and hidden checks, in build/student-pack (PACK=DIR for another place).
.PHONY: grade-all student-pack
grade-all: all
	@labs/classroom.sh grade-all $(LABS)
student-pack:
	@labs/classroom.sh student-pack $(or $(PACK),build/student-pack)

# Every bench/*.sh in turn; the figures go in README.md.
bench: all
	@for b in bench/*.sh; do echo "== $$b"; sh $$b || exit 1; done

clean:
	rm -rf bin build
