/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The status socket of a tlstund, shared with "tlstun show": its name and
 * the first line of its document (status.c describes the rest).
 */
#ifndef TLSTUND_STATUS_H
#define TLSTUND_STATUS_H

/* The abstract unix socket name, after its leading NUL, of device %s. */
#define TLSTUND_STATUS_NAME_FMT		"tlstun/%s"
/* The document's first key; its value is the format's version. */
#define TLSTUND_STATUS_MAGIC		"tlstund-status"
#define TLSTUND_STATUS_VERSION		1

#endif /* TLSTUND_STATUS_H */
