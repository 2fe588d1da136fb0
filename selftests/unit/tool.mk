# SPDX-License-Identifier: GPL-2.0
#
# The tlstun tool, parsing and output and the whole command line in-process:
# its main() becomes tlstun_main() (test_tool.c #undefs the macro for its
# own main()). tlshd/identity.c is part of the tool; tlshd/trust.c checks
# the certificates it makes as the daemon would.
SUITES += tool
tool_SRCS := ../../tools/parse.c ../../tools/print.c ../../tools/nl.c \
	     ../../tools/link.c ../../tools/sa.c ../../tools/monitor.c \
	     ../../tools/stats.c ../../tools/peer.c ../../tools/show.c \
	     ../../tools/keys.c ../../tools/tlstun.c \
	     ../../tlshd/identity.c ../../tlshd/trust.c ../../tlshd/crl.c
tool_PKGS := libnl-3.0 libnl-genl-3.0 libnl-route-3.0 libcrypto
tool_CFLAGS := -D_GNU_SOURCE -Dmain=tlstun_main \
	       $(shell pkg-config --cflags $(tool_PKGS))
tool_LIBS := $(shell pkg-config --libs $(tool_PKGS))
bin/test_tool: $(wildcard $(TOP)/tools/*.h) ../../tlshd/identity.h \
	       ../../tlshd/trust.h certs/testcerts.h

# The built binary from a shell, as the man page uses it (tool_keys.sh):
# one more TAP suite of "make run", after the tool is brought up to date.
.PHONY: tool-keys-sh
run: tool-keys-sh
tool-keys-sh:
	@echo "# suite tool_keys.sh"; \
	if out=$$($(MAKE) -s --no-print-directory -C $(TOP)/tools 2>&1); then \
		./tool_keys.sh $(TOP)/tools/tlstun || true; \
	else \
		printf '%s\n' "$$out" | sed 's/^/# /'; \
		echo "not ok 1 tool_keys.sh: make -C tools failed"; \
	fi
