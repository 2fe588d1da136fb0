// SPDX-License-Identifier: GPL-2.0
/*
 * tlstun: configure tlstun devices and their security associations, and
 * make the keys, node ids and certificates that identify a node to tlstund.
 *
 *   tlstun [ OPTIONS ] OBJECT { COMMAND | help }
 *
 * The object table below is the table of contents; each object lives in its
 * own file. The grammar is kept here, in one place, and "help" prints it
 * whole or per object; Documentation/tlstun.8 repeats it as its SYNOPSIS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/tlstun.h>

#include "print.h"
#include "tlstun.h"

struct tlstun_opts opts;

static const char *const link_syntax[] = {
	"link add NAME [ LINK_OPTS ]",
	"link set NAME LINK_OPTS",
	"link del NAME",
	"link show [ NAME ]",
	NULL
};

static const char *const link_where[] = {
	"NAME", "LINK_OPTS", "ADDR", "PORT", "VNI", "TTL", "TOS", "DF", NULL
};

static const char *const sa_syntax[] = {
	"sa add dev NAME dir DIR spi SPI suite SUITE key KEY [ SA_OPTS ]",
	"sa del dev NAME dir DIR spi SPI [ peer-id ID ]",
	"sa show [ dev NAME [ dir DIR spi SPI [ peer-id ID ] ] ]",
	"sa flush dev NAME",
	NULL
};

static const char *const sa_where[] = {
	"NAME", "DIR", "SPI", "SUITE", "KEY", "SA_OPTS", "WINDOW", "LABEL",
	"LIMIT", "N", "ID", NULL
};

static const char *const peer_syntax[] = {
	"peer add dev NAME id ID remote ADDR [ port PORT ] [ label LABEL ]",
	"peer set dev NAME id ID [ remote ADDR ] [ port PORT ] [ label LABEL ]",
	"peer del dev NAME id ID",
	"peer show [ dev NAME [ id ID ] ]",
	NULL
};

static const char *const peer_where[] = {
	"NAME", "ID", "ADDR", "PORT", "LABEL", NULL
};

static const char *const fdb_syntax[] = {
	"fdb add dev NAME mac MAC peer-id ID [ replace ]",
	"fdb del dev NAME mac MAC",
	"fdb show [ dev NAME ]",
	"fdb set dev NAME ageing SECONDS",
	NULL
};

static const char *const fdb_where[] = {
	"NAME", "MAC", "ID", "SECONDS", NULL
};

static const char *const show_syntax[] = { "show [ dev NAME ]", NULL };
static const char *const show_where[] = { "NAME", NULL };

static const char *const monitor_syntax[] = {
	"monitor [ dev NAME ] [ count COUNT ]",
	NULL
};

static const char *const monitor_where[] = { "NAME", "COUNT", NULL };

static const char *const stats_syntax[] = { "stats [ dev NAME ]", NULL };
static const char *const stats_where[] = { "NAME", NULL };

/* As in wg(8): one word, no command, for each identity operation. */
static const char *const genkey_syntax[] = { "genkey [ OUTFILE ]", NULL };
static const char *const genkey_where[] = { "OUTFILE", NULL };

static const char *const pubkey_syntax[] = { "pubkey [ INFILE ]", NULL };
static const char *const pubkey_where[] = { "INFILE", NULL };

static const char *const nodeid_syntax[] = { "nodeid", NULL };
static const char *const nodeid_where[] = { NULL };

static const char *const cert_syntax[] = {
	"cert KEYFILE [ node NODE_ID ] [ days DAYS ] [ out OUTFILE ]",
	NULL
};

static const char *const cert_where[] = {
	"KEYFILE", "NODE_ID", "DAYS", "OUTFILE", NULL
};

static const char *const csr_syntax[] = {
	"csr KEYFILE node NODE_ID [ out OUTFILE ]",
	NULL
};

static const char *const csr_where[] = {
	"KEYFILE", "NODE_ID", "OUTFILE", NULL
};

