/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pop3_proxy.h - pop3proxyd's part of the POP3 engine: the login hook
 * (imap/pop3_session.h struct pop3_server.login_hook) that routes an
 * authenticated user to the backend holding their INBOX and relays the
 * rest of the session there byte for byte.
 */
#ifndef PROXY_POP3_PROXY_H
#define PROXY_POP3_PROXY_H

struct pop3_session;

/* pop3_proxy_login - look up the user's INBOX in the local mailboxes.db
 * (asking the mupdate slave to catch up on a miss), connect to its
 * backend as proxy_authname for the user, answer the client with the
 * backend's "+OK", relay until either side closes: 1.  On failure the
 * client gets -ERR ([SYS/TEMP] for everything temporary, the backend's
 * own -ERR [IN-USE] / [SYS/PERM] as is): 0. */
int pop3_proxy_login(struct pop3_session *s, const char *authid,
                     const char *mech);

#endif /* PROXY_POP3_PROXY_H */
