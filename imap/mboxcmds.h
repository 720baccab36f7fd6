/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxcmds.h - imapd's mailbox commands (one file each: cmd-select.c,
 * cmd-close.c, cmd-check.c, cmd-create.c, cmd-delete.c, cmd-rename.c,
 * cmd-list.c, cmd-subscribe.c, cmd-status.c, cmd-append.c, cmd-acl.c,
 * cmd-quota.c), the helpers they share (mboxcmd_util.c) and the pure
 * parsers exposed for unit tests (list_opts.c).
 *
 * Handlers follow the contract of imap_commands.h.  Mailbox names travel
 * as external names (the session's namespace, modified UTF-7) and are
 * turned into internal names once, with mboxcmd_internal.
 */
#ifndef IMAP_MBOXCMDS_H
#define IMAP_MBOXCMDS_H

#include <stdbool.h>
#include <stddef.h>

#include "imap/imap_commands.h"

struct buf;
struct imap_session;
struct mboxops_who;

bool cmd_select(struct imap_cmd *cmd);      /* SELECT and EXAMINE */
bool cmd_close(struct imap_cmd *cmd);       /* CLOSE */
bool cmd_unselect(struct imap_cmd *cmd);    /* UNSELECT (RFC 3691) */
bool cmd_check(struct imap_cmd *cmd);       /* CHECK */
bool cmd_create(struct imap_cmd *cmd);
bool cmd_delete(struct imap_cmd *cmd);
bool cmd_rename(struct imap_cmd *cmd);
bool cmd_list(struct imap_cmd *cmd);        /* LIST and LSUB */

/* Where LIST/LSUB (cmd-list.c) take what is not in mailboxes.db from.
 * subs: the session's subscriptions as internal names appended to names;
 * 0, or -1 with *error_r (static; the command then answers NO with it,
 * e.g. "[UNAVAILABLE] ...", never an empty list).  status: LIST-STATUS
 * for one listed mailbox (internal name; sends "* STATUS ext (...)" or
 * nothing). */
struct strarray;
struct list_source {
    int (*subs)(struct imap_cmd *cmd, struct strarray *names,
                const char **error_r);
    void (*status)(struct imap_cmd *cmd, const char *ext, const char *name,
                   unsigned items);
};
/* cmd_list_from - LIST/LSUB answered from the local mailboxes.db with
 * ACL checks, subscriptions and LIST-STATUS from src (cmd_list uses the
 * local databases; proxyd its backends). */
bool cmd_list_from(struct imap_cmd *cmd, const struct list_source *src);
bool cmd_subscribe(struct imap_cmd *cmd);   /* SUBSCRIBE and UNSUBSCRIBE */
bool cmd_status(struct imap_cmd *cmd);
bool cmd_append(struct imap_cmd *cmd);
bool cmd_acl(struct imap_cmd *cmd);         /* GETACL SETACL DELETEACL
                                               LISTRIGHTS MYRIGHTS */
bool cmd_quota(struct imap_cmd *cmd);       /* GETQUOTA GETQUOTAROOT
                                               SETQUOTA */
/* cmd_append_stream_ops - for struct imap_server's stream_ops: APPEND's
 * literal sink for "APPEND", else NULL (cmd-append.c). */
const struct imap_stream_ops *cmd_append_stream_ops(const char *command);
/* cmd_append_literal_check - for struct imap_server's literal_check:
 * before "+" for an APPEND message, NULL when the target exists, takes
 * the session's messages and has quota for size more bytes, else the NO
 * text ("[TRYCREATE] ...", "[OVERQUOTA] ..."); NULL for other commands
 * (cmd-append.c). */
const char *cmd_append_literal_check(struct imap_session *s,
                                     const char *command,
                                     const struct imap_arg *args,
                                     size_t argc, uint64_t size);

/* ---- shared helpers (mboxcmd_util.c) ---- */

/* mboxcmd_who - who the session acts as, for imap/mboxops.h. */
void mboxcmd_who(struct imap_session *s, struct mboxops_who *who);
/* mboxcmd_internal - the internal name for the client's name ext;
 * 0 and *name_r (caller frees), or -1 when it cannot name a mailbox. */
int mboxcmd_internal(struct imap_session *s, const char *ext, char **name_r);
/* mboxcmd_external - the client's name for internal (caller frees), NULL
 * when the session cannot name it. */
char *mboxcmd_external(struct imap_session *s, const char *internal);
/* mboxcmd_quote - append s as an IMAP string: quoted, or a literal when
 * it holds CR, LF, NUL-free 8-bit or other unsafe bytes. */
void mboxcmd_quote(struct buf *out, const char *s);

/* status_response - send "* STATUS <ext> (items)" for the local mailbox
 * e (cmd-status.c; LIST-STATUS uses it too).  0, or -1 when the mailbox
 * cannot be opened (nothing sent). */
struct mboxlist_entry;
int status_response(struct imap_session *s, const char *ext,
                    const struct mboxlist_entry *e, unsigned items);

/* ---- LIST argument parsing (list_opts.c), pure ---- */

#define LIST_SEL_SUBSCRIBED     0x01
#define LIST_SEL_REMOTE         0x02
#define LIST_SEL_RECURSIVEMATCH 0x04
#define LIST_SEL_SPECIALUSE     0x08
#define LIST_RET_SUBSCRIBED     0x01
#define LIST_RET_CHILDREN       0x02
#define LIST_RET_SPECIALUSE     0x04
#define LIST_RET_STATUS         0x08

/* STATUS items (shared with cmd-status.c). */
#define STATUS_MESSAGES      0x01
#define STATUS_RECENT        0x02
#define STATUS_UIDNEXT       0x04
#define STATUS_UIDVALIDITY   0x08
#define STATUS_UNSEEN        0x10
#define STATUS_SIZE          0x20
#define STATUS_HIGHESTMODSEQ 0x40
#define STATUS_DELETED       0x80   /* RFC 9051: messages with \Deleted */

#define LIST_MAX_PATTERNS 64

struct list_opts {
    unsigned sel;                  /* LIST_SEL_* */
    unsigned ret;                  /* LIST_RET_* */
    unsigned status;               /* STATUS_* with LIST_RET_STATUS */
    bool extended;                 /* LIST-EXTENDED syntax was used */
    const char *reference;
    const char *patterns[LIST_MAX_PATTERNS];
    size_t npatterns;
};

/* status_items_parse - a STATUS item list ("MESSAGES UNSEEN") into
 * STATUS_* bits; 0, or -1 with *error_r (static) for an unknown item or
 * an empty list. */
int status_items_parse(const struct imap_arg *list, size_t n,
                       unsigned *items_r, const char **error_r);

/* list_opts_parse - the arguments of LIST (RFC 3501, RFC 5258, RFC 5819,
 * RFC 6154) into *o; strings point into args.  0, or -1 with a static
 * *error_r for a BAD reply.  RECURSIVEMATCH alone is an error (RFC
 * 5258); selecting SUBSCRIBED or SPECIAL-USE implies returning it. */
int list_opts_parse(const struct imap_arg *args, size_t argc,
                    struct list_opts *o, const char **error_r);

#endif /* IMAP_MBOXCMDS_H */
