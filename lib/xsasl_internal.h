/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xsasl_internal.h - what the cyrus-sasl implementation files share
 * (lib/xsasl_common.c, lib/xsasl_server.c, lib/xsasl_client.c).  Nothing
 * else may include this file, and only these files include <sasl/sasl.h>.
 */
#ifndef LIB_XSASL_INTERNAL_H
#define LIB_XSASL_INTERNAL_H

#include <sasl/sasl.h>

#include "lib/prot.h"

/* xsasl_cb_log - SASL_CB_LOG: route cyrus-sasl's messages to lib/log */
int xsasl_cb_log(void *context, int level, const char *message);
/* xsasl_errstr - "what: <detail>" for result r on conn (static storage) */
const char *xsasl_errstr(sasl_conn_t *conn, int r, const char *what);
/* xsasl_layer_install - when conn negotiated an ssf, install it into p as
 * a codec that then owns conn (and disposes it).  0 no layer (conn still
 * the caller's), 1 installed, -1 failed (conn still the caller's). */
int xsasl_layer_install(sasl_conn_t *conn, struct prot *p, const char **error_r);
/* xsasl_layer_take - the install_layer method of client and server: refuse
 * before authentication, else xsasl_layer_install(*connp) and, when the
 * stream took it, clear *connp.  Same results. */
int xsasl_layer_take(sasl_conn_t **connp, int authenticated, struct prot *p,
                     const char **error_r);
/* xsasl_secprops - set the security properties every session uses */
int xsasl_secprops(sasl_conn_t *conn, int min_ssf, int max_ssf,
                   int plaintext_ok, int ext_ssf, const char *ext_authid);

#endif /* LIB_XSASL_INTERNAL_H */
