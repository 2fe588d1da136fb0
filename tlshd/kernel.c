// SPDX-License-Identifier: GPL-2.0
/*
 * tlstund's netlink client: rtnetlink to create the device when it is
 * missing, the "tlstun" generic netlink family for everything else.
 *
 * Requests go out on one socket and wait for the kernel's ack, whose
 * extended-ack message becomes the error text; CAP_ACK, required on every
 * socket, keeps the kernel from echoing a request (and so a key) back. A
 * request that carried a key is wiped before it is freed. Events arrive on a second socket that only
 * listens to the family's multicast group, so a request never has to skip
 * an event and an event never waits behind a request.
 *
 * The family id and the device's ifindex are resolved once, so the handle
 * watches for both to go: the event socket also listens to nlctrl, which
 * announces a family's removal (the module was unloaded), and a third
 * socket to rtnetlink's link group, which announces the device's deletion
 * (rmmod deletes the devices first, so a deletion while the module is
 * going is reported as the unload).  Either makes tlstund_kernel_read_events() return -ENODEV for good: the
 * daemon cannot carry on with ids that name nothing, or worse, something
 * else. One epoll descriptor stands for both sockets.
 */

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <openssl/crypto.h>

#include "config.h"
#include "kernel.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct tlstund_kernel {
	struct nl_sock *cmd;
	struct nl_sock *ev;
	struct nl_sock *route;
	struct nl_sock *links;		/* RTNLGRP_LINK notifications */
	int epfd;			/* ev and links */
	int family;
	int ifindex;			/* the device, once ensured */
	char ifname[IF_NAMESIZE];
	char gone[128];			/* why the ids name nothing now */
};

