// SPDX-License-Identifier: GPL-2.0
/*
 * tlstund's event loop: one tunnel, one peer.
 *
 * Concurrency model. One thread and one poll(2) loop own everything: the
 * listening socket, every connection (dialing, handshaking, in session),
 * the kernel's event socket and a signalfd. Nothing blocks: connects,
 * handshakes and writes are non-blocking, netlink requests are answered by
 * the kernel at once, and timers are deadlines the loop turns into its poll
 * timeout. So no state is shared between threads and no locks exist.
 *
 * Sessions and SAs. At most one session is "active": the one whose SAs
 * carry the tunnel. A new session (after a reconnect, a periodic fresh
 * handshake, a reload or a daemon restart) installs its own SAs; once its
 * first generation completes, the SAs of every earlier session (the
 * "orphans", including those a previous daemon left in the kernel) are
 * removed after the grace period. Until then they keep carrying traffic,
 * which is how reconnects and reloads lose nothing. An orphan that is never
 * replaced ends at its hard lifetime. Keys never repeat across any of this:
 * every session derives its keys from its own fresh handshake.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon.h"

static int setup(struct daemon *d, char *err, size_t errlen)
{
	struct tlstund_sa_info *list;
	struct creds cr;
	bool created;
	size_t i, n = 0;
	int ret;

	d->t = d->cfg.transport == TLSTUND_TRANSPORT_QUIC ? &tlstund_quic_ops :
							   &tlstund_tls_ops;
	/* First: a second daemon for the device stops here, touching
	 * nothing of the first one's.
	 */
	ret = tlstund_status_open(d, err, errlen);
	if (ret)
		return ret;
	tlstund_sas_env_init(d);
	ret = tlstund_creds_load(d, &d->cfg, &cr, err, errlen);
	if (ret)
		return ret;
	tlstund_creds_install(d, &cr);
	ret = tlstund_kernel_open(&d->k, err, errlen);
	if (ret)
		return ret;
	ret = tlstund_kernel_ensure_device(d->k, &d->cfg, &d->ifindex,
					   &created, err, errlen);
	if (ret)
		return ret;
	if (created)
		log_info("created device %s", d->cfg.ifname);

	/* SAs already on the device come from a previous daemon: they carry
	 * traffic until this one's first session replaces them.
	 */
	list = calloc(TLSTUND_SA_RECS_MAX, sizeof(*list));
	if (!list)
		return -ENOMEM;
	ret = tlstund_kernel_list_sas(d->k, d->ifindex, list,
				      TLSTUND_SA_RECS_MAX, &n, err, errlen);
	for (i = 0; !ret && i < n; i++) {
		if (tlstund_sas_remember(d, list[i].dir, list[i].spi, 0)) {
			snprintf(err, errlen, "out of memory");
			ret = -ENOMEM;
		}
	}
	free(list);
	if (ret)
		return ret;
	if (n)
		log_info("%zu SAs from before are kept until a new session is up",
			 n);

	if (d->cfg.listen.len) {
		d->listener = d->t->listen(d->tctx,
					   (const struct sockaddr *)&d->cfg.listen.ss,
					   d->cfg.listen.len, err, errlen);
		if (!d->listener)
			return -EADDRINUSE;
	}
	return 0;
}

static int signals_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void on_signal(struct daemon *d, uint64_t now)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		struct slot *sl = tlstund_slot_by_id(d, d->active);

		if (si.ssi_signo == SIGHUP) {
			sd_notify(0, "RELOADING=1");
			tlstund_daemon_reload(d, now);
			sd_notify(0, "READY=1");
		} else if (si.ssi_signo == SIGUSR1) {
			/* New SAs now, within the running session. */
			if (sl && sl->established) {
				tlstund_session_rekey(&sl->session, now,
						      "SIGUSR1");
				tlstund_slot_flush(d, sl);
			} else {
				log_info("SIGUSR1: no session to rekey");
			}
		} else if (si.ssi_signo == SIGUSR2) {
			/* A fresh TLS handshake now; the running SAs carry
			 * traffic until the new session replaces them.
			 */
			if (sl) {
				tlstund_slot_close(d, sl, TLSTUND_CLOSE_NORMAL,
					   "new handshake requested", now);
				tlstund_dial_schedule(d, now, true);
			} else {
				log_info("SIGUSR2: no session; dialing if possible");
				tlstund_dial_schedule(d, now, true);
			}
		} else if (si.ssi_signo == SIGINT) {
			log_info("stopping on SIGINT: removing the SAs");
			d->stopping = true;
			d->stop_removes_sas = true;
		} else {
			log_info("stopping on SIGTERM: the SAs stay until a new daemon replaces them or they expire");
			d->stopping = true;
		}
	}
}

