/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One call per field serves both outputs (after iproute2's json_print.h):
 * the key names the field in JSON (snake_case), the format prints it as
 * text ("spi 0x%08x"). Text fields are separated by one space and lines
 * carry no trailing blanks; text strings that are not plain words come out
 * shell-quoted so that a printed line can be pasted back as arguments.
 */
#ifndef TLSTUN_TOOL_PRINT_H
#define TLSTUN_TOOL_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum output_type {
	PRINT_FP = 1,		/* text only */
	PRINT_JSON = 2,		/* JSON only */
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

void print_init(FILE *f, bool json, bool pretty);
bool print_is_json(void);

/* A list of records: "[ ... ]" in JSON, nothing in text. */
void print_list_begin(void);
void print_list_end(void);
/* One record: an object in JSON, starting on a fresh line in text. */
void print_record_begin(void);
void print_record_end(void);

void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value);
void print_u64(enum output_type t, const char *key, const char *fmt,
	       uint64_t value);
void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned int value);
/* Text only: a continuation line, indented under its record. */
void print_indent(void);
/*
 * A keyword-valued field: "label name" in text, "key": "name" in JSON; a
 * value missing from @table (a newer kernel's) prints as its number.
 */
struct keyword;
void print_keyword(const char *key, const char *label,
		   const struct keyword *table, unsigned int value);
/* "key (hidden)" in text, "key": "(hidden)" in JSON: never the value. */
void print_hidden(const char *key);

/*
 * A counter of a stats nest: text "group name value" lines, one line per
 * group; JSON members "key": value of one object.
 */
struct counter {
	unsigned int attr;	/* index into the value array */
	const char *group;	/* text label opening its line */
	const char *name;	/* text name */
	const char *key;	/* JSON key */
};

/* @table ends with a NULL name; only counters marked @present print. */
void print_counters(const char *key, const struct counter *table,
		    const uint64_t *values, const bool *present);

#endif /* TLSTUN_TOOL_PRINT_H */
