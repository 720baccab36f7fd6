/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd.h - what proxyd's command files share: the per-session proxy
 * state (the backend pool, the selected mailbox, referral mode), finding
 * a mailbox's backend, and relaying a command to a backend.
 *
 * proxyd runs the IMAP engine of imapd (imap/imap_session.h) with its own
 * command table (proxyd_commands.c).  Commands the frontend answers
 * itself reuse imapd's handlers; the rest are here, one job per file:
 *   proxyd_relay.c     sending to a backend, streaming its answers back
 *   proxyd_locate.c    mailbox -> backend (local list, mupdate_kick),
 *                      referrals
 *   proxyd_select.c    SELECT/EXAMINE and every selected-state command
 *   proxyd_idle.c      IDLE relayed both ways
 *   proxyd_append.c    APPEND, large literals streamed to the backend
 *   proxyd_list.c      LIST/LSUB/RLIST/RLSUB, STATUS, (UN)SUBSCRIBE
 *   proxyd_mboxops.c   CREATE, DELETE, RENAME, ACL and QUOTA commands
 *   proxyd_copy.c      COPY/MOVE
 *   proxyd_crosscopy.c COPY/MOVE to another backend (FETCH + batched
 *                      MULTIAPPEND); proxyd_crosscopy_undo.c takes
 *                      back what a failed one appended
 *   proxyd_xfer.c      RENAME to another server (XFER)
 * Backend trouble is answered "NO [UNAVAILABLE]" for that command only;
 * the session goes on with the other backends.
 */
#ifndef PROXY_PROXYD_H
#define PROXY_PROXYD_H

#include <stdbool.h>
#include <stddef.h>

#include "imap/imap_commands.h"
#include "lib/buf.h"

struct imap_session;
struct mboxlist_entry;
struct proxy_backend;
struct proxy_pool;
struct proxyd_append;

/* The daemon's per-session state (struct imap_session's rock). */
struct proxyd_session {
    struct proxy_pool *pool;  /* one backend connection per server */
    char *sel_server;         /* the selected mailbox's server, or NULL */
    char *sel_name;           /* its internal name */
    bool referrals;           /* the client sent RLIST or RLSUB */
    struct proxyd_append *append; /* APPEND being streamed (proxyd_append.c) */
};

/* proxyd_sess - s's proxy state, created (with its pool) on first use
 * after login. */
struct proxyd_session *proxyd_sess(struct imap_session *s);
/* proxyd_session_end - the engine's end hook: log out of every backend,
 * free the state. */
void proxyd_session_end(struct imap_session *s);

/* ---- backends (proxyd_relay.c) ---- */

/* What a relayed command ended with. */
enum proxyd_result {
    PROXYD_OK = 0,
    PROXYD_NO = 1,
    PROXYD_BAD = 2,
    PROXYD_DEAD = -1,   /* the backend went away (already dropped) */
};

/* How proxyd_relay treats the backend's responses. */
struct proxyd_relay {
    /* untagged - called with each complete untagged response (CRLFs
     * and literal data included, at most PROXYD_FILTER_MAX bytes);
     * return true to pass it on to the client.  NULL: everything is
     * streamed through as it arrives (literals of any size). */
    bool (*untagged)(void *rock, const char *resp, size_t len);
    void *rock;
    /* quiet - do not answer the client: the tagged reply's text (after
     * "OK "/"NO ") goes to text when set */
    bool quiet;
    struct buf *text;
};
#define PROXYD_FILTER_MAX (1024 * 1024)

/* proxyd_backend_get - a live, logged-in connection to server for
 * session s (the ENABLEd extensions brought up to date).  0 with *be_r,
 * or -1 (logged, nothing sent).  The connection belongs to the pool:
 * valid until the next proxyd_backend* call or proxyd_backend_lost. */
int proxyd_backend_get(struct imap_session *s, const char *server,
                       struct proxy_backend **be_r);
/* proxyd_backend - the same for a command: -1 after answering cmd
 * "NO [UNAVAILABLE] ...". */
int proxyd_backend(struct imap_cmd *cmd, const char *server,
                   struct proxy_backend **be_r);
/* proxyd_backend_lost - be failed: forget the selection made on it
 * (the session returns to the authenticated state, telling the client
 * "* OK [CLOSED]"), drop it from the pool. */
void proxyd_backend_lost(struct imap_session *s, struct proxy_backend *be);

/* proxyd_send - start command "tag name args" on be with a fresh tag
 * CRLF (name may be "UID FETCH"; args rendered with LITERAL+ literals;
 * no streamed literals).  No flush. */
void proxyd_send(struct proxy_backend *be, const char *name,
                 const struct imap_arg *args, size_t argc);
