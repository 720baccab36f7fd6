/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_local.c - local delivery for lmtpd (the rules are in lmtp_local.h):
 * recipient checks at RCPT, the staged spool, and the per-recipient
 * append with quota and duplicate suppression.
 *
 * Called by the LMTP engine through lmtp_local_hooks, one session at a
 * time.  Process state: the resolution settings and the database handles
 * opened by lmtp_local_init.  Every fault of the store or a database is
 * logged (by the layer that saw it) and answered 4xx for the recipients
 * it concerns.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imap/dbconf.h"
#include "imap/mailbox.h"
#include "imap/mailsvc.h"
#include "imap/mboxlist.h"
#include "imap/message.h"
#include "imap/quota.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"
#include "lmtpd/lmtp_dup.h"
#include "lmtpd/lmtp_engine.h"
#include "lmtpd/lmtp_local.h"
#include "lmtpd/lmtp_recipient.h"

/* Age after which a staging file is left over from a dead process. */
#define LOCAL_STAGE_MAX_AGE 86400
/* Bytes copied per read when a stage is copied to another partition. */
#define LOCAL_COPY_CHUNK 65536

static struct lmtp_resolve_cfg rcfg; /* read-only after init */

/* A stage on one more partition (or a private copy). */
struct extra_stage {
    const char *root;
    struct mailbox_stage *st;
};

/* The spool of one DATA: the stage, what parsing it found, copies. */
struct local_spool {
    const char *root;             /* partition path (config storage) */
    struct mailbox_stage *stage;
    struct buf cache;             /* message_cache_encode blob */
    uint32_t header_size;
    char *msgid;                  /* Message-ID, trimmed, or NULL */
    int own_used;                 /* stage given out once (no sis) */
    struct extra_stage *extra;
    size_t nextra;
};

/* partition_root - the path of partition name (NULL: default), or NULL */
static const char *partition_root(const char *name)
{
    if (!name)
        name = cfg_get_string(IMAPOPT_DEFAULTPARTITION);
    return name ? cfg_get_partition(name) : NULL;
}

/* quota_result - would bytes more and one message exceed mailbox's
 * quota root?  LMTP_RCPT_OK / OVERQUOTA / TEMPFAIL */
static int quota_result(const char *mailbox, uint64_t bytes, char **root_r)
{
    struct quota q;
    char *root = NULL;
    int r;

    if (root_r)
        *root_r = NULL;
    r = quota_findroot(mailbox, &root);
    if (r == QUOTA_NOTFOUND)
        return LMTP_RCPT_OK;
    if (r != QUOTA_OK)
        return LMTP_RCPT_TEMPFAIL;
    quota_init(&q);
    r = quota_read(root, &q);
    if (r == QUOTA_OK)
        r = quota_check(&q, (int64_t)bytes, 1, NULL);
    quota_fini(&q);
    if (r == QUOTA_OK && root_r)
        *root_r = root;
    else
        free(root);
    return r == QUOTA_OK ? LMTP_RCPT_OK
           : r == QUOTA_OVER ? LMTP_RCPT_OVERQUOTA : LMTP_RCPT_TEMPFAIL;
}

/* local_rcpt - hook: resolve, refuse remote mailboxes and full quotas */
static int local_rcpt(struct lmtp_session *s, const char *address,
                      struct lmtp_recipient **r_r)
{
    int r = lmtp_recipient_resolve(&rcfg, address, r_r);

    if (r != LMTP_RCPT_OK)
        return r;
    if ((*r_r)->server) {
        log_notice("recipient on another server rcpt=<%s> server=<%s>",
                   address, (*r_r)->server);
        r = LMTP_RCPT_UNKNOWN;
    } else if (!partition_root((*r_r)->partition)) {
        log_error("unknown partition mailbox=<%s> partition=<%s>",
                  (*r_r)->mailbox, (*r_r)->partition);
        r = LMTP_RCPT_TEMPFAIL;
    } else {
        r = quota_result((*r_r)->mailbox, s->size_hint, NULL);
    }
    if (r != LMTP_RCPT_OK)
        lmtp_recipient_free(r_r);
    return r;
}

/* local_spool_begin - hook: a stage on the first recipient's partition */
static int local_spool_begin(struct lmtp_session *s, void **spool_r)
{
    struct local_spool *sp = xzmalloc(sizeof(*sp));

    sp->root = partition_root(s->rcpts[0]->partition);
    if (!sp->root || mailbox_stage_begin(sp->root, &sp->stage) != MAILBOX_OK) {
        free(sp);
        return -1;
    }
    *spool_r = sp;
    return 0;
}

