/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy_pop3.h - the POP3 part of the proxy core (proxy/proxy_backend.h)
 * for pop3proxyd: greeting, CAPA, AUTH as proxy_authname with the user
 * as authzid (RFC 5034 initial response).  No ping or logout: a POP3
 * QUIT commits the user's deletions, so only the user may send it.
 */
#ifndef PROXY_PROXY_POP3_H
#define PROXY_PROXY_POP3_H

struct proxy_protocol;

extern const struct proxy_protocol proxy_pop3_protocol;

/* proxy_pop3_last_reply - the backend's final answer to the last AUTH
 * ("+OK Mailbox open, 3 messages" or "-ERR [IN-USE] ..."), "" when the
 * login failed before AUTH.  Valid until the next login. */
const char *proxy_pop3_last_reply(void);

#endif /* PROXY_PROXY_POP3_H */
