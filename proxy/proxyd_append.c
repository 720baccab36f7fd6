/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_append.c - APPEND (RFC 3501 6.3.11, MULTIAPPEND RFC 3502)
 * through proxyd, routed by the target mailbox's location.
 *
 * Small messages arrive buffered in the arguments and the command is
 * sent whole.  A message above maxliteral is never held: the engine hands
 * its bytes to our sink (struct imap_stream_ops) as they arrive, and the
 * sink writes them straight to the backend behind the command prefix it
 * already sent ("APPEND mailbox (flags) date {n+}"), so a 5 MB message
 * costs a buffer, not 5 MB.  The handler then sends what follows the last
 * streamed literal and relays the backend's answer.  The backend must
 * offer LITERAL+ (imapd does after login).
 *
 * When the target is unknown or its backend is down the sink discards
 * the bytes and the handler answers NO [TRYCREATE] / [UNAVAILABLE].  A
 * command that dies after part of it went to the backend (a client
 * syntax error after the literal, a backend failing mid-stream) costs
 * that backend connection: it is dropped, never reused half-way through
 * a command.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxlist.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/xmalloc.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_imap.h"
#include "proxy/proxyd.h"

/* Why a streamed APPEND cannot go on. */
enum append_fail {
    APPEND_FINE = 0,
    APPEND_NOMAILBOX,   /* [TRYCREATE] */
    APPEND_BADNAME,
    APPEND_UNAVAILABLE, /* the backend could not be reached */
    APPEND_BROKEN,      /* the backend failed mid-command */
    APPEND_SYNTAX,      /* a literal where we cannot stream it */
};

/* The command's streaming state, shared by its literals' sinks. */
struct proxyd_append {
    struct imap_session *s;
    struct proxy_backend *be;  /* NULL until the prefix is sent */
    size_t sent;               /* top-level arguments already sent */
    enum append_fail fail;
    unsigned refs;             /* sinks alive */
    bool completed;            /* the handler finished the command */
};

/* state_get - the command's state, created at its first literal */
static struct proxyd_append *state_get(struct imap_session *s)
{
    struct proxyd_session *ps = proxyd_sess(s);

    if (!ps->append) {
        ps->append = xzmalloc(sizeof(*ps->append));
        ps->append->s = s;
    }
    return ps->append;
}

/* start_backend - find the target's backend and send the command's
 * beginning; sets st->fail on trouble */
static void start_backend(struct proxyd_append *st, const struct imap_arg *args)
{
    struct mboxlist_entry *e = NULL;
    const char *ext;
    int r;

    if (!imap_arg_get_astring(&args[0], &ext)) {
        st->fail = APPEND_SYNTAX;
        return;
    }
    r = proxyd_lookup(st->s, ext, &e);
    if (r == 0)
        st->fail = APPEND_NOMAILBOX;
    else if (r < 0)
        st->fail = r == -1 ? APPEND_BADNAME : APPEND_UNAVAILABLE;
    else if (proxyd_backend_get(st->s, e->server, &st->be) < 0)
        st->fail = APPEND_UNAVAILABLE;
    else
        prot_printf(st->be->p, "%s APPEND", proxy_imap_next_tag(st->be));
    mboxlist_entry_free(&e);
}

/* send_args - args[st->sent..argc) to the backend, after a space */
static void send_args(struct proxyd_append *st, const struct imap_arg *args,
                      size_t argc)
{
    struct buf b = BUF_INIT;

    if (argc <= st->sent)
        return;
    buf_putc(&b, ' ');
    imap_args_render(args + st->sent, argc - st->sent, IMAP_RENDER_NONSYNC, &b);
    prot_write(st->be->p, b.s, b.len);
    buf_free(&b);
    st->sent = argc;
}

/* sink_begin - a literal of APPEND starts: the sink is the state (also
 * when failing: it then discards, and its free cleans the state up) */