static void teardown(struct daemon *d)
{
	uint64_t now = now_ms();
	int i;

	sd_notify(0, "STOPPING=1");
	for (i = 0; i < MAX_SLOTS; i++) {
		struct slot *sl = d->slots[i];

		if (!sl)
			continue;
		if (sl->established) {
			tlstund_session_close(&sl->session,
					      TLSTUND_CLOSE_NORMAL,
					      "shutting down");
			tlstund_slot_flush(d, sl);
		}
		tlstund_slot_free(d, sl, now);
	}
	/* SIGTERM, which systemd sends to stop and to restart, leaves the
	 * SAs in the kernel: they carry the tunnel until the next daemon's
	 * first session replaces them (setup adopts them as orphans), and
	 * end at their hard lifetime (hard-seconds, by default twice
	 * handshake-interval) when no daemon comes. The next daemon never
	 * sees their keys, which die with this process: it derives its own
	 * from a fresh handshake. SIGINT takes the tunnel down instead.
	 */
	while (d->stop_removes_sas && d->n_sas)
		tlstund_sas_delete(d, &d->sas[0]);
	if (d->listener)
		d->t->listener_close(d->listener);
	tlstund_status_close(d);
	if (d->tctx)
		d->t->ctx_free(d->tctx);
	tlstund_kernel_close(d->k);
	free(d->sas);
	tlstund_identity_free(&d->identity);
	if (d->ca)
		X509_STORE_free(d->ca);
	if (d->sigfd >= 0)
		close(d->sigfd);
}

/**
 * tlstund_daemon_run() - run one tunnel until SIGTERM or SIGINT
 * @cfg: the loaded configuration
 *
 * Return: the process exit status.
 */
