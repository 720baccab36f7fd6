/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_recipient.h - LMTP addresses and the recipient type that local
 * delivery (lmtpd/lmtp_local.c) and proxied delivery (lmtpproxyd) share.
 *
 * ADDRESSES.  A path is "<" [source-route ":"] local-part ["@" domain] ">"
 * (RFC 5321 4.1.2; the domain is optional as in Cyrus's lmtpd, and a
 * source route is skipped).  The local part may be a quoted string.  A
 * local part is "user" or "user+detail":
 *   user+folder   deliver into the user's folder "folder" (external name
 *                 under the configured hierarchy separator, below INBOX)
 *                 when anonymous has the `p` right on it, else into INBOX
 *                 (Cyrus behaviour; no imapmagicplus);
 *   POSTUSER+box  deliver into the shared mailbox "box" (external name in
 *                 the standard namespace) when anonymous has `p` on it.
 *                 POSTUSER is imapd.conf postuser, "" by default, so
 *                 "+shared.box" / "+shared/box" address shared mailboxes
 *                 (Cyrus 3 `postuser`).
 * lmtp_downcase_rcpt lowercases the user part (not the detail, which names
 * a folder).  With virtdomains the domain selects the user's domain
 * (mboxname_user_inbox drops defaultdomain); without, it is ignored.
 *
 * RESULTS.  Resolution and delivery report enum lmtp_rcpt_result; the
 * reply text for each (with enhanced status codes) comes from
 * lmtp_rcpt_result_reply so the daemon and the proxy answer alike.
 */
#ifndef LMTPD_LMTP_RECIPIENT_H
#define LMTPD_LMTP_RECIPIENT_H

#include <stddef.h>

#include "imap/namespace.h"
#include "lib/buf.h"

/* Longest address (local@domain, after unquoting) accepted; RFC 5321
 * 4.5.3.1 gives 64 + 1 + 255. */
#define LMTP_ADDRESS_MAX 320

enum lmtp_rcpt_result {
    LMTP_RCPT_OK = 0,       /* 250 2.1.5 */
    LMTP_RCPT_BADADDR,      /* 501 5.1.3 malformed address */
    LMTP_RCPT_UNKNOWN,      /* 550 5.1.1 no such user / mailbox */
    LMTP_RCPT_NOPOST,       /* 550 5.7.1 shared mailbox refuses posting */
    LMTP_RCPT_OVERQUOTA,    /* 452 4.2.2, or 552 5.2.2 (perm failure) */
    LMTP_RCPT_TOOBIG,       /* 552 5.3.4 over maxmessagesize */
    LMTP_RCPT_TEMPFAIL,     /* 451 4.3.0 a database or disk fault */
};

/* What an address resolved to.  All strings owned by the recipient. */
struct lmtp_recipient {
    char *address;    /* local@domain as received, unquoted */
    char *userid;     /* the owner; NULL for a shared mailbox */
    char *mailbox;    /* internal name delivered to */
    char *partition;  /* its partition (local entries) */
    char *server;     /* its server (remote entries: lmtpproxyd) or NULL */
    int result;       /* delivery outcome, enum lmtp_rcpt_result */
    char *reply;      /* lmtpproxyd: the reply line to send instead of
                         result's (a backend's own, no CRLF), or NULL */
};

/* The settings resolution depends on (lmtp_resolve_init_from_cfg reads
 * them from imapd.conf; tests fill them by hand). */
struct lmtp_resolve_cfg {
    struct namespace ns;   /* the standard namespace (admin view) */
    int downcase;          /* lmtp_downcase_rcpt */
    const char *postuser;  /* "" by default */
};

/* lmtp_resolve_init_from_cfg - fill cfg from imapd.conf.  1, or -1 with
 * *error_r for a bad namespace configuration. */
int lmtp_resolve_init_from_cfg(struct lmtp_resolve_cfg *cfg,
                               const char **error_r);

/* lmtp_path_parse - parse a path at s[0..len): "<...>" as above, or "<>"
 * when allow_null.  1 with *addr_r (allocated, "" for <>) and *used_r the
 * bytes consumed (through '>'); -1 with a static *error_r. */
int lmtp_path_parse(const char *s, size_t len, int allow_null, char **addr_r,
                    size_t *used_r, const char **error_r);

/* An address split into its parts (all allocated; lmtp_address_fini). */
struct lmtp_address {
    char *user;    /* before '+' (downcased when asked); may be "" */
    char *detail;  /* after the first '+', NULL when none */
    char *domain;  /* after the last '@', NULL when none */
};

/* lmtp_address_split - split addr; downcase lowercases user (ASCII).  1,
 * or -1 when addr is empty or its domain is empty. */
int lmtp_address_split(const char *addr, int downcase, struct lmtp_address *a);
void lmtp_address_fini(struct lmtp_address *a);

/* lmtp_recipient_resolve - find the mailbox address goes to, through
 * mailboxes.db (mboxlist_open must have been called) and its ACLs.
 * LMTP_RCPT_OK with *r_r (caller frees with lmtp_recipient_free); else
 * the failure (BADADDR, UNKNOWN, NOPOST, TEMPFAIL) and *r_r NULL.  A
 * remote entry resolves OK with server set: the caller decides. */
int lmtp_recipient_resolve(const struct lmtp_resolve_cfg *cfg,
                           const char *address, struct lmtp_recipient **r_r);

/* lmtp_recipient_target - the internal name of the mailbox address is
 * routed by, without looking it up: the user's INBOX (for user and
 * user+folder) or the shared mailbox (POSTUSER+box).  1 with *name_r
 * (caller frees); 0 and *name_r NULL when the address names no mailbox;
 * -1 for a malformed address.  lmtpproxyd asks it whether an unknown
 * recipient's mailbox is reserved (in flight) in its list. */
int lmtp_recipient_target(const struct lmtp_resolve_cfg *cfg,
                          const char *address, char **name_r);

/* lmtp_recipient_free - free *rp and NULL it (NULL is fine). */
void lmtp_recipient_free(struct lmtp_recipient **rp);

/* lmtp_rcpt_result_reply - the reply line for result (no CRLF) into out
 * (reset first), e.g. "550 5.1.1 User unknown".  overquota_perm selects
 * 552 5.2.2 instead of 452 4.2.2 (lmtp_over_quota_perm_failure). */
void lmtp_rcpt_result_reply(int result, int overquota_perm, struct buf *out);

#endif /* LMTPD_LMTP_RECIPIENT_H */
