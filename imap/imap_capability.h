/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_capability.h - the CAPABILITY list, from what is implemented and
 * the session's situation (TLS, login, configuration).
 *
 * imap_capability_build() is pure (unit-tested); imap_capability_get()
 * gathers its inputs from a session and the loaded imapd.conf.
 */
#ifndef IMAP_IMAP_CAPABILITY_H
#define IMAP_IMAP_CAPABILITY_H

#include <stdbool.h>

struct buf;
struct imap_session;

struct imap_capability_input {
    bool tls_available;     /* a TLS context is configured */
    bool tls_active;        /* this connection runs over TLS */
    bool authenticated;     /* after LOGIN/AUTHENTICATE */
    bool allow_plaintext;   /* imapd.conf allowplaintext */
    const char *sasl_mechs; /* space-separated, as SASL offers them now;
                             * NULL or "" for none */
    bool imap4rev2;         /* imapd.conf imap4rev2: advertise it */
};

/* imap_capability_build - replace *out with the capability words, space
 * separated, starting "IMAP4rev1" (no "CAPABILITY" and no CRLF).
 * Before login: LITERAL- (non-synchronising literals only up to 4096
 * bytes, RFC 7888), STARTTLS when TLS is available but not active,
 * LOGINDISABLED when neither TLS nor allowplaintext, SASL-IR and one
 * AUTH=<mech> per mechanism.  After login: LITERAL+, and none of the
 * authentication words. */
void imap_capability_build(const struct imap_capability_input *in,
                           struct buf *out);

/* imap_capability_suppress - remove every word of the space-separated
 * list words (exact match) from the capability list caps. */
void imap_capability_suppress(struct buf *caps, const char *words);

/* imap_capability_get - the list for session s right now (asks its SASL
 * session for mechanisms, adds the daemon's hook words, leaves out
 * suppress_capabilities). */
void imap_capability_get(struct imap_session *s, struct buf *out);

#endif /* IMAP_IMAP_CAPABILITY_H */
