// SPDX-License-Identifier: GPL-2.0
/*
 * See log.h. One line per call, written with a single write(2) so lines
 * from a daemon and its test harness never interleave mid-line.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static bool log_debug_on;
static char log_problem[256];
static uint64_t log_problem_at;
static bool log_journal;
static char log_ifname[32];

void tlstund_log_init(const char *ifname, bool debug)
{
	log_debug_on = debug;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	snprintf(log_ifname, sizeof(log_ifname), "%s", ifname ? ifname : "");
}

bool tlstund_log_debug_enabled(void)
{
	return log_debug_on;
}

static const char *prio_word(int prio)
{
	switch (prio) {
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

static void remember_problem(const char *text)
{
	size_t len = strnlen(text, sizeof(log_problem) - 1);
	struct timespec ts;

	/* Cut at the buffer's end, which may split a UTF-8 sequence: only
	 * our own messages come here, in ASCII.
	 */
	memcpy(log_problem, text, len);
	log_problem[len] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &ts);
	log_problem_at = (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	/* 0 means "none": a problem at the very first millisecond of boot
	 * still counts.
	 */
	if (!log_problem_at)
		log_problem_at = 1;
}

uint64_t tlstund_log_last_problem(char *buf, size_t len)
{
	snprintf(buf, len, "%s", log_problem);
	return log_problem_at;
}

void tlstund_log(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (prio == LOG_DEBUG && !log_debug_on)
		return;
	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>%s%s", prio, log_ifname,
			     log_ifname[0] ? ": " : "");
	else if (log_ifname[0])
		n = snprintf(line, sizeof(line), "tlstund[%s]: %s: ",
			     log_ifname, prio_word(prio));
	else
		n = snprintf(line, sizeof(line), "tlstund: %s: ",
			     prio_word(prio));
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (prio <= LOG_WARNING)
		remember_problem(line + n);
	n = strlen(line);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