/* local_spool_write - hook */
static int local_spool_write(void *spool, const void *p, size_t n)
{
    struct local_spool *sp = spool;

    return mailbox_stage_write(sp->stage, p, n) == MAILBOX_OK ? 0 : -1;
}

/* parse_stage - map the finished stage and parse it once: cache blob,
 * header size, Message-ID */
static int parse_stage(struct local_spool *sp)
{
    const char *path = mailbox_stage_path(sp->stage);
    uint64_t size = mailbox_stage_size(sp->stage);
    void *base = NULL;
    struct message *m;
    int fd = -1;

    if (size) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        base = fd < 0 ? MAP_FAILED
                      : mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (base == MAP_FAILED) {
            log_error("IOERROR: cannot map staged message file=<%s> error=<%m>",
                      path);
            if (fd >= 0)
                close(fd);
            return -1;
        }
    }
    m = message_parse(base ? base : "", (size_t)size);
    message_cache_encode(m, &sp->cache);
    sp->header_size = m->root ? (uint32_t)m->root->header_size : 0;
    if (m->fields[MESSAGE_FIELD_MESSAGE_ID]) {
        sp->msgid = str_trim(xstrdup(m->fields[MESSAGE_FIELD_MESSAGE_ID]));
        if (!*sp->msgid) {
            free(sp->msgid);
            sp->msgid = NULL;
        }
    }
    message_free(&m);
    if (base)
        munmap(base, (size_t)size);
    if (fd >= 0)
        close(fd);
    return 0;
}

/* local_spool_finish - hook: fsync the stage, parse it */
static int local_spool_finish(void *spool)
{
    struct local_spool *sp = spool;

    if (mailbox_stage_finish(sp->stage) != MAILBOX_OK)
        return -1;
    return parse_stage(sp);
}

/* local_spool_free - hook: remove every staging file */
static void local_spool_free(void **spool)
{
    struct local_spool *sp = *spool;
    size_t i;

    if (!sp)
        return;
    for (i = 0; i < sp->nextra; i++)
        mailbox_stage_free(&sp->extra[i].st);
    free(sp->extra);
    mailbox_stage_free(&sp->stage);
    buf_free(&sp->cache);
    free(sp->msgid);
    free(sp);
    *spool = NULL;
}

/* stage_copy - a new finished stage on root with the spool's bytes */
static struct mailbox_stage *stage_copy(struct local_spool *sp,
                                        const char *root)
{
    const char *path = mailbox_stage_path(sp->stage);
    struct mailbox_stage *st = NULL;
    char buf[LOCAL_COPY_CHUNK];
    ssize_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || mailbox_stage_begin(root, &st) != MAILBOX_OK) {
        log_error("IOERROR: cannot copy staged message file=<%s> error=<%m>",
                  path);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        if (mailbox_stage_write(st, buf, (size_t)n) != MAILBOX_OK)
            break;
    close(fd);
    if (n != 0 || mailbox_stage_finish(st) != MAILBOX_OK)
        mailbox_stage_free(&st);
    return st;
}

/* stage_for - the stage to append on root: the spool's own, a copy kept
 * for the partition (singleinstancestore), or a fresh copy */
static struct mailbox_stage *stage_for(struct local_spool *sp,
                                       const char *root)
{
    int sis = cfg_get_switch(IMAPOPT_SINGLEINSTANCESTORE);
    struct mailbox_stage *st;
    size_t i;

    if (strcmp(root, sp->root) == 0 && (sis || !sp->own_used)) {
        sp->own_used = 1;
        return sp->stage;
    }
    for (i = 0; sis && i < sp->nextra; i++)
        if (strcmp(sp->extra[i].root, root) == 0)
            return sp->extra[i].st;
    st = stage_copy(sp, root);
    if (st) { /* kept until the spool is freed, also without sis */
        sp->extra = xreallocarray(sp->extra, sp->nextra + 1,
                                  sizeof(*sp->extra));
        sp->extra[sp->nextra].root = root;
        sp->extra[sp->nextra++].st = st;
    }
    return st;
}

/* append_one - the message into mailbox on root: durable on MAILBOX_OK */
static int append_one(struct local_spool *sp, struct mailbox_stage *st,
                      const char *root, const char *mailbox, uint32_t *uid_r)
{
    struct mailbox_append_item item;
    struct mailbox *mb = NULL;
    int r = mailbox_open(root, mailbox, &mb);

    if (r != MAILBOX_OK) {
        log_error("IOERROR: cannot open mailbox for delivery mailbox=<%s> "
                  "error=<%s>", mailbox, mailbox_strerror(r));
        return r;
    }
    memset(&item, 0, sizeof(item));
    item.stage = st;
    item.header_size = sp->header_size;
    item.cache = sp->cache.s;
    item.cache_len = sp->cache.len;
    r = mailbox_append(mb, &item, 1);
    if (r == MAILBOX_E_MOVING)      /* refused, not failed: try again later */
        log_notice("delivery deferred: mailbox is being moved mailbox=<%s>",
                   mailbox);
    else if (r != MAILBOX_OK)
        log_error("IOERROR: append failed mailbox=<%s> error=<%s>", mailbox,
                  mailbox_strerror(r));
    *uid_r = item.uid;
    mailbox_close(&mb);
    return r;
}