int tlstund_daemon_run(const struct tlstund_config *cfg)
{
	struct pollfd pfd[MAX_SLOTS + 4];
	struct slot *owner[MAX_SLOTS + 4];
	struct daemon *d;
	char err[512];
	uint64_t usec;
	int ret, i, status = 0;

	d = calloc(1, sizeof(*d));
	if (!d)
		return 1;
	d->cfg = *cfg;
	d->status_fd = -1;
	d->started_at = now_ms();
	d->sigfd = signals_open();
	if (d->sigfd < 0) {
		log_err("signalfd: %s", strerror(-d->sigfd));
		free(d);
		return 1;
	}
	ret = setup(d, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		teardown(d);
		free(d);
		return 1;
	}
	if (sd_watchdog_enabled(0, &usec) > 0)
		d->watchdog_ms = usec / 2000;
	tlstund_dial_schedule(d, now_ms(), true);
	sd_notify(0, "READY=1\nSTATUS=waiting for the peer");
	log_info("running: device %s (ifindex %d), VNI %" PRIu32 ", %s%s",
		 d->cfg.ifname, d->ifindex, d->cfg.vni,
		 d->cfg.listen.len ? "listening" : "not listening",
		 d->cfg.endpoint.len ? ", dialing the peer" : "");

	while (!d->stopping) {
		uint64_t now = now_ms(), next = 0, t;
		int n = 0, timeout;

		if (d->next_dial && now >= d->next_dial && !tlstund_have_session(d))
			tlstund_dial(d, now);
		for (i = 0; i < MAX_SLOTS; i++) {
			/* The transport's own timers (QUIC), then ours. */
			if (d->slots[i] &&
			    tlstund_slot_transport_due(d, d->slots[i], now))
				tlstund_slot_service(d, d->slots[i], now);
			if (d->slots[i])
				tlstund_slot_tick(d, d->slots[i], now);
		}
		for (size_t j = 0; j < d->n_sas;) {
			if (d->sas[j].delete_at && now >= d->sas[j].delete_at)
				tlstund_sas_delete(d, &d->sas[j]);
			else
				j++;
		}
		if (d->watchdog_ms && now >= d->next_watchdog) {
			sd_notify(0, "WATCHDOG=1");
			d->next_watchdog = now + d->watchdog_ms;
		}

		pfd[n] = (struct pollfd){ .fd = d->sigfd, .events = POLLIN };
		owner[n++] = NULL;
		pfd[n] = (struct pollfd){ .fd = tlstund_kernel_event_fd(d->k),
					  .events = POLLIN };
		owner[n++] = NULL;
		pfd[n] = (struct pollfd){ .fd = d->status_fd, .events = POLLIN };
		owner[n++] = NULL;
		if (d->listener) {
			pfd[n] = (struct pollfd){
				.fd = d->t->listener_fd(d->listener),
				.events = POLLIN };
			owner[n++] = NULL;
		}
		for (i = 0; i < MAX_SLOTS; i++) {
			struct slot *sl = d->slots[i];

			if (!sl)
				continue;
			pfd[n] = (struct pollfd){ .fd = d->t->fd(sl->conn),
						  .events = d->t->events(sl->conn) };
			if (sl->established && sl->session.out_len)
				pfd[n].events |= POLLOUT;
			owner[n++] = sl;
			t = tlstund_slot_deadline(sl, d);
			if (t && (!next || t < next))
				next = t;
		}
		if (d->next_dial && !tlstund_have_session(d) &&
		    (!next || d->next_dial < next))
			next = d->next_dial;
		for (size_t j = 0; j < d->n_sas; j++)
			if (d->sas[j].delete_at &&
			    (!next || d->sas[j].delete_at < next))
				next = d->sas[j].delete_at;
		if (d->watchdog_ms && (!next || d->next_watchdog < next))
			next = d->next_watchdog;

		timeout = !next ? -1 : next <= now ? 0 :
			  (int)((next - now) > 60000 ? 60000 : next - now);
		ret = poll(pfd, n, timeout);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			break;
		}
		now = now_ms();
		if (pfd[0].revents)
			on_signal(d, now);
		if (pfd[1].revents) {
			ret = tlstund_kernel_read_events(d->k, tlstund_daemon_kernel_event,
							 d);
			if (ret == -ENOBUFS)
				log_warn("kernel events were lost; limits are rechecked at the next rekey");
			/* Ids that name nothing now: exit non-zero so that
			 * the service manager restarts us (tlstund(8)).
			 */
			if (ret == -ENODEV) {
				log_err("%s; exiting so that a restart sets the tunnel up again",
					tlstund_kernel_gone(d->k));
				status = 1;
				break;
			}
		}
		if (pfd[2].revents)
			tlstund_status_serve(d, now);
		if (d->listener && pfd[3].revents)
			tlstund_accept_all(d, now);
		for (i = 0; i < n; i++) {
			struct slot *sl = owner[i];
			int k;

			if (!sl || !pfd[i].revents)
				continue;
			/* Still there? An earlier one may have freed it. */
			for (k = 0; k < MAX_SLOTS && d->slots[k] != sl; k++)
				;
			if (k < MAX_SLOTS)
				tlstund_slot_service(d, sl, now);
		}
		for (i = 0; i < MAX_SLOTS; i++) {
			struct slot *sl = d->slots[i];

			if (sl && d->t->take_path_change &&
			    d->t->take_path_change(sl->conn))
				tlstund_slot_peer_moved(d, sl);
		}
	}
	teardown(d);
	free(d);
	return status;
}
