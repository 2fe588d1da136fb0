// SPDX-License-Identifier: GPL-2.0
/*
 * tsline - copy standard input to standard output, each line prefixed
 * with the CLOCK_REALTIME at which it was read (seconds with microseconds,
 * comparable with bash's $EPOCHREALTIME), flushed line by line.
 *
 *   tlstund ... 2>&1 | tsline >daemon.log
 *
 * make bench times tlstund's rekeys from its log lines, which carry no
 * time of their own; a read() of the pipe wakes as soon as the daemon's
 * single write(2) of a line lands, so the stamp trails the event by one
 * pipe wake-up.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	char buf[65536], stamp[32];
	int at_start = 1;
	struct timespec ts;
	ssize_t n, i, from;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(stamp, sizeof(stamp), "%lld.%06ld ",
			 (long long)ts.tv_sec, ts.tv_nsec / 1000);
		for (from = 0, i = 0; i < n; i++) {
			if (at_start) {
				fputs(stamp, stdout);
				at_start = 0;
			}
			if (buf[i] != '\n')
				continue;
			fwrite(buf + from, 1, i + 1 - from, stdout);
			from = i + 1;
			at_start = 1;
		}
		fwrite(buf + from, 1, n - from, stdout);
		fflush(stdout);
	}
	return n < 0;
}