/* deliver_one - one recipient: duplicate check, quota, append, quota
 * usage; the mailbox goes on marks_r for the duplicate mark that
 * local_deliver writes after the replies.  An enum lmtp_rcpt_result. */
static int deliver_one(struct local_spool *sp, const struct lmtp_recipient *rc,
                       struct strarray *marks_r)
{
    const char *root = partition_root(rc->partition);
    uint64_t size = mailbox_stage_size(sp->stage);
    int dupsupp = cfg_get_switch(IMAPOPT_DUPLICATESUPPRESSION) && sp->msgid;
    struct mailbox_stage *st;
    char *qroot = NULL;
    uint32_t uid = 0;
    int r;

    if (dupsupp && (strarray_find(marks_r, rc->mailbox, 0) >= 0 ||
                    lmtp_dup_check(sp->msgid, rc->mailbox))) {
        log_info("duplicate suppressed rcpt=<%s> mailbox=<%s> msgid=<%s>",
                 rc->address, rc->mailbox, sp->msgid);
        return LMTP_RCPT_OK;
    }
    r = quota_result(rc->mailbox, size, &qroot);
    if (r != LMTP_RCPT_OK)
        return r;
    st = root ? stage_for(sp, root) : NULL;
    if (!st || append_one(sp, st, root, rc->mailbox, &uid) != MAILBOX_OK) {
        free(qroot);
        return LMTP_RCPT_TEMPFAIL;
    }
    if (qroot && quota_change(qroot, (int64_t)size, 1, QUOTA_FORCE, NULL,
                              NULL) != QUOTA_OK)
        log_error("DBERROR: quota usage not updated root=<%s>", qroot);
    if (dupsupp)
        strarray_append(marks_r, rc->mailbox);
    log_info("delivered rcpt=<%s> mailbox=<%s> uid=<%u> size=<%llu> "
             "msgid=<%s>", rc->address, rc->mailbox, uid,
             (unsigned long long)size, sp->msgid ? sp->msgid : "");
    free(qroot);
    return LMTP_RCPT_OK;
}

/* local_deliver - hook: every recipient in order, each answered at once
 * (its message is durable by then); then the duplicate records of the
 * whole message in one transaction, off the replies' path: losing them in
 * a crash risks a second delivery of a retried message, never a loss */
static void local_deliver(struct lmtp_session *s, void *spool)
{
    struct local_spool *sp = spool;
    struct strarray marks = STRARRAY_INIT;
    size_t i;

    for (i = 0; i < s->nrcpts; i++) {
        s->rcpts[i]->result = deliver_one(sp, s->rcpts[i], &marks);
        lmtp_session_rcpt_done(s, i);
    }
    if (marks.count)
        lmtp_dup_mark_all(sp->msgid, (const char *const *)marks.data,
                          marks.count);
    strarray_fini(&marks);
}

const struct lmtp_hooks lmtp_local_hooks = {
    .rcpt = local_rcpt,
    .spool_begin = local_spool_begin,
    .spool_write = local_spool_write,
    .spool_finish = local_spool_finish,
    .spool_free = local_spool_free,
    .deliver = local_deliver,
};

/* cleanup_partition - cfg_foreach_prefix callback: stale stages */
static int cleanup_partition(const char *key, const char *value, void *rock)
{
    (void)key;
    (void)rock;
    mailbox_stage_cleanup(value, LOCAL_STAGE_MAX_AGE);
    return 0;
}

int lmtp_local_init(void)
{
    const char *err = NULL;
    int r;

    if (lmtp_resolve_init_from_cfg(&rcfg, &err) < 0) {
        log_error("bad namespace configuration error=<%s>", err);
        return EX_CONFIG;
    }
    if ((r = mailsvc_open_dbs()) != 0)
        return r;
    if (cfg_get_switch(IMAPOPT_DUPLICATESUPPRESSION) && lmtp_dup_open() < 0)
        return EX_IOERR;
    cfg_foreach_prefix("partition-", cleanup_partition, NULL);
    return 0;
}

void lmtp_local_done(void)
{
    lmtp_dup_close();
    mailsvc_close_dbs();
}
