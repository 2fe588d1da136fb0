// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output. The JSON writer is a stack of open objects and
 * arrays that knows whether the next member needs a comma; -p adds
 * newlines and indentation. Everything goes to the stream given to
 * print_init() (stdout, or a memory stream in the unit test), flushed at
 * the end of each record so that "monitor" can be read line by line.
 */
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "print.h"

#define JSON_DEPTH_MAX	16

static struct {
	FILE *f;
	bool json;
	bool pretty;
	/* JSON: nesting depth and whether each level has a member yet. */
	int depth;
	bool has_member[JSON_DEPTH_MAX];
	/* Text: the current line holds a field, so the next needs a blank. */
	bool need_sep;
	/* Text: a continuation line was asked for and has no field yet. */
	bool indent;
} out;

void print_init(FILE *f, bool json, bool pretty)
{
	memset(&out, 0, sizeof(out));
	out.f = f;
	out.json = json || pretty;
	out.pretty = pretty;
}

bool print_is_json(void)
{
	return out.json;
}

static void emit(int c)
{
	putc(c, out.f);
}

static void json_newline(void)
{
	if (!out.pretty)
		return;
	emit('\n');
	for (int i = 0; i < out.depth; i++)
		fputs("  ", out.f);
}

/*
 * Invalid UTF-8 (a peer label is whatever the daemon set) becomes U+FFFD,
 * so the output stays valid JSON.
 */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static void json_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	emit('"');
	while (*s) {
		if (*s == '"' || *s == '\\') {
			fprintf(out.f, "\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out.f, "\\u%04x", *s++);
		} else {
			n = utf8_len(s);
			if (!n) {
				fputs("\\ufffd", out.f);
				s++;
			} else {
				fwrite(s, 1, n, out.f);
				s += n;
			}
		}
	}
	emit('"');
}

static void json_member(const char *key)
{
	if (out.depth && out.has_member[out.depth - 1])
		emit(',');
	if (out.depth) {
		out.has_member[out.depth - 1] = true;
		json_newline();
	}
	if (key) {
		json_string(key);
		fputs(out.pretty ? ": " : ":", out.f);
	}
}

static void json_open(const char *key, char c)
{
	json_member(key);
	emit(c);
	if (out.depth < JSON_DEPTH_MAX)
		out.has_member[out.depth] = false;
	out.depth++;
}

static void json_close(char c)
{
	bool members;

	if (!out.depth)
		return;
	out.depth--;
	members = out.depth < JSON_DEPTH_MAX && out.has_member[out.depth];
	if (members)
		json_newline();
	emit(c);
}

void open_json_object(const char *key)
{
	if (out.json)
		json_open(key, '{');
}

void close_json_object(void)
{
	if (out.json)
		json_close('}');
}

void open_json_array(const char *key)
{
	if (out.json)
		json_open(key, '[');
}

void close_json_array(void)
{
	if (out.json)
		json_close(']');
}

static void text_sep(void)
{
	if (out.indent)
		fputs("    ", out.f);
	else if (out.need_sep)
		emit(' ');
	out.indent = false;
	out.need_sep = true;
}

static void text_end_line(void)
{
	if (out.need_sep)
		emit('\n');
	out.need_sep = false;
	out.indent = false;
}

void print_list_begin(void)
{
	open_json_array(NULL);
}

void print_list_end(void)
{
	if (!out.json)
		return;
	close_json_array();
	emit('\n');
	fflush(out.f);
}

void print_record_begin(void)
{
	if (out.json)
		open_json_object(NULL);
	else
		text_end_line();
}

void print_record_end(void)
{
	if (out.json) {
		close_json_object();
		if (!out.depth)
			emit('\n');
	} else {
		text_end_line();
	}
	fflush(out.f);
}

void print_indent(void)
{
	if (out.json)
		return;
	text_end_line();
	out.indent = true;
}

/* Characters a shell leaves alone in an unquoted word. */
static bool plain_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._-+=,:@/%^", *s) &&
		    (unsigned char)*s < 0x80)
			return false;
	return true;
}

/* Single quotes, with ' as '\''; control characters shown as '?'. */
static void text_quoted(const char *s)
{
	emit('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out.f);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			emit('?');
		else
			emit(*s);
	}
	emit('\'');
}

/* @fmt holds one %s, replaced by @value, quoted when it is not a word. */
static void text_string(const char *fmt, const char *value)
{
	const char *conv = strstr(fmt, "%s");

	if (!conv) {
		fputs(fmt, out.f);
		return;
	}
	fwrite(fmt, 1, conv - fmt, out.f);
	if (plain_word(value))
		fputs(value, out.f);
	else
		text_quoted(value);
	fputs(conv + 2, out.f);
}

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value)
{
	if (out.json && (t & PRINT_JSON)) {
		json_member(key);
		json_string(value);
	} else if (!out.json && (t & PRINT_FP) && fmt) {
		text_sep();
		text_string(fmt, value);
	}
}

void print_u64(enum output_type t, const char *key, const char *fmt,
	       uint64_t value)
{
	if (out.json && (t & PRINT_JSON)) {
		json_member(key);
		fprintf(out.f, "%llu", (unsigned long long)value);
	} else if (!out.json && (t & PRINT_FP) && fmt) {
		text_sep();
		fprintf(out.f, fmt, (unsigned long long)value);
	}
}

void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned int value)
{
	if (out.json && (t & PRINT_JSON)) {
		json_member(key);
		fprintf(out.f, "%u", value);
	} else if (!out.json && (t & PRINT_FP) && fmt) {
		text_sep();
		fprintf(out.f, fmt, value);
	}
}

/* Text: "KEY (hidden)", so the line still reads as "sa add" arguments;
 * JSON: nothing, since a member whose value is not the value misleads.
 */
void print_hidden(const char *key)
{
	if (out.json) {
		return;
	} else {
		text_sep();
		fprintf(out.f, "%s (hidden)", key);
	}
}

void print_counters(const char *key, const struct counter *table,
		    const uint64_t *values, const bool *present)
{
	const char *group = NULL;
	char fmt[64];

	open_json_object(key);
	for (const struct counter *c = table; c->name; c++) {
		if (!present[c->attr])
			continue;
		if (!out.json && (!group || strcmp(group, c->group))) {
			group = c->group;
			print_indent();
			text_sep();
			fputs(group, out.f);
		}
		snprintf(fmt, sizeof(fmt), "%s %%llu", c->name);
		print_u64(PRINT_ANY, c->key, fmt, values[c->attr]);
	}
	close_json_object();
}

void print_keyword(const char *key, const char *label,
		   const struct keyword *table, unsigned int value)
{
	const char *name = keyword_name(table, value);

	if (out.json) {
		json_member(key);
		if (name)
			json_string(name);
		else
			fprintf(out.f, "%u", value);
	} else {
		text_sep();
		if (name)
			fprintf(out.f, "%s %s", label, name);
		else
			fprintf(out.f, "%s %u", label, value);
	}
}
