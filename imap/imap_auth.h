/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_auth.h - authentication for the IMAP engine: the per-process SASL
 * set-up from imapd.conf, the per-session SASL session, proxy
 * authorization policy, and the completion of a login (shared by LOGIN
 * and AUTHENTICATE, and by proxyd).  The handlers cmd_login and
 * cmd_authenticate are declared in imap_commands.h.
 *
 * Policy:
 *  - an authorization identity different from the authentication identity
 *    is accepted only when the authid is listed in `proxyservers` or
 *    `admins`;
 *  - the user acted as is an admin when listed in `admins` (a proxy
 *    server's own rights are never passed on);
 *  - each failure is delayed (IMAP_AUTH_FAIL_DELAY_MS, imap_session.h) and
 *    after `maxauthfailures` failures the connection gets "* BYE".
 */
#ifndef IMAP_IMAP_AUTH_H
#define IMAP_IMAP_AUTH_H

#include <stdbool.h>

struct imap_session;
struct imap_cmd;
struct prot;
struct xsasl_server;

/* imap_auth_init - once per process (daemon init): cyrus-sasl reads its
 * options from imapd.conf's sasl_* keys ("sasl_<plugin>_<opt>" first, then
 * "sasl_<opt>").  fatal(EX_CONFIG) on failure. */
void imap_auth_init(void);

/* imap_auth_reset - (re)create the session's SASL session, e.g. after TLS
 * started (the TLS strength is passed to SASL) or after a failed exchange.
 * 0, or -1 with *error_r. */
int imap_auth_reset(struct imap_session *s, const char **error_r);

/* imap_auth_failure - the login-failure policy every protocol shares: log
 * "login failed", wait IMAP_AUTH_FAIL_DELAY_MS times failures (this one
 * counted), at most IMAP_AUTH_FAIL_DELAY_MAX_MS, and return true when
 * failures reached maxauthfailures (the caller then ends the session). */
bool imap_auth_failure(unsigned long failures, const char *user,
                       const char *mech, const char *reason);

/* imap_auth_sasl_new - a server SASL session for one connection of any
 * mail protocol (service "imap", "pop", "lmtp"): server name, plaintext
 * and layer policy from imapd.conf, the TLS strength and verified client
 * name of tls_prot (NULL when the connection is not encrypted), and proxy
 * authorization allowed per imap_auth_may_proxy (refusals logged).  NULL
 * with *error_r on failure; free with xsasl_server_free(). */
struct xsasl_server *imap_auth_sasl_new(const char *service, struct prot *tls_prot,
                                        const char *local_ipport,
                                        const char *remote_ipport,
                                        const char **error_r);

/* imap_auth_may_proxy - may authid authorize as someone else?  1 yes
 * (listed in proxyservers or admins), 0 no.  Pure on the loaded config. */
int imap_auth_may_proxy(const char *authid);

#endif /* IMAP_IMAP_AUTH_H */