static void *sink_begin(struct imap_session *s, const struct imap_arg *args,
                        size_t argc, uint64_t size)
{
    struct proxyd_append *st = state_get(s);

    (void)size;
    st->refs++;
    if (!st->fail && argc && args[argc - 1].type != IMAP_ARG_LITERAL_SIZE)
        st->fail = APPEND_SYNTAX;   /* inside a list (CATENATE) */
    if (!st->fail && !st->be)
        start_backend(st, args);
    if (!st->fail)
        send_args(st, args, argc);  /* ends in "{n+}\r\n": data follows */
    return st;
}

/* sink_write - message bytes, straight on to the backend */
static void sink_write(void *sink, const void *data, size_t len)
{
    struct proxyd_append *st = sink;

    if (!st->fail && prot_write(st->be->p, data, len) < 0)
        st->fail = APPEND_BROKEN;
}

/* sink_finish - nothing: the rest of the command follows */
static void sink_finish(void *sink)
{
    (void)sink;
}

/* sink_free - the engine is done with a sink; the last one frees the
 * state and drops a backend left in the middle of a command */
static void sink_free(void *sink)
{
    struct proxyd_append *st = sink;
    struct proxyd_session *ps = st->s->rock;   /* NULL: session over */

    if (--st->refs)
        return;
    if (!st->completed && st->be && ps) {
        log_notice("APPEND aborted after streaming began server=<%s>",
                   st->be->server);
        proxyd_backend_lost(st->s, st->be);
    }
    if (ps && ps->append == st)
        ps->append = NULL;
    free(st);
}

void proxyd_append_detach(struct proxyd_append *st)
{
    st->be = NULL;
    st->fail = APPEND_BROKEN;
}

static const struct imap_stream_ops append_ops = {
    sink_begin, sink_write, sink_finish, sink_free,
};

const struct imap_stream_ops *proxyd_append_stream_ops(const char *command)
{
    return strcmp(command, "APPEND") == 0 ? &append_ops : NULL;
}

/* finish_streamed - the handler's part after streamed literals (a
 * failed command is left not completed: the last sink's free drops a
 * backend that got part of it) */
static void finish_streamed(struct imap_cmd *cmd, struct proxyd_append *st)
{
    proxyd_sess(cmd->sess)->append = NULL;
    switch (st->fail) {
    case APPEND_FINE:
        break;
    case APPEND_NOMAILBOX:
        imap_cmd_no(cmd, "[TRYCREATE] Mailbox does not exist");
        return;
    case APPEND_BADNAME:
        imap_cmd_no(cmd, "[CANNOT] Invalid mailbox name");
        return;
    case APPEND_SYNTAX:
        imap_cmd_no(cmd, "[CANNOT] Literal not supported there");
        break;
    case APPEND_UNAVAILABLE:
    case APPEND_BROKEN:
        imap_cmd_no(cmd, "[UNAVAILABLE] Mailbox server is unavailable");
        break;
    }
    if (st->fail)
        return;
    st->completed = true;
    send_args(st, cmd->args, cmd->argc);
    prot_puts(st->be->p, "\r\n");
    proxyd_relay(cmd, st->be, NULL);
}

bool proxyd_cmd_append(struct imap_cmd *cmd)
{
    struct proxyd_append *st = proxyd_sess(cmd->sess)->append;
    struct mboxlist_entry *e = NULL;
    struct proxy_backend *be;
    const char *ext;

    if (cmd->argc < 2 || !imap_arg_get_astring(&cmd->args[0], &ext)) {
        if (st)
            proxyd_sess(cmd->sess)->append = NULL;
        imap_cmd_bad(cmd, "Invalid arguments: APPEND mailbox [(flags)] "
                          "[date] message");
        return true;
    }
    if (st) {
        finish_streamed(cmd, st);
        return true;
    }
    if (proxyd_locate(cmd, ext, true, &e) < 0)
        return true;
    if (proxyd_backend(cmd, e->server, &be) == 0) {
        proxyd_send(be, "APPEND", cmd->args, cmd->argc);
        proxyd_relay(cmd, be, NULL);
    }
    mboxlist_entry_free(&e);
    return true;
}
