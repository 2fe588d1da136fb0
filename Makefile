# SPDX-License-Identifier: GPL-2.0
#
# make            build tlstun.ko (Linux 6.12), tlstun, tlstund
# make deps       install every Debian package build/check/demo/bench need
# make check      host unit tests + fuzz regression + kselftests in a VM
# make demo       two daemons, one tunnel, in a VM
# make bench      benchmarks (QUICK=1 for the short run)
# make install    module (DKMS-less, into /lib/modules), tools, unit files

# The kernel the module is built for and the VM boots: the newest Debian
# 6.12 flavour installed, unless given.
KVER ?= $(shell ls -d /usr/src/linux-headers-6.12*-amd64 2>/dev/null | \
	sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
# Debian 12's default kernel, which the module must also build against.
KVER_OLD ?= $(shell ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | \
	sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build
export KVER KVER_OLD

PREFIX ?= /usr/local
DESTDIR ?=
export PREFIX DESTDIR

.PHONY: all module module-old tools tlshd deps check demo bench install clean

all: module tools tlshd

module:
	@test -n "$(KVER)" || { echo "no linux-headers-6.12 found: run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# Build against the 6.1 headers in a separate tree, so the two object sets
# never mix.
module-old:
	@test -n "$(KVER_OLD)" || { echo "no linux-headers-6.1 found: run 'make deps'" >&2; exit 1; }
	rm -rf build/kmod-old && mkdir -p build/kmod-old
	cp -r Kbuild kmod include build/kmod-old/
	$(MAKE) -C /lib/modules/$(KVER_OLD)/build M=$(CURDIR)/build/kmod-old modules

tools:
	$(MAKE) -C tools

tlshd:
	$(MAKE) -C tlshd

deps:
	tools/deps.sh

check: deps
	tools/check.sh

demo: deps
	tools/demo.sh

bench: deps
	tools/bench.sh

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra modules_install
	$(MAKE) -C tools install
	$(MAKE) -C tlshd install

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools clean
	$(MAKE) -C tlshd clean
	$(MAKE) -C selftests/unit clean
	$(MAKE) -C selftests/fuzz clean
	rm -rf build
