// SPDX-License-Identifier: GPL-2.0
/*
 * tlstun show: what each tlstund is doing, as wg show and swanctl
 * --list-sas tell, read from the daemon's status socket (tlshd/status.c):
 * per peer its transport, endpoint, state, identity, last handshake, time
 * to the next rekey and last error.
 *
 * The daemon's document is "KEY VALUE" lines. Known keys are printed in
 * the document's order through the table below, numbers as numbers in
 * JSON; keys a newer daemon adds are printed as strings under their own
 * name, so an older tool shows them rather than hiding them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "print.h"
#include "status.h"
#include "tlstun.h"

#define DOC_MAX		16384

enum kind { STR, NUM, SPI };

static const struct field {
	const char *key;	/* in the document */
	const char *json;	/* JSON key */
	const char *fmt;	/* text; %s or %llu or 0x%08x */
	enum kind kind;
	bool line;		/* starts a continuation line */
} fields[] = {
	{ "pid", "pid", "tlstund pid %llu", NUM, false },
	{ "started-ago", "started_ago", "started %llus ago", NUM, false },
	{ "listen", "listen", "listen %s", STR, false },
	{ "sas", "sa_count", "sa-count %llu", NUM, false },
	{ "transport", "transport", "transport %s", STR, false },
	{ "trust", "trust", "trust %s", STR, false },
	{ "endpoint", "endpoint", "endpoint %s", STR, false },
	{ "state", "state", "state %s", STR, false },
	{ "role", "role", "role %s", STR, true },
	{ "identity", "identity", "identity %s", STR, false },
	{ "connection", "connection", "connection %s", STR, false },
	{ "handshake-ago", "handshake_ago", "handshake %llus ago", NUM, true },
	{ "up-ago", "up_ago", "up %llus ago", NUM, false },
	{ "last-rx-ago", "last_rx_ago", "last-rx %llus ago", NUM, false },
	{ "rekey-in", "rekey_in", "rekey in %llus", NUM, false },
	{ "generation", "generation", "generation %llu", NUM, true },
	{ "suite", "suite", "suite %s", STR, false },
	{ "tx-spi", "tx_spi", "tx-spi 0x%08x", SPI, false },
	{ "rx-spi", "rx_spi", "rx-spi 0x%08x", SPI, false },
	{ "handshakes", "handshakes", "handshakes %llu", NUM, true },
	{ "dial-in", "dial_in", "dial in %llus", NUM, false },
	{ "attempts", "attempts", "attempts %llu", NUM, false },
	{ "last-error-ago", "last_error_ago", "last error %llus ago:", NUM,
	  true },
	{ "last-error", "last_error", "%s", STR, false },
};

/* Read the whole document of the daemon of @dev into @buf. */
static int read_status(const char *dev, char *buf, size_t size, size_t *len,
		       bool *none)
{
	struct sockaddr_un sun;
	socklen_t slen;
	ssize_t n;
	int fd;

	*none = false;
	*len = 0;
	slen = tlstund_status_addr(&sun, dev);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "Error: socket: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	if (connect(fd, (struct sockaddr *)&sun, slen)) {
		int e = errno;

		close(fd);
		if (e == ECONNREFUSED || e == ENOENT) {
			*none = true;
			return EXIT_OK;
		}
		fprintf(stderr, "Error: cannot reach the tlstund of %s: %s\n",
			dev, strerror(e));
		return EXIT_FAIL;
	}
	/* Anyone in the namespace can bind an abstract name: believe only
	 * a daemon of root or of our own user.
	 */
	if (!tlstund_status_peer_trusted(fd)) {
		close(fd);
		fprintf(stderr, "Error: the status socket of %s is held by a process of another user, not a tlstund\n",
			dev);
		return EXIT_FAIL;
	}
	while (*len < size - 1 &&
	       (n = read(fd, buf + *len, size - 1 - *len)) > 0)
		*len += n;
	close(fd);
	buf[*len] = '\0';
	return EXIT_OK;
}

