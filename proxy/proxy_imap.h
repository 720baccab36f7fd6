/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy_imap.h - the IMAP part of the proxy core (proxy/proxy_backend.h):
 * the struct proxy_protocol proxyd hands to proxy_pool_new, and the
 * per-connection IMAP state proxyd's relaying needs (tags, what the
 * connection has enabled and selected, untagged responses a liveness
 * ping read while a mailbox was selected).
 *
 * All of it lives in be->proto_data, created by the login hook; a
 * connection whose login failed has none.
 */
#ifndef PROXY_PROXY_IMAP_H
#define PROXY_PROXY_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "proxy/proxy_backend.h"

/* proxyd's protocol table (AUTHENTICATE as proxy_authname with the user
 * as authzid, SASL-IR when offered; NOOP ping; LOGOUT). */
extern const struct proxy_protocol proxy_imap_protocol;

/* The IMAP state of one backend connection. */
struct proxy_imap_data {
    unsigned long tagno;   /* last tag number used ("P<n>") */
    char tag[32];          /* the tag of the command in flight */
    unsigned enabled;      /* IMAP_ENABLED_* bits sent with ENABLE */
    char *selected;        /* internal name selected here, NULL: none */
    bool readonly;         /* EXAMINE */
    /* untagged responses read by ping while a mailbox was selected,
     * complete with CRLFs and literal data, for the client */
    struct buf pending;
};

/* proxy_imap_data - be's IMAP state (NULL for a connection that never
 * logged in). */
struct proxy_imap_data *proxy_imap_data(const struct proxy_backend *be);

/* proxy_imap_forget - free be's IMAP state (before the connection is
 * closed or dropped from its pool; safe twice). */
void proxy_imap_forget(struct proxy_backend *be);

/* proxy_imap_next_tag - a fresh tag for the next command on be, valid
 * until the next call on be. */
const char *proxy_imap_next_tag(struct proxy_backend *be);

/* proxy_imap_literal - when the response line line[0..len) ends in a
 * literal announcement "{n}" (or "~{n}", "{n+}"), 1 with *size_r; else
 * 0.  Pure. */
int proxy_imap_literal(const char *line, size_t len, uint64_t *size_r);

/* proxy_imap_read_response - read one complete response from be
 * (continuation lines of literals included, at most max literal bytes)
 * into out (reset first), with CRLFs as on the wire.  1 ok, -1 the
 * connection failed or sent more than allowed. */
int proxy_imap_read_response(struct proxy_backend *be, struct buf *out,
                             uint64_t max);

#endif /* PROXY_PROXY_IMAP_H */
