/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_commands.h - the IMAP command table and the per-command context.
 *
 * A daemon describes its commands with a static array of struct
 * imap_command { name, handler, flags }.  The engine (imap_session.c) looks
 * the command name up in the daemon's table, checks the flags ONCE (state,
 * UID prefix, plaintext policy) and only then calls the handler, so no
 * handler re-checks the session state.  imapd uses imapd_commands
 * (imap_commands.c); proxyd supplies its own table, mixing the shared
 * handlers (cmd_capability, cmd_login, ...) with its proxying ones, and
 * passes it in struct imap_server (imap_session.h).
 *
 * Handler contract (STYLE section 8):
 *     bool cmd_foo(struct imap_cmd *cmd);
 * It runs with cmd->args parsed and valid; it writes untagged responses
 * and, when finished, exactly one tagged response (imap_cmd_ok/no/bad), and
 * returns true.  A handler that needs another client line (AUTHENTICATE
 * continuations, later IDLE's DONE) sets cmd->want_line and returns false:
 * the engine reads one raw line (limits apply) and calls it again with
 * cmd->line set.  cmd->args are INVALID from the second call on; keep what
 * is needed in cmd->state.  If the session must end while a command is
 * suspended (line too long, EOF), the engine calls the handler once more
 * with cmd->aborted set: it frees its state, sends nothing, returns true.
 */
#ifndef IMAP_IMAP_COMMANDS_H
#define IMAP_IMAP_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/imap_parser.h"

struct imap_session;
struct imap_cmd;

typedef bool imap_cmd_func(struct imap_cmd *cmd);

/* Command flags.  The three state bits say where the command is allowed. */
#define IMAP_CMD_NONAUTH    0x01 /* not authenticated state */
#define IMAP_CMD_AUTH       0x02 /* authenticated state */
#define IMAP_CMD_SELECTED   0x04 /* selected state */
#define IMAP_CMD_ANYSTATE   (IMAP_CMD_NONAUTH | IMAP_CMD_AUTH | IMAP_CMD_SELECTED)
#define IMAP_CMD_POSTAUTH   (IMAP_CMD_AUTH | IMAP_CMD_SELECTED)
/* Also valid after a "UID" prefix (the command uses sequence numbers and
 * has a UID variant: FETCH, STORE, COPY, MOVE, SEARCH, EXPUNGE). */
#define IMAP_CMD_UID        0x08
/* The "UID" prefix itself: the next argument names the real command. */
#define IMAP_CMD_UIDPREFIX  0x10
/* Sends a password in the clear: refused with NO [PRIVACYREQUIRED] on a
 * connection without TLS when allowplaintext is off (LOGIN). */
#define IMAP_CMD_PLAINTEXT  0x20
/* Allowed while a STARTTLS-required policy is pending, i.e. before TLS:
 * commands that reveal nothing and take no credentials.  Informational
 * today (there is no "TLS required for everything" option yet); proxyd
 * and a future imapd option use it to refuse the rest before STARTTLS. */
#define IMAP_CMD_PRETLS     0x40

/* Streamed literals (APPEND's messages).  Literals larger than the
 * parser's stream threshold (imapd.conf maxliteral) are not buffered: the
 * engine hands their bytes, as they arrive, to the command's sink.  begin
 * is called with the arguments parsed so far (the literal is the last,
 * an IMAP_ARG_LITERAL_SIZE) and returns the sink, or NULL to have the
 * bytes discarded (the handler then reports why, e.g. TRYCREATE).
 * write gets every byte in order; finish is called after the last one;
 * free releases a sink (always called, after the handler ran or when
 * the command was rejected).  The handler finds the sinks with
 * imap_session_streamed() (imap_session.h).  A daemon names the sink of
 * each command through struct imap_server's stream_ops. */
struct imap_session;
struct imap_stream_ops {
    void *(*begin)(struct imap_session *s, const struct imap_arg *args,
                   size_t argc, uint64_t size);
    void (*write)(void *sink, const void *data, size_t len);
    void (*finish)(void *sink);
    void (*free)(void *sink);
};

struct imap_command {
    const char *name;      /* upper case, as in the RFC */
    imap_cmd_func *func;   /* NULL: known but not implemented yet */
    unsigned flags;
};

struct imap_command_table {
    const struct imap_command *cmds;
    size_t count;
};

/* The per-command context given to handlers; owned by the engine. */
struct imap_cmd {
    struct imap_session *sess;
    const struct imap_command *def;
    const char *tag;            /* copied: valid for the whole command */
    const char *name;           /* the table's name (upper case) */
    bool uid;                   /* came as "UID <name>" */
    const struct imap_arg *args;/* first call only, after any UID prefix */
    size_t argc;
    /* resumption */
    bool want_line;             /* handler: resume me with the next line */
    const char *line;           /* later calls: the raw line (NUL-terminated) */
    size_t line_len;
    bool aborted;               /* later calls: clean up, send nothing */
    void *state;                /* the handler's own, across calls */
    char tagbuf[128];           /* tags longer than this are refused */
};

/* imapd's table (imap_commands.c); proxyd defines its own. */
extern const struct imap_command_table imapd_commands;

/* imap_commands_find - the entry named name (ASCII case-insensitive) in
 * table, or NULL.  The result points into the table. */
const struct imap_command *imap_commands_find(const struct imap_command_table *t,
                                              const char *name);

/* imap_commands_check - may def run in a session in state (one of the
 * IMAP_CMD_NONAUTH/AUTH/SELECTED bits)?  NULL when yes, else the text of
 * the BAD reply (static storage), in Cyrus's wording:
 *   "Please login first", "Please select a mailbox first",
 *   "Already logged in", "Command not allowed in this state". */
const char *imap_commands_check(const struct imap_command *def, unsigned state);

/* imap_commands_valid - panics unless every entry of t is well formed
 * (name upper case, at least one state bit, UID flags consistent).  Daemons
 * call it once at start; the unit test calls it on imapd_commands. */
void imap_commands_valid(const struct imap_command_table *t);

/* Handlers of the not-authenticated-state commands (one file each) and of
 * imap_auth.c, shared with proxyd. */
bool cmd_capability(struct imap_cmd *cmd);
bool cmd_noop(struct imap_cmd *cmd);
bool cmd_logout(struct imap_cmd *cmd);
bool cmd_starttls(struct imap_cmd *cmd);
bool cmd_id(struct imap_cmd *cmd);
bool cmd_enable(struct imap_cmd *cmd);
bool cmd_namespace(struct imap_cmd *cmd);
bool cmd_login(struct imap_cmd *cmd);
bool cmd_authenticate(struct imap_cmd *cmd);

/* Message commands of imapd (imap/cmd-fetch.c, cmd-store.c, cmd-expunge.c,
 * cmd-copy.c (COPY and MOVE), cmd-idle.c). */
bool cmd_fetch(struct imap_cmd *cmd);
bool cmd_store(struct imap_cmd *cmd);
bool cmd_expunge(struct imap_cmd *cmd);
bool cmd_copy(struct imap_cmd *cmd);
bool cmd_move(struct imap_cmd *cmd);
bool cmd_idle(struct imap_cmd *cmd);
/* COMPRESS DEFLATE (RFC 4978, imap/cmd-compress.c). */
bool cmd_compress(struct imap_cmd *cmd);

/* Search commands of imapd (imap/cmd-search.c, cmd-sort.c, cmd-thread.c). */
bool cmd_search(struct imap_cmd *cmd);
bool cmd_sort(struct imap_cmd *cmd);
bool cmd_thread(struct imap_cmd *cmd);

/* ---- pure helpers of the command files, exposed for unit tests ---- */

struct buf;

/* RFC 2971 bounds on the client's ID list. */
#define IMAP_ID_MAX_PAIRS      30
#define IMAP_ID_MAX_FIELD      30
#define IMAP_ID_MAX_VALUE      1024

/* imap_id_parse - check the argument of ID (NIL or a list of string/NIL
 * pairs within the bounds above) and render it for the log into *out
 * ("name=<x> version=<y>", control bytes dropped).  1 ok, -1 with
 * *error_r (static text for a BAD reply). */
int imap_id_parse(const struct imap_arg *args, size_t argc, struct buf *out,
                  const char **error_r);

/* imap_enable_apply - ENABLE names[0..n): set the bits of the extensions
 * we know and that are in `allowed` (IMAP_ENABLED_* bits) in *enabled and
 * append " NAME" to *out for each one newly enabled (RFC 5161: unknown or
 * not offered names are ignored).  Returns how many were newly enabled. */
size_t imap_enable_apply(const char *const *names, size_t n, unsigned allowed,
                         unsigned *enabled, struct buf *out);

#endif /* IMAP_IMAP_COMMANDS_H */
