/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-xfer.c - XFER mailbox server[!partition]: the source side of
 * moving a mailbox and its children to another backend (imap/xfer.h has
 * the protocol and the failure rules).
 *
 * Runs in a backend imapd with the MUPDATE hook installed and a
 * transport (imap/xfer_send.c).  Each mailbox goes through
 * xfer_one(): MOVING, a write barrier (mailbox_write_barrier: sessions
 * that still have it selected can no longer commit a change the dump
 * would miss), DEACTIVATE, dump to an unlinked spool file, send,
 * then forget the local copy (success) or re-ACTIVATE (failure).  The
 * master is never told about the local delete after a success: the
 * destination's ACTIVATE already moved the name.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imap/acl.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "imap/mailbox_dump.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"
#include "imap/mboxops_internal.h"
#include "imap/mboxops_murder.h"
#include "imap/quota.h"
#include "imap/seen.h"
#include "imap/subs.h"
#include "imap/xfer.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

static const struct xfer_transport *transport;

void xfer_set_transport(const struct xfer_transport *t)
{
    transport = t;
}

/* One XFER command. */
struct xfer_job {
    const char *server;      /* destination host[:port] */
    const char *partition;   /* destination partition, "" its default */
    struct buf error;        /* why the current mailbox failed */
};

/* Longest MURDER_XFER_PAUSE_MS honoured (imap/xfer.h). */
#define XFER_TEST_PAUSE_MAX_MS 60000

/* test_pause - the tests' hold between dump and send: sleep
 * MURDER_XFER_PAUSE_MS milliseconds when that is set (imap/xfer.h) */