static const struct object {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *const *syntax;
	const char *const *where;
} objects[] = {
	{ "link", do_link, link_syntax, link_where },
	{ "sa", do_sa, sa_syntax, sa_where },
	{ "peer", do_peer, peer_syntax, peer_where },
	{ "fdb", do_fdb, fdb_syntax, fdb_where },
	{ "show", do_show, show_syntax, show_where },
	{ "monitor", do_monitor, monitor_syntax, monitor_where },
	{ "stats", do_stats, stats_syntax, stats_where },
	{ "genkey", do_genkey, genkey_syntax, genkey_where },
	{ "pubkey", do_pubkey, pubkey_syntax, pubkey_where },
	{ "nodeid", do_nodeid, nodeid_syntax, nodeid_where },
	{ "cert", do_cert, cert_syntax, cert_where },
	{ "csr", do_csr, csr_syntax, csr_where },
};

#define N_OBJECTS ARRAY_SIZE(objects)

#define STR(x) #x
#define XSTR(x) STR(x)

/* A definition's further lines are aligned under its first by the printer. */
static const struct definition {
	const char *token;
	const char *text;
} definitions[] = {
	{ "OPTIONS", "{ -j[son] | -p[retty] | -s[tatistics] | -V[ersion] | -h[elp] }" },
	{ "OBJECT", "{ link | sa | peer | fdb | show | monitor | stats | genkey |\n"
		    "  pubkey | nodeid | cert | csr }" },
	{ "NAME", "interface name, 1 to 15 bytes" },
	{ "LINK_OPTS", "[ remote ADDR ] [ local ADDR ] [ port PORT ] [ vni VNI ]\n"
		       "[ ttl TTL ] [ tos TOS ] [ df DF ]" },
	{ "ADDR", "{ IPV4_ADDRESS | IPV6_ADDRESS }, local and remote of one family" },
	{ "PORT", "1..65535, UDP port (default " XSTR(TLSTUN_DEFAULT_PORT) ")" },
	{ "VNI", "0..16777215 (default " XSTR(TLSTUN_DEFAULT_VNI) ")" },
	{ "TTL", "0..255, 0 takes the route's (default 0)" },
	{ "TOS", "0..255, decimal or 0x hex (default 0)" },
	{ "DF", "{ set | unset | inherit } (default unset)" },
	{ "DIR", "{ rx | tx }" },
	{ "SPI", "1..0xffffffff, decimal or 0x hex" },
	{ "SUITE", "{ aes-gcm-128 | aes-gcm-256 }" },
	{ "KEY", "{ HEX | @FILE }, 32 (aes-gcm-128) or 64 (aes-gcm-256) hex digits" },
	{ "SA_OPTS", "[ replay-window WINDOW ] [ peer LABEL ] [ peer-id ID ]\n"
		     "[ LIMIT N ]..." },
	{ "ID", "0..4294967295, a peer of the device; 0 (the default) is the\n"
		"device's own peer, whose remote is the device's" },
	{ "MAC", "xx:xx:xx:xx:xx:xx, a unicast inner MAC address" },
	{ "SECONDS", XSTR(TLSTUN_FDB_AGEING_MIN) ".." XSTR(TLSTUN_FDB_AGEING_MAX)
		     ", life of a learned entry without a frame\n"
		     "(default " XSTR(TLSTUN_FDB_AGEING_DEFAULT) ")" },
	{ "WINDOW", XSTR(TLSTUN_REPLAY_WINDOW_MIN) ".." XSTR(TLSTUN_REPLAY_WINDOW_MAX)
		    ", rx only (default " XSTR(TLSTUN_REPLAY_WINDOW_DEFAULT) ")" },
	{ "LABEL", "1..127 bytes, no control characters" },
	{ "LIMIT", "{ soft-packets | hard-packets | soft-bytes | hard-bytes |\n"
		   "  soft-seconds | hard-seconds }" },
	{ "N", "0..18446744073709551615, 0 is no limit (default 0), but a\n"
	       "tx SA's hard-packets 0 is 23726566 (RFC 8446 5.5)" },
	{ "COUNT", "1..4294967295, events to print before exiting" },
	{ "KEYFILE", "PEM private key file, mode 0600 or stricter" },
	{ "NODE_ID", "0x and 32 hex digits, as \"tlstun nodeid\" prints" },
	{ "DAYS", "1.." XSTR(CERT_DAYS_MAX) ", validity of the certificate (default "
		  XSTR(CERT_DAYS_DEFAULT) ")" },
	{ "INFILE", "PEM private key or certificate file, or - for standard\n"
		    "input (the default)" },
	{ "OUTFILE", "a new file (never overwritten), or - for standard\n"
		     "output (the default)" },
};