static const struct field *field_of(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strcmp(fields[i].key, key))
			return &fields[i];
	return NULL;
}

static void print_field(const char *key, const char *value)
{
	const struct field *f = field_of(key);
	unsigned long long v;
	char *end, fmt[64];

	if (!f) {
		/* A key of a newer daemon: as it is, "_" for "-". */
		char json[64];

		snprintf(json, sizeof(json), "%s", key);
		for (char *c = json; *c; c++)
			if (*c == '-')
				*c = '_';
		snprintf(fmt, sizeof(fmt), "%s %%s", key);
		print_string(PRINT_ANY, json, fmt, value);
		return;
	}
	if (f->line)
		print_indent();
	errno = 0;
	v = strtoull(value, &end, 0);
	if (f->kind == STR || errno || *end || end == value) {
		print_string(PRINT_ANY, f->json, strstr(f->fmt, "%s") ?
			     f->fmt : "%s", value);
	} else if (f->kind == SPI) {
		print_uint(PRINT_ANY, f->json, f->fmt, (unsigned int)v);
	} else {
		print_u64(PRINT_ANY, f->json, f->fmt, v);
	}
}

/* One device's record from its daemon's document in @doc. */
static int print_status(const char *dev, char *doc)
{
	bool in_peer = false, first = true;
	char *save, *line;

	print_record_begin();
	print_string(PRINT_ANY, "ifname", "dev %s", dev);
	for (line = strtok_r(doc, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *value = strchr(line, ' ');

		value = value ? (*value = '\0', value + 1) : line + strlen(line);
		if (first) {
			if (strcmp(line, TLSTUND_STATUS_MAGIC)) {
				print_record_end();
				fprintf(stderr, "Error: the tlstund of %s %s\n",
					dev, !strcmp(line, "error") ? value :
					"answered something that is no status");
				return EXIT_FAIL;
			}
			first = false;
			continue;
		}
		if (!strcmp(line, "device") || !strcmp(line, "ifindex"))
			continue;
		if (!strcmp(line, "peer")) {
			if (in_peer)
				close_json_object();
			else
				open_json_array("peers");
			print_indent();
			open_json_object(NULL);
			print_string(PRINT_ANY, "name", "peer %s", value);
			in_peer = true;
			continue;
		}
		print_field(line, value);
	}
	if (in_peer) {
		close_json_object();
		close_json_array();
	}
	print_record_end();
	return first ? EXIT_FAIL : EXIT_OK;
}

static int show_one(const char *dev, bool all)
{
	static char doc[DOC_MAX];
	size_t len;
	bool none;
	int ret;

	ret = read_status(dev, doc, sizeof(doc), &len, &none);
	if (ret)
		return ret;
	if (none && !all) {
		fprintf(stderr, "Error: no tlstund serves %s in this network namespace\n",
			dev);
		return EXIT_FAIL;
	}
	if (none) {
		print_record_begin();
		print_string(PRINT_ANY, "ifname", "dev %s", dev);
		print_string(PRINT_ANY, "daemon", "%s", "no-tlstund");
		print_record_end();
		return EXIT_OK;
	}
	return print_status(dev, doc);
}

static int show_any(const char *name, void *arg)
{
	(void)arg;
	return show_one(name, true);
}

int do_show(int argc, char **argv)
{
	const char *dev = NULL;
	bool has_dev = false;
	struct parse_err e;
	int ret;

	if (argc > 0 && !strcmp(argv[0], "help"))
		return usage_object("show");
	for (; argc > 0; argc--, argv++) {
		if (!strcmp(*argv, "dev")) {
			ONCE(has_dev, *argv);
			NEXT_ARG();
			if (parse_ifname(*argv, &e))
				return arg_invalid_value("dev", *argv, &e);
			dev = *argv;
		} else {
			return arg_unknown("show", *argv);
		}
	}
	print_list_begin();
	ret = dev ? show_one(dev, false) :
		    tlstun_for_each_device(show_any, NULL);
	print_list_end();
	return ret;
}