/* One request in flight: how it ended and what the kernel said. */
struct request {
	int error;
	bool done;
	char msg[256];
	int (*valid)(struct nl_msg *msg, void *arg);
	void *arg;
};

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct request *r = arg;
	int ack_len = sizeof(*nlh) + sizeof(*e);

	(void)nla;
	r->error = e->error;
	r->done = true;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ack_len += e->msg.nlmsg_len - sizeof(*nlh);
	if ((int)nlh->nlmsg_len <= ack_len)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlh + ack_len),
		      nlh->nlmsg_len - ack_len, NULL) == 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(r->msg, sizeof(r->msg), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;

	return r->valid ? r->valid(msg, r->arg) : NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

/* Send @msg (consumed, wiped when @secret) and wait for the end of the
 * reply. Returns 0 or -errno with the kernel's words in @err.
 */
static int talk(struct nl_sock *sk, struct nl_msg *msg, bool secret,
		int (*valid)(struct nl_msg *, void *), void *arg,
		const char *what, char *err, size_t errlen)
{
	struct request r = { .valid = valid, .arg = arg };
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		ret = -ENOMEM;
		goto out_free;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);

	ret = nl_send_auto(sk, msg);
	if (ret < 0) {
		snprintf(err, errlen, "%s: sending to the kernel: %s", what,
			 nl_geterror(ret));
		ret = -EIO;
		goto out_cb;
	}
	while (!r.done) {
		ret = nl_recvmsgs(sk, cb);
		if (ret < 0 && !r.done) {
			snprintf(err, errlen, "%s: reading the kernel's answer: %s",
				 what, nl_geterror(ret));
			ret = -EIO;
			goto out_cb;
		}
	}
	ret = r.error;
	if (ret < 0)
		snprintf(err, errlen, "%s: %s%s%s", what, strerror(-ret),
			 r.msg[0] ? ": " : "", r.msg);
out_cb:
	nl_cb_put(cb);
out_free:
	if (secret)
		OPENSSL_cleanse(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
	return ret;
}

static struct nl_sock *sock_open(int protocol, char *err, size_t errlen)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, ret;

	if (!sk) {
		snprintf(err, errlen, "netlink: out of memory");
		return NULL;
	}
	ret = nl_connect(sk, protocol);
	if (ret < 0) {
		snprintf(err, errlen, "netlink: %s", nl_geterror(ret));
		nl_socket_free(sk);
		return NULL;
	}
	/* Extended acks are best effort: without them errors are plainer.
	 * Capped acks are not: without them an error reply echoes the
	 * request, key included, into a buffer libnl frees unwiped.
	 */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	if (setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK,
		       &one, sizeof(one))) {
		snprintf(err, errlen,
			 "netlink: the kernel refuses NETLINK_CAP_ACK (%s); without it an error reply would echo a key back",
			 strerror(errno));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

/* @sk, non-blocking and taking any sequence number, in @k's epoll set. */
static int watch(struct tlstund_kernel *k, struct nl_sock *sk, char *err,
		 size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN };

	nl_socket_disable_seq_check(sk);
	nl_socket_set_nonblocking(sk);
	if (epoll_ctl(k->epfd, EPOLL_CTL_ADD, nl_socket_get_fd(sk), &ev)) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/**
 * tlstund_kernel_open() - connect to the tlstun family and its events
 * @k: the handle made
 * @err: why not, e.g. the module is not loaded
 * @errlen: size of @err
 *
 * Return: 0 or -errno.
 */
int tlstund_kernel_open(struct tlstund_kernel **k, char *err, size_t errlen)
{
	struct tlstund_kernel *kk = calloc(1, sizeof(*kk));
	int grp, ctrl_grp;

	if (!kk) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	kk->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (kk->epfd < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		goto err;
	}
	kk->cmd = sock_open(NETLINK_GENERIC, err, errlen);
	kk->ev = kk->cmd ? sock_open(NETLINK_GENERIC, err, errlen) : NULL;
	kk->route = kk->ev ? sock_open(NETLINK_ROUTE, err, errlen) : NULL;
	kk->links = kk->route ? sock_open(NETLINK_ROUTE, err, errlen) : NULL;
	if (!kk->links)
		goto err;
	kk->family = genl_ctrl_resolve(kk->cmd, TLSTUN_GENL_NAME);
	if (kk->family < 0) {
		snprintf(err, errlen,
			 "the tlstun kernel module is not loaded (generic netlink family \"%s\" not found)",
			 TLSTUN_GENL_NAME);
		goto err;
	}
	grp = genl_ctrl_resolve_grp(kk->ev, TLSTUN_GENL_NAME,
				    TLSTUN_GENL_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(kk->ev, grp) < 0) {
		snprintf(err, errlen,
			 "cannot join the tlstun events group (needs CAP_NET_ADMIN)");
		goto err;
	}
	ctrl_grp = genl_ctrl_resolve_grp(kk->ev, "nlctrl", "notify");
	if (ctrl_grp < 0 || nl_socket_add_membership(kk->ev, ctrl_grp) < 0 ||
	    nl_socket_add_membership(kk->links, RTNLGRP_LINK) < 0) {
		snprintf(err, errlen,
			 "cannot join the netlink groups that announce the module's and the device's removal");
		goto err;
	}
	if (watch(kk, kk->ev, err, errlen) || watch(kk, kk->links, err, errlen))
		goto err;
	*k = kk;
	return 0;
err:
	tlstund_kernel_close(kk);
	return -ENOENT;
}

/**
 * tlstund_kernel_close() - close the sockets
 * @k: the handle, may be NULL
 */
void tlstund_kernel_close(struct tlstund_kernel *k)
{
	if (!k)
		return;
	if (k->cmd)
		nl_socket_free(k->cmd);
	if (k->ev)
		nl_socket_free(k->ev);
	if (k->route)
		nl_socket_free(k->route);
	if (k->links)
		nl_socket_free(k->links);
	if (k->epfd >= 0)
		close(k->epfd);
	free(k);
}

static struct nl_msg *genl_msg(struct tlstund_kernel *k, uint8_t cmd,
			       int flags, int ifindex)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0,
			 NLM_F_REQUEST | NLM_F_ACK | flags, cmd,
			 TLSTUN_GENL_VERSION) ||
	    (ifindex && nla_put_u32(msg, TLSTUN_A_IFINDEX, ifindex) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int put_addr(struct nl_msg *msg, int attr4, int attr6,
		    const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return nla_put(msg, attr4, 4,
			       &((const struct sockaddr_in *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6)
		return nla_put(msg, attr6, 16,
			       &((const struct sockaddr_in6 *)sa)->sin6_addr);
	return -EINVAL;
}

/* The data-plane remote the configuration implies, or NULL. */
static const struct sockaddr *cfg_remote(const struct tlstund_config *cfg)
{
	if (cfg->remote.len)
		return (const struct sockaddr *)&cfg->remote.ss;
	if (cfg->endpoint.len)
		return (const struct sockaddr *)&cfg->endpoint.ss;
	return NULL;
}

static int create_link(struct tlstund_kernel *k, const struct tlstund_config *cfg,
		       char *err, size_t errlen)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *linkinfo, *data;
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK |
				 NLM_F_CREATE | NLM_F_EXCL);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, cfg->ifname) < 0 ||
	    !(linkinfo = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, TLSTUN_LINK_KIND) < 0 ||
	    !(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
	    nla_put_u16(msg, IFLA_TLSTUN_PORT, cfg->port) < 0 ||
	    nla_put_u32(msg, IFLA_TLSTUN_VNI, cfg->vni) < 0) {
		nlmsg_free(msg);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	nla_nest_end(msg, data);
	nla_nest_end(msg, linkinfo);
	return talk(k->route, msg, false, NULL, NULL, "creating the device",
		    err, errlen);
}

/**
 * tlstund_kernel_ensure_device() - create the configured device if missing
 *	and set its port, VNI and addresses
 * @k: the handle
 * @cfg: the configuration
 * @ifindex: the device's index
 * @created: whether this call created it
 * @err: what went wrong
 * @errlen: size of @err
 *
 * An existing device of another kind is refused, never changed.
 *
 * Return: 0 or -errno.
 */
int tlstund_kernel_ensure_device(struct tlstund_kernel *k,
				 const struct tlstund_config *cfg,
				 int *ifindex, bool *created, char *err,
				 size_t errlen)
{
	const struct sockaddr *remote = cfg_remote(cfg);
	struct nl_msg *msg;
	int ret;

	*created = false;
	*ifindex = if_nametoindex(cfg->ifname);
	if (!*ifindex) {
		ret = create_link(k, cfg, err, errlen);
		if (ret < 0)
			return ret;
		*created = true;
		*ifindex = if_nametoindex(cfg->ifname);
		if (!*ifindex) {
			snprintf(err, errlen, "device %s vanished after creation",
				 cfg->ifname);
			return -ENODEV;
		}
	}

	msg = genl_msg(k, TLSTUN_CMD_SET_DEVICE, 0, *ifindex);
	if (!msg ||
	    nla_put_u16(msg, TLSTUN_A_PORT, cfg->port) < 0 ||
	    nla_put_u32(msg, TLSTUN_A_VNI, cfg->vni) < 0 ||
	    (remote && put_addr(msg, TLSTUN_A_REMOTE, TLSTUN_A_REMOTE6,
				remote) < 0) ||
	    (remote && cfg->local.len &&
	     put_addr(msg, TLSTUN_A_LOCAL, TLSTUN_A_LOCAL6,
		      (const struct sockaddr *)&cfg->local.ss) < 0)) {
		if (msg)
			nlmsg_free(msg);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	k->ifindex = *ifindex;
	snprintf(k->ifname, sizeof(k->ifname), "%s", cfg->ifname);
	return talk(k->cmd, msg, false, NULL, NULL, cfg->ifname, err, errlen);
}

/**
 * tlstund_kernel_set_remote() - point the device's data plane at @remote
 * @k: the handle
 * @ifindex: the device
 * @remote: an AF_INET or AF_INET6 address (the port is ignored)
 * @err: what went wrong
 * @errlen: size of @err
 *
 * Return: 0 or -errno.
 */
int tlstund_kernel_set_remote(struct tlstund_kernel *k, int ifindex,
			      const struct sockaddr *remote, char *err,
			      size_t errlen)
{
	struct nl_msg *msg = genl_msg(k, TLSTUN_CMD_SET_DEVICE, 0, ifindex);

	if (!msg || put_addr(msg, TLSTUN_A_REMOTE, TLSTUN_A_REMOTE6,
			     remote) < 0) {
		if (msg)
			nlmsg_free(msg);
		snprintf(err, errlen, "setting the remote: bad address");
		return -EINVAL;
	}
	return talk(k->cmd, msg, false, NULL, NULL, "setting the remote", err,
		    errlen);
}

static int put_u64_nz(struct nl_msg *msg, int attr, uint64_t v)
{
	return v ? nla_put_u64(msg, attr, v) : 0;
}

/**
 * tlstund_kernel_add_sa() - install one SA
 * @k: the handle
 * @ifindex: the device
 * @p: the SA; the key is copied into the request, which is wiped after
 * @err: the kernel's reason when refused
 * @errlen: size of @err
 *
 * Return: 0 or -errno (-EEXIST: the rx SPI is taken on the UDP port).
 */
int tlstund_kernel_add_sa(struct tlstund_kernel *k, int ifindex,
			  const struct tlstund_sa_params *p, char *err,
			  size_t errlen)
{
	struct nlattr *sa, *lt;
	struct nl_msg *msg;

	msg = genl_msg(k, TLSTUN_CMD_ADD_SA, 0, ifindex);
	if (!msg)
		goto nomem;
	if (!(sa = nla_nest_start(msg, TLSTUN_A_SA)) ||
	    nla_put_u8(msg, TLSTUN_SA_DIR, p->dir) < 0 ||
	    nla_put_u32(msg, TLSTUN_SA_SPI, p->spi) < 0 ||
	    nla_put_u16(msg, TLSTUN_SA_SUITE, p->suite) < 0 ||
	    nla_put(msg, TLSTUN_SA_KEY, p->keylen, p->key) < 0 ||
	    (p->dir == TLSTUN_SA_DIR_RX && p->replay_window &&
	     nla_put_u32(msg, TLSTUN_SA_REPLAY_WINDOW, p->replay_window) < 0) ||
	    (p->peer && p->peer[0] &&
	     nla_put_string(msg, TLSTUN_SA_PEER, p->peer) < 0) ||
	    !(lt = nla_nest_start(msg, TLSTUN_SA_LIFETIME)) ||
	    put_u64_nz(msg, TLSTUN_LIFETIME_SOFT_PACKETS, p->soft_packets) < 0 ||
	    put_u64_nz(msg, TLSTUN_LIFETIME_HARD_PACKETS, p->hard_packets) < 0 ||
	    put_u64_nz(msg, TLSTUN_LIFETIME_SOFT_BYTES, p->soft_bytes) < 0 ||
	    put_u64_nz(msg, TLSTUN_LIFETIME_HARD_BYTES, p->hard_bytes) < 0 ||
	    put_u64_nz(msg, TLSTUN_LIFETIME_SOFT_SECONDS, p->soft_seconds) < 0 ||
	    put_u64_nz(msg, TLSTUN_LIFETIME_HARD_SECONDS, p->hard_seconds) < 0) {
		OPENSSL_cleanse(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
		nlmsg_free(msg);
		goto nomem;
	}
	nla_nest_end(msg, lt);
	nla_nest_end(msg, sa);
	return talk(k->cmd, msg, true, NULL, NULL,
		    p->dir == TLSTUN_SA_DIR_RX ? "installing rx SA" :
						 "installing tx SA",
		    err, errlen);
nomem:
	snprintf(err, errlen, "installing SA: out of memory");
	return -ENOMEM;
}

/**
 * tlstund_kernel_del_sa() - remove one SA
 * @k: the handle
 * @ifindex: the device
 * @dir: enum tlstun_sa_dir
 * @spi: the SPI
 * @err: the kernel's reason when refused
 * @errlen: size of @err
 *
 * Return: 0 or -errno (-ENOENT: no such SA).
 */
int tlstund_kernel_del_sa(struct tlstund_kernel *k, int ifindex, uint8_t dir,
			  uint32_t spi, char *err, size_t errlen)
{
	struct nl_msg *msg = genl_msg(k, TLSTUN_CMD_DEL_SA, 0, ifindex);
	struct nlattr *sa;

	if (!msg || !(sa = nla_nest_start(msg, TLSTUN_A_SA)) ||
	    nla_put_u8(msg, TLSTUN_SA_DIR, dir) < 0 ||
	    nla_put_u32(msg, TLSTUN_SA_SPI, spi) < 0) {
		if (msg)
			nlmsg_free(msg);
		snprintf(err, errlen, "removing SA: out of memory");
		return -ENOMEM;
	}
	nla_nest_end(msg, sa);
	return talk(k->cmd, msg, false, NULL, NULL, "removing SA", err, errlen);
}

struct list_ctx {
	struct tlstund_sa_info *out;
	size_t max;
	size_t n;
};

static int parse_sa(struct nl_msg *msg, struct tlstund_sa_info *info)
{
	struct nlattr *tb[TLSTUN_A_MAX + 1], *sa[TLSTUN_SA_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TLSTUN_A_MAX, NULL) < 0 ||
	    !tb[TLSTUN_A_SA] ||
	    nla_parse_nested(sa, TLSTUN_SA_MAX, tb[TLSTUN_A_SA], NULL) < 0 ||
	    !sa[TLSTUN_SA_DIR] || !sa[TLSTUN_SA_SPI])
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->dir = nla_get_u8(sa[TLSTUN_SA_DIR]);
	info->spi = nla_get_u32(sa[TLSTUN_SA_SPI]);
	if (sa[TLSTUN_SA_SUITE])
		info->suite = nla_get_u16(sa[TLSTUN_SA_SUITE]);
	if (sa[TLSTUN_SA_PEER])
		snprintf(info->peer, sizeof(info->peer), "%s",
			 (char *)nla_data(sa[TLSTUN_SA_PEER]));
	return 0;
}

static int list_one(struct nl_msg *msg, void *arg)
{
	struct list_ctx *c = arg;

	if (c->n < c->max && parse_sa(msg, &c->out[c->n]) == 0)
		c->n++;
	return NL_OK;
}

/**
 * tlstund_kernel_list_sas() - the SAs a device has now
 * @k: the handle
 * @ifindex: the device
 * @out: filled with up to @max SAs
 * @max: room in @out
 * @n: how many were filled
 * @err: what went wrong
 * @errlen: size of @err
 *
 * Return: 0 or -errno.
 */
int tlstund_kernel_list_sas(struct tlstund_kernel *k, int ifindex,
			    struct tlstund_sa_info *out, size_t max,
			    size_t *n, char *err, size_t errlen)
{
	struct list_ctx c = { .out = out, .max = max };
	struct nl_msg *msg = genl_msg(k, TLSTUN_CMD_GET_SA, NLM_F_DUMP,
				      ifindex);
	int ret;

	if (!msg) {
		snprintf(err, errlen, "listing SAs: out of memory");
		return -ENOMEM;
	}
	ret = talk(k->cmd, msg, false, list_one, &c, "listing SAs", err,
		   errlen);
	*n = c.n;
	return ret;
}

/**
 * tlstund_kernel_event_fd() - the descriptor to poll for SA events
 * @k: the handle
 *
 * Return: a file descriptor (an epoll set of the event sockets).
 */
int tlstund_kernel_event_fd(struct tlstund_kernel *k)
{
	return k->epfd;
}

/**
 * tlstund_kernel_gone() - why the handle's family or device is gone
 * @k: the handle
 *
 * Return: a sentence for the log once tlstund_kernel_read_events() has
 * returned -ENODEV, NULL before.
 */
const char *tlstund_kernel_gone(const struct tlstund_kernel *k)
{
	return k->gone[0] ? k->gone : NULL;
}

struct event_ctx {
	struct tlstund_kernel *k;
	tlstund_kernel_event_cb cb;
	void *arg;
};

/* nlctrl: only the removal of our own family matters. */
static void on_ctrl(struct event_ctx *c, struct nlmsghdr *nlh)
{
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if (gh->cmd != CTRL_CMD_DELFAMILY ||
	    genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_ID] ||
	    nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) != c->k->family)
		return;
	snprintf(c->k->gone, sizeof(c->k->gone),
		 "the tlstun kernel module was unloaded (its netlink family is gone)");
}