/* proxyd_sendf - start a command of our own: "tag " fmt CRLF. */
void proxyd_sendf(struct proxy_backend *be, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* proxyd_quote - append s as an IMAP string for a backend (quoted, or a
 * LITERAL+ literal when it holds CR, LF or NUL). */
void proxyd_quote(struct buf *out, const char *s);

/* proxyd_relay - read be's answers to the command just sent until its
 * tagged reply, passing untagged ones to the client per r (NULL: all),
 * and answer cmd with the backend's tagged reply under cmd's tag
 * (unless r->quiet).  PROXYD_DEAD after answering "NO [UNAVAILABLE]". */
enum proxyd_result proxyd_relay(struct imap_cmd *cmd, struct proxy_backend *be,
                                const struct proxyd_relay *r);

/* proxyd_stream_untagged - pass one untagged response on to the client
 * as it arrives: line is its first line (without CRLF); literal data is
 * relayed without buffering.  0, or -1 when the backend failed. */
int proxyd_stream_untagged(struct imap_session *s, struct proxy_backend *be,
                           struct buf *line);

/* proxyd_selected_backend - the connection holding the session's
 * selection; NULL after answering cmd NO (the selection is then over). */
struct proxy_backend *proxyd_selected_backend(struct imap_cmd *cmd);

/* proxyd_pass - the whole round trip for a command the backend handles
 * as the client sent it: backend of server, send cmd's name and args,
 * relay everything.  The result as proxyd_relay (PROXYD_DEAD also when
 * the backend could not be reached). */
enum proxyd_result proxyd_pass(struct imap_cmd *cmd, const char *server);

/* ---- mailboxes (proxyd_locate.c) ---- */

/* proxyd_lookup - the entry of the client's mailbox name ext when the
 * session may see it, asking the slave to catch up on a miss: 1 with
 * *e_r (caller frees), 0 not found, -1 not a valid name, -2 an entry
 * without server (logged).  Sends nothing. */
int proxyd_lookup(struct imap_session *s, const char *ext,
                  struct mboxlist_entry **e_r);
/* proxyd_locate - the entry of the client's mailbox name ext, when the
 * session may see it; on a miss the mupdate slave is asked to catch up
 * (mupdate_kick) and the list read again.  0 with *e_r (caller frees),
 * or -1 after answering cmd NO ([NONEXISTENT] or [TRYCREATE] per
 * trycreate, or BAD for a name that cannot be a mailbox). */
int proxyd_locate(struct imap_cmd *cmd, const char *ext, bool trycreate,
                  struct mboxlist_entry **e_r);
/* proxyd_server - the server part of e's location into out; returns
 * out's string ("" for a local entry: not a murder mailbox). */
const char *proxyd_server(const struct mboxlist_entry *e, struct buf *out);
/* proxyd_refer - when the client asked for referrals (RLIST/RLSUB) and
 * they are not disabled, answer cmd "NO [REFERRAL imap://user;AUTH=*@
 * server/mailbox]" and return true. */
bool proxyd_refer(struct imap_cmd *cmd, const struct mboxlist_entry *e,
                  const char *ext);
/* proxyd_refer_admin - answer an administrative command the frontend
 * does not perform: NO with a referral to server (the mailbox's, or the
 * first of serverlist when NULL). */
void proxyd_refer_admin(struct imap_cmd *cmd, const char *server,
                        const char *ext);

/* ---- placing new mailboxes (proxyd_place.c) ---- */

/* proxyd_place - the server new internal name belongs on, from its
 * nearest ancestor level in the list into out: 1 found, 0 none (a
 * top-level name), -1 the names below that level span several servers. */
int proxyd_place(const char *name, struct buf *out);
/* proxyd_place_toplevel - the least-used server of serverlist into out:
 * 1, or 0 when serverlist is empty. */
int proxyd_place_toplevel(struct buf *out);

/* ---- handlers ---- */

bool proxyd_cmd_select(struct imap_cmd *cmd);     /* SELECT, EXAMINE */
bool proxyd_cmd_selected(struct imap_cmd *cmd);   /* FETCH, STORE, ... */
bool proxyd_cmd_close(struct imap_cmd *cmd);      /* CLOSE, UNSELECT */
bool proxyd_cmd_idle(struct imap_cmd *cmd);
bool proxyd_cmd_append(struct imap_cmd *cmd);
bool proxyd_cmd_list(struct imap_cmd *cmd);       /* LIST LSUB RLIST RLSUB */
bool proxyd_cmd_status(struct imap_cmd *cmd);
bool proxyd_cmd_subscribe(struct imap_cmd *cmd);  /* (UN)SUBSCRIBE */
bool proxyd_cmd_create(struct imap_cmd *cmd);
bool proxyd_cmd_delete(struct imap_cmd *cmd);
bool proxyd_cmd_rename(struct imap_cmd *cmd);
bool proxyd_cmd_mailbox(struct imap_cmd *cmd);    /* ACL, GETQUOTAROOT */
bool proxyd_cmd_quota(struct imap_cmd *cmd);      /* GETQUOTA SETQUOTA */
bool proxyd_cmd_copy(struct imap_cmd *cmd);       /* COPY, MOVE */

/* proxyd_copy_cross - COPY/MOVE (cmd) from the selected mailbox on src
 * to dest on another backend: FETCH + APPEND, COPYUID; answers cmd
 * (proxyd_crosscopy.c). */
void proxyd_copy_cross(struct imap_cmd *cmd, struct proxy_backend *src,
                       const struct mboxlist_entry *dest);

/* proxyd_rename_xfer - RENAME of e (cmd's first argument) to newname on
 * to_server (partition may be NULL): XFER on e's backend, then RENAME on
 * to_server when the name changes; answers cmd (proxyd_xfer.c). */
void proxyd_rename_xfer(struct imap_cmd *cmd, const struct mboxlist_entry *e,
                        const char *to_server, const char *partition,
                        const char *newname);

/* proxyd_append_stream_ops - struct imap_server's stream_ops: APPEND's
 * sink that streams a large literal straight to the target's backend. */
const struct imap_stream_ops *proxyd_append_stream_ops(const char *command);

/* proxyd_append_detach - the session ends while an APPEND's sinks are
 * alive: they must not touch its backend any more. */
void proxyd_append_detach(struct proxyd_append *st);

/* proxyd_inbox_server_get - the server of the session user's INBOX
 * into out: 0, or -1 when the list does not know it (nothing sent). */
int proxyd_inbox_server_get(struct imap_session *s, struct buf *out);
/* proxyd_inbox_server - the same for a command: -1 after answering cmd
 * NO [UNAVAILABLE]. */
int proxyd_inbox_server(struct imap_cmd *cmd, struct buf *out);

#endif /* PROXY_PROXYD_H */
