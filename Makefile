# SPDX-License-Identifier: GPL-2.0
#
# make            build tlstun.ko (Linux 6.12), tlstun, tlstund
# make deps       install every Debian package build/check/demo/bench need
# make check      host unit tests + fuzz regression + kselftests in a VM
# make demo       two daemons, one tunnel, in a VM
# make bench      benchmarks (QUICK=1 for the short run)
# make install    module for the running kernel (or KVER=), tools, man pages,
#                 unit file, bash completion

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
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= /etc/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
VERSION := 0.1
export PREFIX DESTDIR

.PHONY: all module module-old tools tlshd deps check demo bench install \
	dkms-install clean

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

# "make install" is for the machine it runs on: the module is built for
# the running kernel, unless KVER is given on the command line, in a tree
# of its own (as module-old), and goes to /lib/modules/<kernel>/extra
# (under DESTDIR when staging, where depmod is left to the package).
ifeq ($(origin KVER),command line)
INSTALL_KVER := $(KVER)
else
INSTALL_KVER := $(shell uname -r)
endif
INSTALL_KDIR := /lib/modules/$(INSTALL_KVER)/build

# The module, the two programs, the man pages, tlstund@.service and the
# bash completion. /etc/tlstun is created for the configs.
install: tools tlshd
	@test -d $(INSTALL_KDIR) || { echo "no headers for kernel $(INSTALL_KVER): $(INSTALL_KDIR) is missing; apt install linux-headers-$(INSTALL_KVER), or give KVER=<a kernel whose headers are installed>" >&2; exit 1; }
	rm -rf build/kmod-install && mkdir -p build/kmod-install
	cp -r Kbuild kmod include build/kmod-install/
	find build/kmod-install \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \
		-o -name '*.mod*' \) -delete
	$(MAKE) -C $(INSTALL_KDIR) M=$(CURDIR)/build/kmod-install modules
	$(MAKE) -C $(INSTALL_KDIR) M=$(CURDIR)/build/kmod-install \
		INSTALL_MOD_DIR=extra $(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) \
		modules_install
	$(if $(DESTDIR),,depmod $(INSTALL_KVER))
	$(MAKE) -C tools install
	$(MAKE) -C tlshd install
	install -d -m 0755 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 Documentation/tlstun.8 Documentation/tlstund.8 \
		$(DESTDIR)$(MANDIR)/man8/
	install -m 0644 Documentation/tlstun.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' tlshd/tlstund@.service.in \
		> $(DESTDIR)$(UNITDIR)/tlstund@.service
	install -D -m 0644 tools/tlstun.bash-completion \
		$(DESTDIR)$(COMPLETIONDIR)/tlstun
	install -d -m 0700 $(DESTDIR)/etc/tlstun

# Instead of the module part of "install", for kernels to come.
dkms-install:
	rm -rf /usr/src/tlstun-$(VERSION)
	install -d /usr/src/tlstun-$(VERSION)
	cp -r Kbuild kmod include /usr/src/tlstun-$(VERSION)/
	sed 's|@VERSION@|$(VERSION)|' dkms.conf > /usr/src/tlstun-$(VERSION)/dkms.conf
	dkms add -m tlstun -v $(VERSION)
	dkms build -m tlstun -v $(VERSION)
	dkms install -m tlstun -v $(VERSION)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools clean
	$(MAKE) -C tlshd clean
	$(MAKE) -C selftests/unit clean
	$(MAKE) -C selftests/fuzz clean
	$(MAKE) -C selftests/nl clean
	$(MAKE) -C selftests/tools clean
	$(MAKE) -C tools/bench clean
	rm -rf build