/*
 * rmmod deletes the module's devices before its netlink family goes, so a
 * daemon sees RTM_DELLINK first.  The module's sysfs state tells the two
 * causes apart: it reads "going" from before the module's exit function
 * runs until its directory is removed, after which it is absent.
 */
static bool module_is_unloading(void)
{
	char state[16] = "";
	FILE *f = fopen("/sys/module/tlstun/initstate", "re");

	if (!f)
		return errno == ENOENT;
	if (!fgets(state, sizeof(state), f))
		state[0] = 0;
	fclose(f);
	return !strncmp(state, "going", 5);
}

static int on_link(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct event_ctx *c = arg;
	struct ifinfomsg *ifi = nlmsg_data(nlh);

	if (nlh->nlmsg_type == RTM_DELLINK &&
	    nlmsg_datalen(nlh) >= (int)sizeof(*ifi) && c->k->ifindex &&
	    ifi->ifi_index == c->k->ifindex && !c->k->gone[0]) {
		if (module_is_unloading()) {
			snprintf(c->k->gone, sizeof(c->k->gone),
				 "the tlstun kernel module was unloaded (it deleted device %s)",
				 c->k->ifname);
			return NL_OK;
		}
		snprintf(c->k->gone, sizeof(c->k->gone),
			 "device %s (ifindex %d) was deleted", c->k->ifname,
			 c->k->ifindex);
	}
	return NL_OK;
}