/* The numbers the definitions spell out rather than stringify. */
_Static_assert(TLSTUN_PEER_MAX == 128, "LABEL says 1..127 bytes");
_Static_assert(TLSTUN_SA_DEFAULT_HARD_PACKETS == 23726566ULL,
	       "LIMIT names the default hard-packets");

static void print_definition(FILE *f, const char *prefix,
			     const struct definition *d)
{
	int indent = (int)(strlen(prefix) + strlen(d->token) + 4);

	fprintf(f, "%s%s := ", prefix, d->token);
	for (const char *c = d->text; *c; c++) {
		fputc(*c, f);
		if (*c == '\n')
			fprintf(f, "%*s", indent, "");
	}
	fputc('\n', f);
}

static bool listed(const char *const *list, const char *token)
{
	for (; *list; list++)
		if (!strcmp(*list, token))
			return true;
	return false;
}

/*
 * One BNF block: the syntax lines of @obj (all objects when NULL), then
 * the definitions they use, in the table's order.
 */
static void usage_block(FILE *f, const struct object *obj)
{
	const char *prefix = "Usage: ";
	bool first = true;

	if (!obj) {
		fprintf(f, "%stlstun [ OPTIONS ] OBJECT { COMMAND | help }\n",
			prefix);
		prefix = "       ";
	}
	for (size_t i = 0; i < N_OBJECTS; i++) {
		if (obj && obj != &objects[i])
			continue;
		for (const char *const *s = objects[i].syntax; *s; s++) {
			fprintf(f, "%stlstun %s\n", prefix, *s);
			prefix = "       ";
		}
		fprintf(f, "%stlstun %s help\n", prefix, objects[i].name);
	}
	for (size_t i = 0; i < ARRAY_SIZE(definitions);
	     i++) {
		const struct definition *d = &definitions[i];
		bool used = false;

		for (size_t j = 0; j < N_OBJECTS && !used; j++)
			if (!obj || obj == &objects[j])
				used = listed(objects[j].where, d->token);
		if (!obj && (!strcmp(d->token, "OPTIONS") ||
			     !strcmp(d->token, "OBJECT")))
			used = true;
		if (!used)
			continue;
		print_definition(f, first ? "Where: " : "       ", d);
		first = false;
	}
}

static const struct object *find_object(const char *name)
{
	for (size_t i = 0; i < N_OBJECTS; i++)
		if (!strcmp(objects[i].name, name))
			return &objects[i];
	return NULL;
}

/**
 * usage_object() - print an object's part of the grammar, as asked for
 * @object: the object's name
 *
 * Return: EXIT_OK; help that was asked for is not an error.
 */
int usage_object(const char *object)
{
	usage_block(stdout, find_object(object));
	return EXIT_OK;
}

/**
 * dispatch() - run an object's command
 * @object: the object's name, for help and errors
 * @cmds: its commands
 * @dflt: the command run without one, or NULL if one is needed
 * @argc: argument count after the object
 * @argv: the arguments after the object
 *
 * "help" prints the object's grammar.
 *
 * Return: the exit status.
 */
