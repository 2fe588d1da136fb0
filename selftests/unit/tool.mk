# SPDX-License-Identifier: GPL-2.0
#
# The tlstun tool, parsing and output and the whole command line in-process:
# its main() becomes tlstun_main() (test_tool.c #undefs the macro for its
# own main()).
SUITES += tool
tool_SRCS := ../../tools/parse.c ../../tools/print.c ../../tools/nl.c \
	     ../../tools/link.c ../../tools/sa.c ../../tools/monitor.c \
	     ../../tools/tlstun.c
tool_PKGS := libnl-3.0 libnl-genl-3.0 libnl-route-3.0
tool_CFLAGS := -D_GNU_SOURCE -Dmain=tlstun_main \
	       $(shell pkg-config --cflags $(tool_PKGS))
tool_LIBS := $(shell pkg-config --libs $(tool_PKGS))
bin/test_tool: $(wildcard $(TOP)/tools/*.h)
