/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_client_internal.h - what the files of the MUPDATE client
 * library (mupdate/mupdate_client*.c) share: the connection struct, the
 * response reader and the small helpers.  Not for other callers: they use
 * mupdate_client.h.
 */
#ifndef MUPDATE_MUPDATE_CLIENT_INTERNAL_H
#define MUPDATE_MUPDATE_CLIENT_INTERNAL_H

#include "lib/buf.h"
#include "lib/imap_parser.h"
#include "mupdate/mupdate_client.h"

struct prot;

/* Most bytes of one response line, and of one string in it. */
#define MUPDATE_CLIENT_MAX_LINE     (64 * 1024)
#define MUPDATE_CLIENT_MAX_LITERAL  (1024 * 1024)
#define MUPDATE_CLIENT_TIMEOUT      30  /* seconds, default */

struct mupdate_client {
    int fd;
    struct prot *p;
    struct imap_parser *parser;
    struct buf in;             /* input read from p, not yet parsed */
    size_t inpos;              /* first unparsed byte of in */
    int in_resp;               /* the parser holds a partial response */
    int fresh;                 /* nothing of this response fed yet */
    int timeout_s;
    int dead;                  /* connection unusable */
    unsigned tagn;             /* next command tag number */
    char *server;              /* "host:port" or the socket path (logs) */
    char *host;                /* host name (SASL fqdn, TLS SNI) */
    struct buf err;            /* last NO/BAD/failure text */
    struct buf mechs;          /* greeting: space-separated SASL mechs */
    int starttls_offered;      /* greeting: "* STARTTLS" */
    struct buf e_name, e_loc, e_acl; /* the entry last handed out */
    /* UPDATE stream */
    char update_tag[16];       /* tag of UPDATE, "" before */
    int listed;                /* the initial list is over */
};

/* Results of mupdate_client_read_resp(). */
#define MUPDATE_RESP_READY  1  /* a response: tag/command/args in parser */
#define MUPDATE_RESP_AGAIN  0  /* non-blocking: nothing complete yet */
#define MUPDATE_RESP_FAIL  (-1)/* dead (c->err says why) */

/* mupdate_client_read_resp - parse the next response line into
 * c->parser.  wait: block (bounded by the timeout) until one is complete;
 * otherwise only use what is buffered or readable now.  raw: read one
 * bare line (SASL exchange) instead; get it with imap_parser_raw_line. */
int mupdate_client_read_resp(struct mupdate_client *c, int wait, int raw);

/* mupdate_client_tag - the tag of the response in the parser ("*" for
 * an untagged one). */
const char *mupdate_client_tag(const struct mupdate_client *c);

/* mupdate_client_fail - mark c dead with text (printf style) in c->err;
 * returns MUPDATE_UNAVAILABLE. */
int mupdate_client_fail(struct mupdate_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* mupdate_client_next_tag - a fresh tag ("M12") into tag[16]. */
void mupdate_client_next_tag(struct mupdate_client *c, char tag[16]);

/* mupdate_client_put_string - s as a quoted string or a {n+} literal. */
void mupdate_client_put_string(struct mupdate_client *c, const char *s);

/* mupdate_client_flush - flush; MUPDATE_OK or MUPDATE_UNAVAILABLE. */
int mupdate_client_flush(struct mupdate_client *c);

/* mupdate_client_status_text - the text after "tag OK/NO/BAD" into c->err
 * (first string argument, or every argument joined). */
void mupdate_client_status_text(struct mupdate_client *c);

/* mupdate_client_parse_entry - the current response as a list entry:
 * 1 with *e_r (strings in c->e_*), 0 when it is not MAILBOX/RESERVE/
 * DELETE, -1 malformed (c->err). */
int mupdate_client_parse_entry(struct mupdate_client *c,
                               struct mupdate_entry *e_r);

/* mupdate_client_parse_addr - split "host", "host:port", "[v6]:port" or
 * "/path" into host (or path) and port text; *unix_r for a path.
 * 1 ok, -1 with *error_r (constant). */
int mupdate_client_parse_addr(const char *server, int default_port,
                              struct buf *host, struct buf *port,
                              int *unix_r, const char **error_r);

/* mupdate_client_dial - connect to host/port or the unix path within
 * timeout_s: the fd, or -1 with a message in *err. */
int mupdate_client_dial(const char *host, const char *port, int is_unix,
                        int timeout_s, struct buf *err);

/* mupdate_client_greeting - read "* AUTH", "* STARTTLS" ... "* OK MUPDATE"
 * into c->mechs / c->starttls_offered.  MUPDATE_OK or UNAVAILABLE. */
int mupdate_client_greeting(struct mupdate_client *c);

/* mupdate_client_authenticate - SASL AUTHENTICATE with the given
 * identity.  MUPDATE_OK or MUPDATE_UNAVAILABLE (c->err). */
int mupdate_client_authenticate(struct mupdate_client *c,
                                const char *authname, const char *password,
                                const char *authzid, const char *realm);

/* mupdate_client_starttls - STARTTLS, handshake, read the new greeting.
 * MUPDATE_OK or MUPDATE_UNAVAILABLE. */
int mupdate_client_starttls(struct mupdate_client *c);

/* mupdate_client_new - a client on a connected fd (takes it over). */
struct mupdate_client *mupdate_client_new(int fd, const char *server,
                                          const char *host, int timeout_s);

#endif /* MUPDATE_MUPDATE_CLIENT_INTERNAL_H */