int dispatch(const char *object, const struct command *cmds,
	     int (*dflt)(int argc, char **argv), int argc, char **argv)
{
	if (argc < 1 && dflt)
		return dflt(0, argv);
	if (argc < 1) {
		fprintf(stderr, "Error: \"tlstun %s\" needs a command; try \"tlstun %s help\"\n",
			object, object);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help"))
		return usage_object(object);
	for (; cmds->name; cmds++)
		if (!strcmp(argv[0], cmds->name))
			return cmds->fn(argc - 1, argv + 1);
	fprintf(stderr, "Error: unknown command \"%s\"; try \"tlstun %s help\"\n",
		argv[0], object);
	return EXIT_USAGE;
}

int arg_invalid(const char *arg, const struct parse_err *e)
{
	fprintf(stderr, "Error: argument \"%s\" is wrong: %s\n", arg, e->msg);
	return EXIT_USAGE;
}

/* 'Error: "ttl" value "256" is wrong: must be between 0 and 255': the
 * keyword named, so a range error says which range; @arg NULL for a
 * value that must not be echoed (a key).
 */
int arg_invalid_value(const char *keyword, const char *arg,
		      const struct parse_err *e)
{
	if (arg)
		fprintf(stderr, "Error: \"%s\" value \"%s\" is wrong: %s\n",
			keyword, arg, e->msg);
	else
		fprintf(stderr, "Error: \"%s\" value is wrong: %s\n", keyword,
			e->msg);
	return EXIT_USAGE;
}

int arg_no_value(const char *keyword)
{
	fprintf(stderr, "Error: argument \"%s\" needs a value\n", keyword);
	return EXIT_USAGE;
}

int arg_duplicate(const char *keyword, const char *arg)
{
	fprintf(stderr, "Error: duplicate \"%s\": \"%s\" is the second value\n",
		keyword, arg);
	return EXIT_USAGE;
}

int arg_required(const char *keyword, const char *command)
{
	fprintf(stderr, "Error: argument \"%s\" is required by \"%s\"\n",
		keyword, command);
	return EXIT_USAGE;
}

int arg_unknown(const char *object, const char *arg)
{
	fprintf(stderr, "Error: unknown argument \"%s\"; try \"tlstun %s help\"\n",
		arg, object);
	return EXIT_USAGE;
}

int arg_conflict(const char *why)
{
	fprintf(stderr, "Error: %s\n", why);
	return EXIT_USAGE;
}

static const struct option {
	const char *s;		/* short form */
	const char *l;		/* long form */
	bool *flag;
} options[] = {
	{ "-j", "-json", &opts.json },
	{ "-p", "-pretty", &opts.pretty },
	{ "-s", "-statistics", &opts.stats },
};

/*
 * Runs @obj's command. JSON output is held back until the command
 * succeeded: a failure prints nothing on stdout, only its error on
 * stderr, never half a document or an empty list that looks like an
 * answer. monitor streams, one object a line, and is not held.
 */
static int run_object(const struct object *obj, int argc, char **argv)
{
	bool hold = (opts.json || opts.pretty) && obj->fn != do_monitor;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = hold ? open_memstream(&buf, &len) : NULL;
	print_init(f ? f : stdout, opts.json, opts.pretty);
	ret = obj->fn(argc, argv);
	if (!f)
		return ret;
	fclose(f);
	if (ret == EXIT_OK && len)
		fwrite(buf, 1, len, stdout);
	free(buf);
	return ret;
}

int main(int argc, char **argv)
{
	const struct object *obj;

	for (argc--, argv++; argc > 0 && argv[0][0] == '-'; argc--, argv++) {
		/* "--json" is "-json", as in ip. */
		const char *opt = argv[0][1] == '-' ? argv[0] + 1 : argv[0];
		bool found = false;

		if (!strcmp(opt, "-V") || !strcmp(opt, "-Version")) {
			printf("tlstun %s (generic netlink family \"%s\" version %d)\n",
			       TLSTUN_TOOL_VERSION, TLSTUN_GENL_NAME,
			       TLSTUN_GENL_VERSION);
			return EXIT_OK;
		}
		if (!strcmp(opt, "-h") || !strcmp(opt, "-help")) {
			usage_block(stdout, NULL);
			return EXIT_OK;
		}
		for (size_t i = 0; i < ARRAY_SIZE(options);
		     i++) {
			if (!strcmp(opt, options[i].s) ||
			    !strcmp(opt, options[i].l)) {
				*options[i].flag = true;
				found = true;
			}
		}
		if (!found) {
			fprintf(stderr, "Error: unknown option \"%s\"; try \"tlstun help\"\n",
				argv[0]);
			return EXIT_USAGE;
		}
	}
	if (argc < 1) {
		usage_block(stderr, NULL);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help")) {
		usage_block(stdout, NULL);
		return EXIT_OK;
	}
	obj = find_object(argv[0]);
	if (!obj) {
		fprintf(stderr, "Error: unknown object \"%s\"; try \"tlstun help\"\n",
			argv[0]);
		return EXIT_USAGE;
	}
	return run_object(obj, argc - 1, argv + 1);
}