/* Events are not answers to a request: their sequence number is 0. */
static int seq_any(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[TLSTUN_A_MAX + 1], *sa[TLSTUN_SA_MAX + 1];
	struct tlstund_kernel_event ev = { 0 };
	struct event_ctx *c = arg;

	if (nlmsg_hdr(msg)->nlmsg_type == GENL_ID_CTRL) {
		on_ctrl(c, nlmsg_hdr(msg));
		return NL_OK;
	}
	if (nlmsg_hdr(msg)->nlmsg_type != c->k->family)
		return NL_OK;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TLSTUN_A_MAX, NULL) < 0 ||
	    !tb[TLSTUN_A_IFINDEX])
		return NL_OK;
	ev.ifindex = nla_get_u32(tb[TLSTUN_A_IFINDEX]);
	/* The daemon serves the device's own peer, peer 0: an event about
	 * another peer's SA is not its, even if the SPI is one of its own.
	 */
	if (tb[TLSTUN_A_PEER_ID] && nla_get_u32(tb[TLSTUN_A_PEER_ID]))
		return NL_OK;
	switch (gh->cmd) {
	case TLSTUN_CMD_SA_SOFT_EXPIRE:
	case TLSTUN_CMD_SA_HARD_EXPIRE:
		ev.type = gh->cmd == TLSTUN_CMD_SA_SOFT_EXPIRE ?
			  TLSTUND_EV_SOFT_EXPIRE : TLSTUND_EV_HARD_EXPIRE;
		if (!tb[TLSTUN_A_SA] ||
		    nla_parse_nested(sa, TLSTUN_SA_MAX, tb[TLSTUN_A_SA],
				     NULL) < 0 ||
		    !sa[TLSTUN_SA_DIR] || !sa[TLSTUN_SA_SPI])
			return NL_OK;
		ev.dir = nla_get_u8(sa[TLSTUN_SA_DIR]);
		ev.spi = nla_get_u32(sa[TLSTUN_SA_SPI]);
		if (tb[TLSTUN_A_EXPIRE_REASON])
			ev.reason = nla_get_u8(tb[TLSTUN_A_EXPIRE_REASON]);
		break;
	case TLSTUN_CMD_ACQUIRE:
		ev.type = TLSTUND_EV_ACQUIRE;
		if (tb[TLSTUN_A_TX_SPI])
			ev.spi = nla_get_u32(tb[TLSTUN_A_TX_SPI]);
		break;
	default:
		return NL_OK;
	}
	c->cb(c->arg, &ev);
	return NL_OK;
}

