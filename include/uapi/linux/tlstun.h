/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * tlstun: an encrypted Geneve overlay whose keys come from a TLS 1.3 or
 * QUIC mutual-TLS handshake run in userspace (tlstund).
 *
 * Two netlink interfaces:
 *
 * 1. rtnetlink link kind "tlstun" (ip link add tt0 type tlstun ...), with
 *    the IFLA_TLSTUN_* attributes nested in IFLA_INFO_DATA. Every attribute
 *    is optional on creation; missing ones take the defaults below.
 *
 *    IFLA_TLSTUN_REMOTE   NLA_BE32        IPv4 remote endpoint
 *    IFLA_TLSTUN_REMOTE6  binary, 16      IPv6 remote endpoint
 *    IFLA_TLSTUN_LOCAL    NLA_BE32        IPv4 source address (0 = route)
 *    IFLA_TLSTUN_LOCAL6   binary, 16      IPv6 source address (:: = route)
 *    IFLA_TLSTUN_PORT     NLA_U16         UDP port, host order (6081)
 *    IFLA_TLSTUN_VNI      NLA_U32         24-bit VNI (1)
 *    IFLA_TLSTUN_TTL      NLA_U8          outer TTL/hop limit, 0 = route (0)
 *    IFLA_TLSTUN_TOS      NLA_U8          outer TOS/traffic class (0)
 *    IFLA_TLSTUN_DF       NLA_U8          enum tlstun_df (TLSTUN_DF_UNSET)
 *
 *    REMOTE and REMOTE6 (and LOCAL and LOCAL6) are mutually exclusive; the
 *    local address, when set, must be of the remote's family.
 *
 * 2. Generic netlink family TLSTUN_GENL_NAME, version TLSTUN_GENL_VERSION.
 *    Every command needs CAP_NET_ADMIN in the user namespace owning the
 *    network namespace of the socket (GENL_UNS_ADMIN_PERM). Attribute
 *    validation is strict: unknown attributes, wrong lengths and unknown
 *    flag bits are rejected with an extack message. A device is named by
 *    TLSTUN_A_IFINDEX or TLSTUN_A_IFNAME (exactly one).
 *
 *    TLSTUN_CMD_GET_DEVICE (doit, or dump of every tlstun device in the netns)
 *      request:
 *        TLSTUN_A_IFINDEX               NLA_U32
 *        TLSTUN_A_IFNAME                NLA_NUL_STRING
 *      reply:
 *        TLSTUN_A_IFINDEX               NLA_U32
 *        TLSTUN_A_IFNAME                NLA_NUL_STRING
 *        TLSTUN_A_REMOTE                NLA_BE32           or
 *        TLSTUN_A_REMOTE6               binary, 16
 *        TLSTUN_A_LOCAL                 NLA_BE32           or
 *        TLSTUN_A_LOCAL6                binary, 16
 *        TLSTUN_A_PORT                  NLA_U16
 *        TLSTUN_A_VNI                   NLA_U32
 *        TLSTUN_A_TTL                   NLA_U8
 *        TLSTUN_A_TOS                   NLA_U8
 *        TLSTUN_A_DF                    NLA_U8
 *        TLSTUN_A_TX_SPI                NLA_U32  (absent: peer 0 has no
 *                                                 tx SA)
 *        TLSTUN_A_SA_COUNT              NLA_U32  (rx + tx SAs installed,
 *                                                 of every peer)
 *        TLSTUN_A_PEER_COUNT            NLA_U32  (peers besides peer 0)
 *        TLSTUN_A_FDB_COUNT             NLA_U32  (FDB entries)
 *        TLSTUN_A_FDB_AGEING            NLA_U32  (seconds)
 *        TLSTUN_A_STATS                 NLA_NESTED
 *          TLSTUN_STATS_*               NLA_U64 each
 *
 *    TLSTUN_CMD_SET_DEVICE (doit): the device attributes of GET_DEVICE
 *      (REMOTE, REMOTE6, LOCAL, LOCAL6, PORT, VNI, TTL, TOS, DF) plus
 *        TLSTUN_A_FLAGS                 NLA_U32, enum tlstun_device_flags
 *        TLSTUN_A_FDB_AGEING            NLA_U32, TLSTUN_FDB_AGEING_MIN..MAX
 *
 *    Peers. Peer 0 is the device's own: its endpoint is the device's
 *    remote and port, and every SA added without TLSTUN_A_PEER_ID is its.
 *    A device with only peer 0 is point to point: every frame is sealed
 *    for peer 0 and the FDB is not used. Peers 1.. are added with
 *    ADD_PEER; once a device has one, the destination MAC of each frame
 *    picks its peer through the FDB, and a broadcast, multicast or
 *    unknown unicast frame is sent to every peer that has an endpoint
 *    (peer 0 only while the device has a remote), each copy sealed under
 *    that peer's own tx SA. Every frame opened under a peer's rx SA
 *    teaches the FDB that its source MAC is behind that peer, unless the
 *    MAC has a static entry for another peer, in which case the frame is
 *    dropped (TLSTUN_STATS_RX_MAC_STATIC). Learned entries age out after
 *    TLSTUN_A_FDB_AGEING seconds without a frame; a device learns at most
 *    TLSTUN_FDB_PEER_LEARN_MAX entries per peer and holds at most
 *    TLSTUN_FDB_DEV_MAX (TLSTUN_STATS_FDB_LEARN_FULL counts what was not
 *    learned).
 *
 *    TLSTUN_CMD_ADD_PEER, TLSTUN_CMD_SET_PEER (doit)
 *        TLSTUN_A_IFINDEX | TLSTUN_A_IFNAME
 *        TLSTUN_A_PEER                  NLA_NESTED
 *          TLSTUN_PEER_ID               NLA_U32, 1.. (required)
 *          TLSTUN_PEER_REMOTE           NLA_BE32           or
 *          TLSTUN_PEER_REMOTE6          binary, 16 (ADD: one required)
 *          TLSTUN_PEER_PORT             NLA_U16, 1.. (absent: the device's)
 *          TLSTUN_PEER_LABEL            NLA_NUL_STRING, < TLSTUN_PEER_MAX
 *      At most TLSTUN_MAX_PEERS per device; an id in use is EEXIST. SET
 *      replaces the endpoint whole.
 *
 *    TLSTUN_CMD_DEL_PEER (doit): removes the peer, its SAs and its FDB
 *    entries at once; once it returns nothing more is sealed for it or
 *    opened from it.
 *        TLSTUN_A_IFINDEX | TLSTUN_A_IFNAME
 *        TLSTUN_A_PEER                  NLA_NESTED
 *          TLSTUN_PEER_ID               NLA_U32, 1.. (required)
 *
 *    TLSTUN_CMD_GET_PEER (doit: PEER_ID given, 0 for peer 0; dump: every
 *    peer of the device, peer 0 while it has a remote or an SA, resumable)
 *      reply, one message per peer:
 *        TLSTUN_A_IFINDEX, TLSTUN_A_IFNAME
 *        TLSTUN_A_PEER                  NLA_NESTED
 *          TLSTUN_PEER_ID, TLSTUN_PEER_REMOTE | TLSTUN_PEER_REMOTE6,
 *          TLSTUN_PEER_PORT, TLSTUN_PEER_LABEL (when set)
 *          TLSTUN_PEER_TX_SPI           NLA_U32 (absent: no tx SA)
 *          TLSTUN_PEER_SA_COUNT         NLA_U32
 *          TLSTUN_PEER_FDB_LEARNED      NLA_U32
 *          TLSTUN_PEER_STATS            NLA_NESTED
 *            TLSTUN_PEER_STATS_*        NLA_U64 each
 *
 *    TLSTUN_CMD_ADD_FDB (doit): a static entry; NLM_F_REPLACE lets it
 *    replace a static one (EEXIST otherwise); a learned one becomes static
 *        TLSTUN_A_IFINDEX | TLSTUN_A_IFNAME
 *        TLSTUN_A_FDB                   NLA_NESTED
 *          TLSTUN_FDB_MAC               binary, 6, unicast (required)
 *          TLSTUN_FDB_PEER_ID           NLA_U32 (required; 0 is peer 0)
 *
 *    TLSTUN_CMD_DEL_FDB (doit): removes the entry of a MAC, static or
 *    learned
 *        TLSTUN_A_IFINDEX | TLSTUN_A_IFNAME
 *        TLSTUN_A_FDB                   NLA_NESTED
 *          TLSTUN_FDB_MAC               binary, 6 (required)
 *
 *    TLSTUN_CMD_GET_FDB (dump of the device's entries, resumable)
 *      reply, one message per entry:
 *        TLSTUN_A_IFINDEX, TLSTUN_A_IFNAME
 *        TLSTUN_A_FDB                   NLA_NESTED
 *          TLSTUN_FDB_MAC, TLSTUN_FDB_PEER_ID
 *          TLSTUN_FDB_FLAGS             NLA_U32, enum tlstun_fdb_flags
 *          TLSTUN_FDB_AGE_SECONDS       NLA_U64 (learned entries)
 *
 *    TLSTUN_CMD_ADD_SA (doit)
 *        TLSTUN_A_IFINDEX | TLSTUN_A_IFNAME
 *        TLSTUN_A_PEER_ID               NLA_U32 (absent: peer 0)
 *        TLSTUN_A_SA                    NLA_NESTED
 *          TLSTUN_SA_DIR                NLA_U8, enum tlstun_sa_dir (required)
 *          TLSTUN_SA_SPI                NLA_U32, non-zero (required)
 *          TLSTUN_SA_SUITE              NLA_U16, enum tlstun_suite (required)
 *          TLSTUN_SA_KEY                binary, exactly the suite's key
 *                                       length (16 or 32) (required)
 *          TLSTUN_SA_REPLAY_WINDOW      NLA_U32, rx only,
 *                                       TLSTUN_REPLAY_WINDOW_MIN..MAX
 *                                       (TLSTUN_REPLAY_WINDOW_DEFAULT)
 *          TLSTUN_SA_PEER               NLA_NUL_STRING, < TLSTUN_PEER_MAX:
 *                                       who the SA belongs to (a label the
 *                                       daemon sets from the peer's
 *                                       verified identity)
 *          TLSTUN_SA_LIFETIME           NLA_NESTED
 *            TLSTUN_LIFETIME_SOFT_PACKETS   NLA_U64 (0 = none)
 *            TLSTUN_LIFETIME_HARD_PACKETS   NLA_U64 (0 = default, see below)
 *            TLSTUN_LIFETIME_SOFT_BYTES     NLA_U64 (0 = none)
 *            TLSTUN_LIFETIME_HARD_BYTES     NLA_U64 (0 = none)
 *            TLSTUN_LIFETIME_SOFT_SECONDS   NLA_U64 (0 = none), at most
 *                                           TLSTUN_SA_MAX_SECONDS
 *            TLSTUN_LIFETIME_HARD_SECONDS   NLA_U64 (0 = none), at most
 *                                           TLSTUN_SA_MAX_SECONDS
 *          TLSTUN_SA_FLAGS              NLA_U32, no flags defined yet (0);
 *                                       the policy's mask refuses every bit
 *
 *      A peer has one tx SA: adding a tx SA replaces the current one at
 *      once (make-before-break: add the new rx SAs first, then the tx SA,
 *      then, once the packets sealed under them have arrived, delete the
 *      old rx SAs; see DEL_SA). The install guards refuse, each with an
 *      extack message: an rx SPI already used on the device's UDP port
 *      (EEXIST); an rx key equal to the live tx key, to the key of one of
 *      the device's last TLSTUN_TX_HISTORY retired tx SAs or of one of the
 *      last TLSTUN_PORT_TX_HISTORY tx SAs installed on the device's UDP
 *      port, or a tx key equal to an rx key of the device (EINVAL); a tx
 *      SPI and key that are the device's live tx SA, one of its last
 *      TLSTUN_TX_HISTORY retired ones, or one of the last
 *      TLSTUN_PORT_TX_HISTORY tx SAs installed on any device of the same
 *      UDP port (EEXIST), since its counter would restart; more than
 *      TLSTUN_MAX_SAS SAs on a peer or TLSTUN_MAX_DEV_SAS on a device
 *      (ENOSPC); a peer that does not exist (ENOENT). Beyond those depths the guards are
 *      best effort: nonce uniqueness rests on the daemon's fresh keys.
 *      Every copy of TLSTUN_SA_KEY in the request (duplicates included)
 *      is wiped before the handler returns, whatever the outcome; only a
 *      request whose outline the core refuses (an attribute type the
 *      family lacks, a nest not flagged NLA_F_NESTED, trailing bytes)
 *      never reaches the handler.
 *
 *    TLSTUN_CMD_DEL_SA (doit): once it returns, nothing more is sealed or
 *    opened under the SA, not even packets already queued under it (they
 *    count as TLSTUN_STATS_TX_SA_DELETED / RX_SA_DELETED drops); so for
 *    TLSTUN_DEVICE_F_FLUSH_SAS and hard expiry
 *        TLSTUN_A_IFINDEX | TLSTUN_A_IFNAME
 *        TLSTUN_A_PEER_ID               NLA_U32 (a tx SA of peer 1..; an
 *                                       rx SPI names its SA alone)
 *        TLSTUN_A_SA                    NLA_NESTED
 *          TLSTUN_SA_DIR                NLA_U8 (required)
 *          TLSTUN_SA_SPI                NLA_U32 (required)
 *
 *    TLSTUN_CMD_GET_SA (doit: DIR and SPI given; dump: every SA of the
 *    device named in the dump request, resumable; a part that follows an
 *    SA change since the dump began carries NLM_F_DUMP_INTR, and so does a
 *    device dump's part after a device, configuration or SA change)
 *      request:
 *        TLSTUN_A_IFINDEX | TLSTUN_A_IFNAME
 *        TLSTUN_A_PEER_ID               NLA_U32 (doit only, as in DEL_SA)
 *        TLSTUN_A_SA                    NLA_NESTED (doit only)
 *          TLSTUN_SA_DIR, TLSTUN_SA_SPI
 *      reply, one message per SA:
 *        TLSTUN_A_IFINDEX               NLA_U32
 *        TLSTUN_A_PEER_ID               NLA_U32 (absent: peer 0)
 *        TLSTUN_A_SA                    NLA_NESTED
 *          TLSTUN_SA_DIR                NLA_U8
 *          TLSTUN_SA_SPI                NLA_U32
 *          TLSTUN_SA_SUITE              NLA_U16
 *          TLSTUN_SA_REPLAY_WINDOW      NLA_U32 (rx)
 *          TLSTUN_SA_PEER               NLA_NUL_STRING (when set)
 *          TLSTUN_SA_LIFETIME           NLA_NESTED, as configured, except
 *                                       that a tx SA's HARD_PACKETS is the
 *                                       limit in force (the default when 0
 *                                       was given)
 *          TLSTUN_SA_AGE_SECONDS        NLA_U64
 *          TLSTUN_SA_STATE              NLA_U32, enum tlstun_sa_state bits
 *          TLSTUN_SA_STATS              NLA_NESTED
 *            TLSTUN_SA_STATS_*          NLA_U64 each
 *      The key is never returned; there is no attribute that could carry it.
 *
 *    Events, multicast group TLSTUN_GENL_MCGRP_EVENTS:
 *    TLSTUN_CMD_SA_SOFT_EXPIRE, TLSTUN_CMD_SA_HARD_EXPIRE
 *        TLSTUN_A_IFINDEX, TLSTUN_A_IFNAME
 *        TLSTUN_A_PEER_ID               NLA_U32 (absent: peer 0)
 *        TLSTUN_A_SA                    NLA_NESTED
 *          TLSTUN_SA_DIR, TLSTUN_SA_SPI, TLSTUN_SA_SUITE,
 *          TLSTUN_SA_PEER (when set)
 *        TLSTUN_A_EXPIRE_REASON         NLA_U8, enum tlstun_expire_reason
 *    TLSTUN_CMD_ACQUIRE (a packet was to be sent with no usable tx SA;
 *    at most one per peer per TLSTUN_ACQUIRE_INTERVAL_MS)
 *        TLSTUN_A_IFINDEX, TLSTUN_A_IFNAME
 *        TLSTUN_A_PEER_ID               NLA_U32 (absent: peer 0)
 *        TLSTUN_A_TX_SPI                NLA_U32, present while the peer
 *                                       still holds an exhausted tx SA;
 *                                       absent when it holds none
 *
 *    TLSTUN_CMD_ADD_PEER, SET_PEER and DEL_PEER are also events, with
 *    IFINDEX, IFNAME and the PEER nest (ID, remote, PORT, LABEL), sent
 *    when a peer is added, changed or removed (DEL_PEER also for each peer
 *    of a device being deleted); ADD_FDB and DEL_FDB, with IFINDEX, IFNAME
 *    and the FDB nest (MAC, PEER_ID, FLAGS), when an entry is added,
 *    learned, moved to another peer, or removed (by request, by ageing or
 *    with its peer; peer 0's entries go silently with their device).
 *
 * Limits. A soft limit emits one TLSTUN_CMD_SA_SOFT_EXPIRE per SA. A hard
 * limit removes the SA and emits TLSTUN_CMD_SA_HARD_EXPIRE; nothing more is
 * sealed or opened under it. Packet and byte limits count packets sealed
 * (tx) or successfully opened (rx). A tx SA whose HARD_PACKETS is 0 gets
 * TLSTUN_SA_DEFAULT_HARD_PACKETS, the AES-GCM usage limit of RFC 8446
 * section 5.5 (2^24.5 records); a larger value is accepted up to
 * TLSTUN_SA_MAX_PACKETS. Independently of any limit, the 64-bit tx counter
 * never wraps: the SA is exhausted one before 2^64.
 */
#ifndef _UAPI_LINUX_TLSTUN_H
#define _UAPI_LINUX_TLSTUN_H

#include <linux/types.h>

#define TLSTUN_LINK_KIND		"tlstun"	/* rtnetlink IFLA_INFO_KIND */
#define TLSTUN_GENL_NAME		"tlstun"
#define TLSTUN_GENL_VERSION		1
#define TLSTUN_GENL_MCGRP_EVENTS	"events"

/* Wire constants (Documentation/wire-format.rst). */
#define TLSTUN_DEFAULT_PORT		6081
#define TLSTUN_DEFAULT_VNI		1
#define TLSTUN_GENEVE_OPT_CLASS		0xfff7	/* RFC 8926 experimental */
#define TLSTUN_GENEVE_OPT_TYPE		0x81	/* critical bit | 1 */
#define TLSTUN_GENEVE_HLEN		24	/* base 8 + option 4 + data 12 */
#define TLSTUN_TAG_LEN			16
#define TLSTUN_OVERHEAD			(TLSTUN_GENEVE_HLEN + TLSTUN_TAG_LEN)

#define TLSTUN_PEER_MAX			128	/* including the NUL */
#define TLSTUN_MAX_SAS			256	/* rx + tx per peer */
#define TLSTUN_MAX_DEV_SAS		16384	/* rx + tx per device */
#define TLSTUN_MAX_PEERS		4096	/* per device, besides peer 0 */
#define TLSTUN_FDB_DEV_MAX		65536	/* FDB entries per device */
#define TLSTUN_FDB_PEER_LEARN_MAX	4096	/* learned entries per peer */
#define TLSTUN_FDB_AGEING_DEFAULT	300	/* seconds */
#define TLSTUN_FDB_AGEING_MIN		1
#define TLSTUN_FDB_AGEING_MAX		1000000
#define TLSTUN_TX_HISTORY		64	/* retired tx SAs remembered */
#define TLSTUN_PORT_TX_HISTORY		256	/* tx SAs installed, per port */
#define TLSTUN_REPLAY_WINDOW_MIN	64
#define TLSTUN_REPLAY_WINDOW_MAX	4096
#define TLSTUN_REPLAY_WINDOW_DEFAULT	2048
#define TLSTUN_ACQUIRE_INTERVAL_MS	1000

/* 2^24.5 rounded down: RFC 8446 5.5 limit for AES-GCM. */
#define TLSTUN_SA_DEFAULT_HARD_PACKETS	23726566ULL
/* The last counter value is never used, so the counter cannot wrap. */
#define TLSTUN_SA_MAX_PACKETS		0xffffffffffffffffULL
/* Largest soft or hard time limit, 2^32 - 1 s (136 years). */
#define TLSTUN_SA_MAX_SECONDS		0xffffffffULL

enum tlstun_suite {
	TLSTUN_SUITE_UNSPEC,
	TLSTUN_SUITE_AES_GCM_128,	/* 16-byte key */
	TLSTUN_SUITE_AES_GCM_256,	/* 32-byte key */
	__TLSTUN_SUITE_MAX
};
#define TLSTUN_SUITE_MAX (__TLSTUN_SUITE_MAX - 1)

/* Key length of a suite, 0 for none. */
#define TLSTUN_SUITE_KEY_LEN(suite)					\
	((suite) == TLSTUN_SUITE_AES_GCM_128 ? 16 :			\
	 (suite) == TLSTUN_SUITE_AES_GCM_256 ? 32 : 0)

enum tlstun_sa_dir {
	TLSTUN_SA_DIR_RX,
	TLSTUN_SA_DIR_TX,
	__TLSTUN_SA_DIR_MAX
};
#define TLSTUN_SA_DIR_MAX (__TLSTUN_SA_DIR_MAX - 1)

enum tlstun_df {
	TLSTUN_DF_UNSET,	/* DF clear on IPv4 */
	TLSTUN_DF_SET,		/* DF set on IPv4 */
	TLSTUN_DF_INHERIT,	/* copied from the inner IPv4 header */
	__TLSTUN_DF_MAX
};
#define TLSTUN_DF_MAX (__TLSTUN_DF_MAX - 1)

enum tlstun_device_flags {
	TLSTUN_DEVICE_F_FLUSH_SAS	= 1U << 0,	/* remove every SA */
	__TLSTUN_DEVICE_F_ALL		= TLSTUN_DEVICE_F_FLUSH_SAS
};

enum tlstun_sa_state {
	TLSTUN_SA_STATE_SOFT_EXPIRED	= 1U << 0,
	TLSTUN_SA_STATE_EXHAUSTED	= 1U << 1,	/* hard limit hit */
	__TLSTUN_SA_STATE_ALL		= (1U << 2) - 1
};

enum tlstun_expire_reason {
	TLSTUN_EXPIRE_PACKETS = 1,
	TLSTUN_EXPIRE_BYTES,
	TLSTUN_EXPIRE_SECONDS,
	TLSTUN_EXPIRE_COUNTER,	/* the 64-bit counter is used up */
	__TLSTUN_EXPIRE_MAX
};
#define TLSTUN_EXPIRE_MAX (__TLSTUN_EXPIRE_MAX - 1)

enum tlstun_cmd {
	TLSTUN_CMD_UNSPEC,
	TLSTUN_CMD_GET_DEVICE,
	TLSTUN_CMD_SET_DEVICE,
	TLSTUN_CMD_ADD_SA,
	TLSTUN_CMD_DEL_SA,
	TLSTUN_CMD_GET_SA,
	TLSTUN_CMD_SA_SOFT_EXPIRE,	/* event */
	TLSTUN_CMD_SA_HARD_EXPIRE,	/* event */
	TLSTUN_CMD_ACQUIRE,		/* event */
	TLSTUN_CMD_ADD_PEER,		/* also an event */
	TLSTUN_CMD_SET_PEER,		/* also an event */
	TLSTUN_CMD_DEL_PEER,		/* also an event */
	TLSTUN_CMD_GET_PEER,
	TLSTUN_CMD_ADD_FDB,		/* also an event */
	TLSTUN_CMD_DEL_FDB,		/* also an event */
	TLSTUN_CMD_GET_FDB,
	__TLSTUN_CMD_MAX
};
#define TLSTUN_CMD_MAX (__TLSTUN_CMD_MAX - 1)

enum tlstun_attr {
	TLSTUN_A_UNSPEC,
	TLSTUN_A_PAD,		/* alignment padding, never a value */
	TLSTUN_A_IFINDEX,
	TLSTUN_A_IFNAME,
	TLSTUN_A_REMOTE,
	TLSTUN_A_REMOTE6,
	TLSTUN_A_LOCAL,
	TLSTUN_A_LOCAL6,
	TLSTUN_A_PORT,
	TLSTUN_A_VNI,
	TLSTUN_A_TTL,
	TLSTUN_A_TOS,
	TLSTUN_A_DF,
	TLSTUN_A_FLAGS,
	TLSTUN_A_TX_SPI,
	TLSTUN_A_SA_COUNT,
	TLSTUN_A_STATS,
	TLSTUN_A_SA,
	TLSTUN_A_EXPIRE_REASON,
	TLSTUN_A_PEER_ID,
	TLSTUN_A_PEER,
	TLSTUN_A_FDB,
	TLSTUN_A_FDB_AGEING,
	TLSTUN_A_PEER_COUNT,
	TLSTUN_A_FDB_COUNT,
	__TLSTUN_A_MAX
};
#define TLSTUN_A_MAX (__TLSTUN_A_MAX - 1)

enum tlstun_sa_attr {
	TLSTUN_SA_UNSPEC,
	TLSTUN_SA_PAD,		/* alignment padding, never a value */
	TLSTUN_SA_DIR,
	TLSTUN_SA_SPI,
	TLSTUN_SA_SUITE,
	TLSTUN_SA_KEY,
	TLSTUN_SA_REPLAY_WINDOW,
	TLSTUN_SA_PEER,
	TLSTUN_SA_LIFETIME,
	TLSTUN_SA_FLAGS,
	TLSTUN_SA_AGE_SECONDS,
	TLSTUN_SA_STATE,
	TLSTUN_SA_STATS,
	__TLSTUN_SA_MAX
};
#define TLSTUN_SA_MAX (__TLSTUN_SA_MAX - 1)

enum tlstun_lifetime_attr {
	TLSTUN_LIFETIME_UNSPEC,
	TLSTUN_LIFETIME_PAD,		/* alignment padding, never a value */
	TLSTUN_LIFETIME_SOFT_PACKETS,
	TLSTUN_LIFETIME_HARD_PACKETS,
	TLSTUN_LIFETIME_SOFT_BYTES,
	TLSTUN_LIFETIME_HARD_BYTES,
	TLSTUN_LIFETIME_SOFT_SECONDS,
	TLSTUN_LIFETIME_HARD_SECONDS,
	__TLSTUN_LIFETIME_MAX
};
#define TLSTUN_LIFETIME_MAX (__TLSTUN_LIFETIME_MAX - 1)

/*
 * Device counters. The RX_ drops before an SA is found (MALFORMED,
 * UNKNOWN_SPI) belong to the UDP port, which every tlstun device bound to
 * it in that namespace shares; they are reported in TLSTUN_STATS_PORT_*.
 */
enum tlstun_stats_attr {
	TLSTUN_STATS_UNSPEC,
	TLSTUN_STATS_PAD,		/* alignment padding, never a value */
	TLSTUN_STATS_RX_PACKETS,
	TLSTUN_STATS_RX_BYTES,
	TLSTUN_STATS_TX_PACKETS,
	TLSTUN_STATS_TX_BYTES,
	TLSTUN_STATS_RX_VNI_MISMATCH,
	TLSTUN_STATS_RX_AUTH_FAIL,
	TLSTUN_STATS_RX_REPLAY,
	TLSTUN_STATS_RX_TOO_SHORT,
	TLSTUN_STATS_RX_SA_EXPIRED,
	TLSTUN_STATS_RX_DEV_DOWN,
	TLSTUN_STATS_RX_NOMEM,
	TLSTUN_STATS_RX_ECN,		/* RFC 6040: CE outer, not-ECT inner */
	TLSTUN_STATS_TX_NO_SA,
	TLSTUN_STATS_TX_SA_EXHAUSTED,
	TLSTUN_STATS_TX_NO_ROUTE,
	TLSTUN_STATS_TX_NOMEM,
	TLSTUN_STATS_TX_ERROR,
	TLSTUN_STATS_TX_TOO_BIG,	/* answered with ICMP "too big" */
	TLSTUN_STATS_PORT_MALFORMED,
	TLSTUN_STATS_PORT_UNKNOWN_SPI,
	TLSTUN_STATS_RX_QUEUE_FULL,	/* receive queue full (load) */
	TLSTUN_STATS_TX_CFG_CHANGED,	/* outer family changed while sealing */
	TLSTUN_STATS_RX_SA_DELETED,	/* opened after its SA was deleted */
	TLSTUN_STATS_TX_SA_DELETED,	/* to be sealed after its SA was deleted */
	TLSTUN_STATS_RX_MAC_STATIC,	/* source MAC statically another peer's */
	TLSTUN_STATS_FDB_LEARN_FULL,	/* not learned: a bound was reached */
	TLSTUN_STATS_FDB_LEARN_NOMEM,	/* not learned: no memory */
	__TLSTUN_STATS_MAX
};
#define TLSTUN_STATS_MAX (__TLSTUN_STATS_MAX - 1)

enum tlstun_sa_stats_attr {
	TLSTUN_SA_STATS_UNSPEC,
	TLSTUN_SA_STATS_PAD,		/* alignment padding, never a value */
	TLSTUN_SA_STATS_PACKETS,	/* sealed (tx) or opened (rx) */
	TLSTUN_SA_STATS_BYTES,		/* inner frame bytes */
	TLSTUN_SA_STATS_VNI_MISMATCH,
	TLSTUN_SA_STATS_AUTH_FAIL,
	TLSTUN_SA_STATS_REPLAY,
	TLSTUN_SA_STATS_TOO_SHORT,
	__TLSTUN_SA_STATS_MAX
};
#define TLSTUN_SA_STATS_MAX (__TLSTUN_SA_STATS_MAX - 1)

enum tlstun_peer_attr {
	TLSTUN_PEER_UNSPEC,
	TLSTUN_PEER_PAD,		/* alignment padding, never a value */
	TLSTUN_PEER_ID,
	TLSTUN_PEER_REMOTE,
	TLSTUN_PEER_REMOTE6,
	TLSTUN_PEER_PORT,
	TLSTUN_PEER_LABEL,
	TLSTUN_PEER_TX_SPI,
	TLSTUN_PEER_SA_COUNT,
	TLSTUN_PEER_FDB_LEARNED,
	TLSTUN_PEER_STATS,
	__TLSTUN_PEER_MAX
};
#define TLSTUN_PEER_MAX_ATTR (__TLSTUN_PEER_MAX - 1)

enum tlstun_peer_stats_attr {
	TLSTUN_PEER_STATS_UNSPEC,
	TLSTUN_PEER_STATS_PAD,		/* alignment padding, never a value */
	TLSTUN_PEER_STATS_RX_PACKETS,	/* opened and delivered */
	TLSTUN_PEER_STATS_RX_BYTES,
	TLSTUN_PEER_STATS_TX_PACKETS,	/* sealed and sent */
	TLSTUN_PEER_STATS_TX_BYTES,
	TLSTUN_PEER_STATS_TX_DROPPED,	/* meant for this peer, not sent */
	__TLSTUN_PEER_STATS_MAX
};
#define TLSTUN_PEER_STATS_MAX (__TLSTUN_PEER_STATS_MAX - 1)

enum tlstun_fdb_flags {
	TLSTUN_FDB_F_STATIC		= 1U << 0,	/* added over netlink */
	__TLSTUN_FDB_F_ALL		= TLSTUN_FDB_F_STATIC
};

enum tlstun_fdb_attr {
	TLSTUN_FDB_UNSPEC,
	TLSTUN_FDB_PAD,			/* alignment padding, never a value */
	TLSTUN_FDB_MAC,
	TLSTUN_FDB_PEER_ID,
	TLSTUN_FDB_FLAGS,
	TLSTUN_FDB_AGE_SECONDS,
	__TLSTUN_FDB_MAX
};
#define TLSTUN_FDB_MAX_ATTR (__TLSTUN_FDB_MAX - 1)

/* rtnetlink IFLA_INFO_DATA attributes for link kind "tlstun". */
enum {
	IFLA_TLSTUN_UNSPEC,
	IFLA_TLSTUN_REMOTE,
	IFLA_TLSTUN_REMOTE6,
	IFLA_TLSTUN_LOCAL,
	IFLA_TLSTUN_LOCAL6,
	IFLA_TLSTUN_PORT,
	IFLA_TLSTUN_VNI,
	IFLA_TLSTUN_TTL,
	IFLA_TLSTUN_TOS,
	IFLA_TLSTUN_DF,
	__IFLA_TLSTUN_MAX
};
#define IFLA_TLSTUN_MAX (__IFLA_TLSTUN_MAX - 1)

#endif /* _UAPI_LINUX_TLSTUN_H */