static void test_pause(const char *name)
{
    const char *env = getenv("MURDER_XFER_PAUSE_MS");
    struct timespec ts;
    uint64_t ms;

    if (!env || str_parse_u64(env, strlen(env), XFER_TEST_PAUSE_MAX_MS,
                              &ms) != 1 || ms == 0)
        return;
    log_warning("XFER test pause mailbox=<%s> ms=<%llu>", name,
                (unsigned long long)ms);
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* spool_out - mailbox_dump_write's output into the spool file */
static int spool_out(void *rock, const void *p, size_t n)
{
    int fd = *(int *)rock;
    const char *c = p;

    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            log_error("IOERROR: cannot write XFER spool error=<%m>");
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* spool_dump - dump e into a new unlinked file on its partition; the fd
 * (positioned at 0) or -1 with job->error */
static int spool_dump(const struct mboxlist_entry *e, const char *root,
                      const char *userid, uint64_t *size_r, uint64_t *gen_r,
                      struct xfer_job *job)
{
    static unsigned counter;
    struct mailbox_dump_src src = { root, e, userid };
    struct buf path = BUF_INIT;
    const char *err = NULL;
    struct stat st;
    int fd;

    buf_printf(&path, "%s/stage.", root);
    mkdir(path.s, 0700);
    buf_printf(&path, "/xfer-%ld-%u", (long)getpid(), counter++);
    fd = open(buf_cstring(&path), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        unlink(path.s); /* nothing to clean up after a crash */
    buf_free(&path);
    if (fd < 0) {
        log_error("IOERROR: cannot create XFER spool error=<%m>");
        buf_setcstr(&job->error, "cannot create the transfer spool file");
        return -1;
    }
    if (mailbox_dump_write(&src, spool_out, &fd, gen_r, &err) != MAILBOX_OK ||
        fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        buf_printf(&job->error, "cannot dump the mailbox: %s",
                   err ? err : "I/O error");
        close(fd);
        return -1;
    }
    *size_r = (uint64_t)st.st_size;
    return fd;
}

/* set_moving - set or clear MOVING on the local entry of name */
static int set_moving(const char *name, int on)
{
    struct mboxlist_entry *e = NULL;
    int r = mboxlist_lookup(name, &e);

    if (r == MBOXLIST_OK) {
        if (on)
            e->type |= MBTYPE_MOVING;
        else
            e->type &= ~MBTYPE_MOVING;
        r = mboxlist_update(e);
    }
    mboxlist_entry_free(&e);
    return r;
}

/* forget_local - after the destination took it: remove the local copy
 * (entry, files, quota usage; an INBOX's user data), master untold */
static void forget_local(const struct mboxlist_entry *e, const char *root,
                         const char *userid)
{
    int64_t bytes, msgs;

    mboxops_usage_of(root, e->name, &bytes, &msgs);
    if (mboxlist_delete(e->name) != MBOXLIST_OK)
        log_error("cannot delete moved mailbox entry mailbox=<%s>", e->name);
    if (mailbox_delete(root, e->name) != MAILBOX_OK)
        log_warning("moved mailbox files left behind mailbox=<%s>", e->name);
    mboxops_quota_move(e->name, NULL, bytes, msgs);
    quota_delete(e->name); /* when it was a root: it moved along */
    if (userid) {
        subs_delete_user(userid);
        seen_delete_user(userid);
    }
}

/* keep_aside - the mailbox changed after its dump although sessions'
 * writes are refused while it is MOVING (a safety net: a tool such as
 * reconstruct has no write check): keep that copy under another name,
 * admins only, rather than lose the change */
static void keep_aside(const char *name)
{
    struct buf aside = BUF_INIT;

    buf_printf(&aside, "DELETED.xfer.%s.%08lX", name,
               (unsigned long)time(NULL));
    if (mboxops_move_aside(name, buf_cstring(&aside)) != MBOXOPS_OK)
        log_error("cannot move changed mailbox aside mailbox=<%s>", name);
    else
        log_warning("mailbox changed during XFER, local copy kept "
                    "mailbox=<%s> newname=<%s>", name, aside.s);
    buf_free(&aside);
}

/* changed_since - 1 when name's index generation is no longer gen */
static int changed_since(const char *root, const char *name, uint64_t gen)
{
    struct mailbox *mb = NULL;
    int changed = 1;

    if (mailbox_open(root, name, &mb) == MAILBOX_OK) {
        changed = mailbox_get_header(mb)->generation != gen;
        mailbox_close(&mb);
    }
    return changed;
}

/* send_one - dump and send e; XFER_OK / XFER_NO / XFER_TEMP */
static int send_one(const struct mboxlist_entry *e, const char *root,
                    const char *userid, uint64_t *gen_r, struct xfer_job *job)
{
    uint64_t size = 0;
    int fd = spool_dump(e, root, userid, &size, gen_r, job), r;

    if (fd < 0)
        return XFER_TEMP;
    test_pause(e->name);
    r = transport->send(job->server, e->name, job->partition, fd, size,
                        &job->error);
    close(fd);
    return r;
}

/* restore - the move failed: serve the mailbox here again */
static void restore(const struct mboxlist_entry *e)
{
    if (mboxops_murder_activate(e->name, e->partition, e->acl) != MBOXOPS_OK)
        log_error("XFER: cannot re-activate mailbox=<%s>; the master keeps "
                  "it reserved until ctl_mboxlist -m runs", e->name);
    set_moving(e->name, 0);
}

/* xfer_one - move one mailbox; MBOXOPS_OK or an error with job->error */
static int xfer_one(const struct mboxlist_entry *e, struct xfer_job *job)
{
    const char *root = mboxops_root(e->partition);
    char *userid = mboxname_is_inbox(e->name) ? mboxname_to_userid(e->name)
                                              : NULL;
    uint64_t gen = 0;
    int r;

    buf_reset(&job->error);
    if (!root || set_moving(e->name, 1) != MBOXLIST_OK) {
        buf_setcstr(&job->error, "cannot mark the mailbox as moving");
        free(userid);
        return MBOXOPS_IO;
    }
    /* a session that checked "not MOVING" before commits first; any
     * later write is refused (mailbox_set_write_check) */
    if (mailbox_write_barrier(root, e->name) != MAILBOX_OK) {
        buf_setcstr(&job->error, "the mailbox is busy (locked)");
        set_moving(e->name, 0);
        free(userid);
        return MBOXOPS_UNAVAILABLE;
    }
    r = mboxops_murder_deactivate(e->name, e->partition);
    if (r != MBOXOPS_OK) {
        buf_setcstr(&job->error, "the MUPDATE master did not take the "
                                 "mailbox out of service");
        set_moving(e->name, 0);
        free(userid);
        return r == MBOXOPS_TAKEN ? MBOXOPS_TAKEN : MBOXOPS_UNAVAILABLE;
    }
    r = send_one(e, root, userid, &gen, job);
    if (r == XFER_OK) {
        mboxops_crash_point("xfer_after_remote_ok");
        if (changed_since(root, e->name, gen))
            keep_aside(e->name);
        else
            forget_local(e, root, userid);
        log_notice("mailbox moved mailbox=<%s> server=<%s>", e->name,
                   job->server);
    } else {
        log_notice("XFER failed mailbox=<%s> server=<%s> error=<%s>",
                   e->name, job->server, buf_cstring(&job->error));
        restore(e);
    }
    free(userid);
    return r == XFER_OK ? MBOXOPS_OK : MBOXOPS_UNAVAILABLE;
}

/* tree_cb - collect the normal local mailboxes of the subtree */
static int tree_cb(void *rock, const struct mboxlist_entry *e)
{
    if (!(e->type & (MBTYPE_REMOTE | MBTYPE_RESERVE | MBTYPE_DELETED |
                     MBTYPE_MOVING)))
        strarray_append(rock, e->name);
    return 0;
}

/* xfer_check - may who move name?  MBOXOPS_OK with *e_r */
static int xfer_check(struct imap_session *s, const char *name,
                      struct mboxlist_entry **e_r)
{
    struct mboxops_who who;
    int admin, r;

    mboxcmd_who(s, &who);
    admin = mboxops_who_admin(&who);
    r = mboxops_lookup(&who, name, ACL_DELETEMBOX, e_r, NULL);
    if (r == MBOXOPS_PERM && admin)
        r = mboxops_lookup(&who, name, 0, e_r, NULL);
    if (r == MBOXOPS_OK && mboxname_is_inbox(name) && !admin &&
        !cfg_get_switch(IMAPOPT_ALLOWUSERMOVES))
        r = MBOXOPS_PERM;
    if (r != MBOXOPS_OK)
        mboxlist_entry_free(e_r);
    return r;
}

/* xfer_tree - move name and its children, parents first */
static void xfer_tree(struct imap_cmd *cmd, const char *name,
                      struct xfer_job *job)
{
    struct strarray names = STRARRAY_INIT;
    struct buf prefix = BUF_INIT;
    size_t done = 0;
    int r = MBOXOPS_OK;

    strarray_append(&names, name);
    buf_printf(&prefix, "%s.", name);
    mboxlist_foreach(buf_cstring(&prefix), tree_cb, &names);
    for (; r == MBOXOPS_OK && done < names.count; done++) {
        struct mboxlist_entry *e = NULL;

        if (mboxlist_lookup(names.data[done], &e) != MBOXLIST_OK)
            continue; /* deleted meanwhile */
        r = xfer_one(e, job);
        mboxlist_entry_free(&e);
    }
    if (r == MBOXOPS_OK)
        imap_cmd_ok(cmd, "Mailbox moved (%zu)", names.count);
    else
        imap_cmd_no(cmd, "[%s] Moved %zu of %zu mailboxes; %s stays here: %s",
                    r == MBOXOPS_TAKEN ? "INUSE" : "UNAVAILABLE", done - 1,
                    names.count, names.data[done - 1],
                    buf_cstring(&job->error));
    strarray_fini(&names);
    buf_free(&prefix);
}

/* split_target - "server[!partition]" into job (pointers into buf) */
static int split_target(const char *target, struct buf *buf,
                        struct xfer_job *job)
{
    char *bang;

    buf_setcstr(buf, target);
    bang = strchr(buf_cstring(buf), '!');
    job->partition = "";
    if (bang) {
        *bang = '\0';
        job->partition = bang + 1;
    }
    job->server = buf->s;
    return *job->server && !strchr(job->partition, '!') ? 0 : -1;
}

bool cmd_xfer(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    struct xfer_job job = { NULL, NULL, BUF_INIT };
    struct mboxlist_entry *e = NULL;
    const char *ext, *target, *self = cfg_get_string(IMAPOPT_SERVERNAME);
    struct buf tbuf = BUF_INIT;
    char *name = NULL;
    int r;

    if (cmd->argc != 2 || !imap_arg_get_astring(&cmd->args[0], &ext) ||
        !imap_arg_get_astring(&cmd->args[1], &target) ||
        split_target(target, &tbuf, &job) < 0) {
        imap_cmd_bad(cmd, "Invalid arguments to XFER");
        buf_free(&tbuf);
        return true;
    }
    if (!transport || !mboxops_murder_active()) {
        imap_cmd_no(cmd, "[CANNOT] This server is not a murder backend");
    } else if (self && strcmp(self, job.server) == 0) {
        imap_cmd_no(cmd, "[CANNOT] The mailbox is already on %s", self);
    } else if (mboxcmd_internal(s, ext, &name) < 0) {
        imap_cmd_no(cmd, "%s", mboxops_strerror(MBOXOPS_NOTFOUND));
    } else if ((r = xfer_check(s, name, &e)) != MBOXOPS_OK) {
        imap_cmd_no(cmd, "%s", mboxops_strerror(r));
    } else {
        if (s->selected && (strcmp(s->selected->name, name) == 0 ||
                            mboxname_is_child(s->selected->name, name)))
            imap_selected_close(s, false);
        xfer_tree(cmd, name, &job);
    }
    mboxlist_entry_free(&e);
    free(name);
    buf_free(&tbuf);
    buf_free(&job.error);
    return true;
}