/* Read every pending message of @sk into @ncb: 0, or -errno. */
static int drain(struct nl_sock *sk, struct nl_cb *ncb)
{
	int ret;

	for (;;) {
		ret = nl_recvmsgs(sk, ncb);
		if (ret == -NLE_AGAIN)
			return 0;
		if (ret < 0)
			return ret == -NLE_NOMEM ? -ENOBUFS : -EIO;
	}
}

/**
 * tlstund_kernel_read_events() - hand every pending event to @cb
 * @k: the handle
 * @cb: called once per event
 * @arg: passed to @cb
 *
 * Return: 0; -ENODEV once the tlstun family or the device is gone (the
 * module was unloaded, the device deleted; tlstund_kernel_gone() says
 * which), from then on at every call; or another -errno when a socket
 * failed (-ENOBUFS: events were lost because a socket overflowed; the
 * caller should recheck its SAs).
 */
int tlstund_kernel_read_events(struct tlstund_kernel *k,
			       tlstund_kernel_event_cb cb, void *arg)
{
	struct event_ctx c = { .k = k, .cb = cb, .arg = arg };
	struct nl_cb *ncb = nl_cb_alloc(NL_CB_DEFAULT);
	struct nl_cb *lcb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = -ENOMEM, lret;

	if (!ncb || !lcb)
		goto out;
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &c);
	nl_cb_set(ncb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_any, NULL);
	nl_cb_set(lcb, NL_CB_VALID, NL_CB_CUSTOM, on_link, &c);
	nl_cb_set(lcb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_any, NULL);
	ret = drain(k->ev, ncb);
	lret = drain(k->links, lcb);
	/* An overflow of the link group loses no SA event, but maybe the
	 * deletion: look the device up instead.
	 */
	if (lret == -ENOBUFS && k->ifindex && !k->gone[0] &&
	    (int)if_nametoindex(k->ifname) != k->ifindex)
		snprintf(k->gone, sizeof(k->gone),
			 "device %s (ifindex %d) is gone", k->ifname,
			 k->ifindex);
	else if (!ret && lret != -ENOBUFS)
		ret = lret;
	if (k->gone[0])
		ret = -ENODEV;
out:
	if (ncb)
		nl_cb_put(ncb);
	if (lcb)
		nl_cb_put(lcb);
	return ret;
}
