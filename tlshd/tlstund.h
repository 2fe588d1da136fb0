/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlstund: the index of its parts, by file.
 *
 *   main.c       command line, -t config check, start
 *   daemon.c     the poll loop, setup, signals, teardown
 *                (tlstund_daemon_run); its parts, which share daemon.h:
 *   daemon_conn.c    connection slots, dial, accept, handshake -> session
 *   daemon_sa.c      SA records, the session environment, kernel events
 *   daemon_reload.c  credentials and the SIGHUP reload
 *   sarecs.c     the records of the device's SAs, bounded (sarecs.h)
 *   session.c    the control protocol state machine (session.h)
 *   proto.c      control frame codec and stream reader (proto.h)
 *   negotiate.c  decisions both peers compute alike (negotiate.h)
 *   keysched.c   exporter -> master keys -> per-SPI SA keys (keysched.h)
 *   transport.h  the transport interface; tls.c implements TLS 1.3/TCP
 *   trust.c      peer verification over DER: ca, pin, tofu (trust.h)
 *   identity.c   our key and certificate; node ids, pins (identity.h)
 *   config.c     /etc/tlstun/<ifname>.conf (config.h)
 *   kernel.c     netlink: device, SAs, events (kernel.h)
 *   log.c        stderr/journal logging (log.h)
 */
#ifndef TLSTUND_H
#define TLSTUND_H

#include "config.h"
#include "identity.h"
#include "kernel.h"
#include "keysched.h"
#include "log.h"
#include "negotiate.h"
#include "proto.h"
#include "sarecs.h"
#include "session.h"
#include "transport.h"
#include "trust.h"

#define TLSTUND_VERSION "0.1"

/* daemon.c */
int tlstund_daemon_run(const struct tlstund_config *cfg);

#endif /* TLSTUND_H */
