/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging to stderr, which systemd hands to the journal. Under systemd
 * (JOURNAL_STREAM set) each line carries its syslog priority as "<N>";
 * otherwise a plain level word. Secrets are never passed to these
 * functions: keys appear only as their fingerprints (keysched.h).
 */
#ifndef TLSTUND_LOG_H
#define TLSTUND_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

void tlstund_log_init(const char *ifname, bool debug);
void tlstund_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool tlstund_log_debug_enabled(void);
/* The last warning or error logged, without its prefix, and when
 * (CLOCK_MONOTONIC ms); 0 when there was none. For "tlstun show".
 */
uint64_t tlstund_log_last_problem(char *buf, size_t len);

#define log_err(...)	tlstund_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	tlstund_log(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	tlstund_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	tlstund_log(LOG_DEBUG, __VA_ARGS__)

#endif /* TLSTUND_LOG_H */
