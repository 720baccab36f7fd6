/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_undump.c - the push parser of the mailbox dump format
 * (imap/mailbox_dump.h): bytes in, callbacks out, in any chunking.
 *
 * Called by the XFER destination (imap/xfer_recv.c) while the dump
 * literal streams in, and by the unit tests.  Item lines are buffered
 * up to MAILBOX_DUMP_LINE_MAX; message bytes are passed through as they
 * come.  The first error is kept and returned by every later call.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/mailbox.h"
#include "imap/mailbox_dump.h"
#include "imap/mboxlist.h"
#include "imap/seen.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

#define UNDUMP_MAX_FIELDS 16

enum undump_state {
    UD_MAGIC,     /* waiting for the version line */
    UD_ITEMS,     /* reading item lines */
    UD_BODY,      /* copying a message's bytes */
    UD_BODY_LF,   /* the LF after them */
    UD_DONE,      /* "end" seen: nothing may follow */
    UD_FAILED,
};

struct mailbox_undump {
    const struct mailbox_undump_ops *ops;
    void *rock;
    enum undump_state state;
    struct buf line;
    uint64_t body_left;
    uint64_t msgs;            /* msg items read */
    int have_header;
    const char *error;
};

/* One parsed field: a number, or a string of len bytes at s. */
struct ud_field {
    const char *key;
    size_t keylen;
    const char *s;
    size_t len;
    int is_str;
    int64_t num;
};

struct ud_item {
    const char *name;
    size_t namelen;
    struct ud_field f[UNDUMP_MAX_FIELDS];
    size_t n;
};

struct mailbox_undump *mailbox_undump_new(const struct mailbox_undump_ops *ops,
                                          void *rock)
{
    struct mailbox_undump *u = xzmalloc(sizeof(*u));

    u->ops = ops;
    u->rock = rock;
    return u;
}

void mailbox_undump_free(struct mailbox_undump **up)
{
    if (!*up)
        return;
    buf_free(&(*up)->line);
    free(*up);
    *up = NULL;
}

/* fail - keep the first error; returns -1 */
static int fail(struct mailbox_undump *u, const char *error)
{
    if (u->state != UD_FAILED) {
        u->state = UD_FAILED;
        u->error = error ? error : "the dump was rejected";
    }
    return -1;
}

/* parse_value - a field value at p (end e): "len:bytes" or a signed
 * decimal number; the position after it, or NULL */
static const char *parse_value(const char *p, const char *e,
                               struct ud_field *f)
{
    const char *q = p;
    int neg = 0;
    uint64_t v;

    if (q < e && *q == '-') {
        neg = 1;
        q++;
    }
    p = q;
    while (q < e && *q >= '0' && *q <= '9')
        q++;
    if (q == p || str_parse_u64(p, (size_t)(q - p), INT64_MAX, &v) < 0)
        return NULL;
    if (q < e && *q == ':' && !neg) {
        if (v > (uint64_t)(e - q - 1))
            return NULL;
        f->is_str = 1;
        f->s = q + 1;
        f->len = (size_t)v;
        return f->s + f->len;
    }
    f->num = neg ? -(int64_t)v : (int64_t)v;
    return q;
}

/* parse_item - split line into the item name and its fields */
static int parse_item(const char *p, size_t len, struct ud_item *it)
{
    const char *e = p + len, *sp = memchr(p, ' ', len);

    it->name = p;
    it->namelen = sp ? (size_t)(sp - p) : len;
    it->n = 0;
    p = sp ? sp : e;
    while (p < e) {
        struct ud_field *f;
        const char *eq;

        if (*p++ != ' ' || it->n == UNDUMP_MAX_FIELDS)
            return -1;
        f = memset(&it->f[it->n++], 0, sizeof(*f));
        eq = memchr(p, '=', (size_t)(e - p));
        if (!eq || eq == p)
            return -1;
        f->key = p;
        f->keylen = (size_t)(eq - p);
        if (!(p = parse_value(eq + 1, e, f)))
            return -1;
    }
    return 0;
}

/* field - the field named key of it, or NULL */
static const struct ud_field *field(const struct ud_item *it, const char *key)
{
    size_t kl = strlen(key);

    for (size_t i = 0; i < it->n; i++)
        if (it->f[i].keylen == kl && memcmp(it->f[i].key, key, kl) == 0)
            return &it->f[i];
    return NULL;
}

/* get_num / get_str - a required field (str: a new C string; NULL when
 * missing, of the wrong kind, or holding a NUL) */
static int get_num(const struct ud_item *it, const char *key, int64_t min,
                   int64_t max, int64_t *v_r)
{
    const struct ud_field *f = field(it, key);

    if (!f || f->is_str || f->num < min || f->num > max)
        return -1;
    *v_r = f->num;
    return 0;
}

static char *get_str(const struct ud_item *it, const char *key)
{
    const struct ud_field *f = field(it, key);

    if (!f || !f->is_str || memchr(f->s, '\0', f->len))
        return NULL;
    return xstrndup(f->s, f->len);
}

/* is_item - the item's name is name */
static int is_item(const struct ud_item *it, const char *name)
{
    return it->namelen == strlen(name) &&
           memcmp(it->name, name, it->namelen) == 0;
}

/* item_mailbox - "mailbox" */
static int item_mailbox(struct mailbox_undump *u, const struct ud_item *it)
{
    struct mailbox_dump_header h;
    const struct ud_field *ev = field(it, "e");
    int64_t uv, un, hm, dm;
    const char *err = NULL;
    char *name = get_str(it, "name");
    int r = -1;

    memset(&h, 0, sizeof(h));
    if (!name || !ev || !ev->is_str ||
        get_num(it, "uidvalidity", 1, UINT32_MAX, &uv) < 0 ||
        get_num(it, "uidnext", 1, UINT32_MAX, &un) < 0 ||
        get_num(it, "highestmodseq", 0, INT64_MAX, &hm) < 0 ||
        get_num(it, "deletedmodseq", 0, INT64_MAX, &dm) < 0 ||
        mboxlist_entry_decode(name, ev->s, ev->len, &h.entry) != MBOXLIST_OK) {
        free(name);
        return fail(u, "malformed mailbox item");
    }
    h.name = name;
    h.uidvalidity = (uint32_t)uv;
    h.uidnext = (uint32_t)un;
    h.highestmodseq = (uint64_t)hm;
    h.deletedmodseq = (uint64_t)dm;
    u->have_header = 1;
    r = u->ops->header ? u->ops->header(u->rock, &h, &err) : 0;
    mboxlist_entry_free(&h.entry);
    free(name);
    return r < 0 ? fail(u, err) : 0;
}

/* item_quota - "quota" */
static int item_quota(struct mailbox_undump *u, const struct ud_item *it)
{
    int64_t lim[QUOTA_NUMRESOURCES];
    const char *err = NULL;

    if (get_num(it, "storage", -1, INT64_MAX, &lim[QUOTA_STORAGE]) < 0 ||
        get_num(it, "message", -1, INT64_MAX, &lim[QUOTA_MESSAGE]) < 0)
        return fail(u, "malformed quota item");
    if (u->ops->quota && u->ops->quota(u->rock, lim, &err) < 0)
        return fail(u, err);
    return 0;
}

/* item_msg - "msg": its bytes follow */
static int item_msg(struct mailbox_undump *u, const struct ud_item *it)
{
    struct mailbox_dump_msg m;
    struct strarray flags = STRARRAY_INIT;
    int64_t uid, sys, id, idns, ms, sd, size;
    const char *err = NULL;
    char *fl = get_str(it, "flags");
    int r = 0;

    if (!fl || get_num(it, "uid", 1, UINT32_MAX, &uid) < 0 ||
        get_num(it, "sys", 0, MAILBOX_FLAGS_SYSTEM, &sys) < 0 ||
        get_num(it, "idate", INT64_MIN + 1, INT64_MAX, &id) < 0 ||
        get_num(it, "idatens", 0, 999999999, &idns) < 0 ||
        get_num(it, "modseq", 0, INT64_MAX, &ms) < 0 ||
        get_num(it, "sentdate", INT64_MIN + 1, INT64_MAX, &sd) < 0 ||
        get_num(it, "size", 0, INT64_MAX, &size) < 0) {
        free(fl);
        return fail(u, "malformed msg item");
    }
    strarray_split(&flags, fl, " ");
    memset(&m, 0, sizeof(m));
    m.uid = (uint32_t)uid;
    m.system_flags = (uint32_t)sys;
    m.internaldate = id;
    m.internaldate_ns = (uint32_t)idns;
    m.modseq = (uint64_t)ms;
    m.sentdate = sd;
    m.size = (uint64_t)size;
    m.user_flags = &flags;
    if (u->ops->message_begin)
        r = u->ops->message_begin(u->rock, &m, &err);
    strarray_fini(&flags);
    free(fl);
    if (r < 0)
        return fail(u, err);
    u->msgs++;
    u->body_left = m.size;
    u->state = u->body_left ? UD_BODY : UD_BODY_LF;
    return 0;
}

/* item_seen - "seen" (key "u": the moving user's record of a mailbox)
 * or "useen" (key "o": another user's record of this mailbox) */
static int item_seen(struct mailbox_undump *u, const struct ud_item *it,
                     const char *key,
                     int (*op)(void *, const char *, const struct seen_data *,
                               const char **))
{
    const struct ud_field *d = field(it, "d");
    struct seen_data sd;
    const char *err = NULL;
    char *id = get_str(it, key);
    int r;

    memset(&sd, 0, sizeof(sd));
    if (!id || !d || !d->is_str || seen_decode(d->s, d->len, &sd) != SEEN_OK) {
        seen_data_fini(&sd);
        free(id);
        return fail(u, "malformed seen item");
    }
    r = op ? op(u->rock, id, &sd, &err) : 0;
    seen_data_fini(&sd);
    free(id);
    return r < 0 ? fail(u, err) : 0;
}

/* item_sub - "sub" */
static int item_sub(struct mailbox_undump *u, const struct ud_item *it)
{
    const char *err = NULL;
    char *n = get_str(it, "n");
    int r;

    if (!n)
        return fail(u, "malformed sub item");
    r = u->ops->subscription ? u->ops->subscription(u->rock, n, &err) : 0;
    free(n);
    return r < 0 ? fail(u, err) : 0;
}

/* item_end - "end": the count must match */
static int item_end(struct mailbox_undump *u, const struct ud_item *it)
{
    int64_t n;

    if (get_num(it, "msgs", 0, INT64_MAX, &n) < 0 || (uint64_t)n != u->msgs)
        return fail(u, "the dump's message count does not match");
    u->state = UD_DONE;
    return 0;
}

/* handle_line - one complete line (without its LF) */
static int handle_line(struct mailbox_undump *u, const char *p, size_t len)
{
    struct ud_item it;
    char magic[32];

    if (u->state == UD_MAGIC) {
        snprintf(magic, sizeof(magic), MAILBOX_DUMP_MAGIC " %d",
                 MAILBOX_DUMP_VERSION);
        if (len != strlen(magic) || memcmp(p, magic, len) != 0)
            return fail(u, "not a version 1 mailbox dump");
        u->state = UD_ITEMS;
        return 0;
    }
    if (u->state == UD_DONE)
        return fail(u, "data after the end of the dump");
    if (parse_item(p, len, &it) < 0)
        return fail(u, "malformed dump line");
    if (is_item(&it, "mailbox"))
        return u->have_header ? fail(u, "two mailbox items")
                              : item_mailbox(u, &it);
    if (!u->have_header)
        return fail(u, "the dump does not start with its mailbox");
    if (is_item(&it, "quota"))
        return item_quota(u, &it);
    if (is_item(&it, "msg"))
        return item_msg(u, &it);
    if (is_item(&it, "seen"))
        return item_seen(u, &it, "u", u->ops->seen);
    if (is_item(&it, "useen"))
        return item_seen(u, &it, "o", u->ops->user_seen);
    if (is_item(&it, "sub"))
        return item_sub(u, &it);
    if (is_item(&it, "end"))
        return item_end(u, &it);
    return 0; /* an item of a later writer */
}

/* feed_body - pass message bytes on; how many were used */
static size_t feed_body(struct mailbox_undump *u, const char *p, size_t n)
{
    const char *err = NULL;

    if (n > u->body_left)
        n = (size_t)u->body_left;
    if (u->ops->message_data && u->ops->message_data(u->rock, p, n, &err) < 0) {
        fail(u, err);
        return n;
    }
    u->body_left -= n;
    if (!u->body_left)
        u->state = UD_BODY_LF;
    return n;
}

/* feed_body_lf - the LF after a message; ends the message */
static void feed_body_lf(struct mailbox_undump *u, char c)
{
    const char *err = NULL;

    if (c != '\n') {
        fail(u, "a message is longer than announced");
        return;
    }
    u->state = UD_ITEMS;
    if (u->ops->message_end && u->ops->message_end(u->rock, &err) < 0)
        fail(u, err);
}

/* feed_line - add bytes to the current line; how many were used */
static size_t feed_line(struct mailbox_undump *u, const char *p, size_t n)
{
    const char *lf = memchr(p, '\n', n);
    size_t take = lf ? (size_t)(lf - p) + 1 : n;

    if (u->line.len + take > MAILBOX_DUMP_LINE_MAX) {
        fail(u, "a dump line is too long");
        return take;
    }
    buf_appendmap(&u->line, p, lf ? take - 1 : take);
    if (lf) {
        handle_line(u, u->line.s ? u->line.s : "", u->line.len);
        buf_reset(&u->line);
    }
    return take;
}

int mailbox_undump_feed(struct mailbox_undump *u, const void *data, size_t n,
                        const char **error_r)
{
    const char *p = data;

    while (n && u->state != UD_FAILED) {
        size_t used = 1;

        if (u->state == UD_BODY)
            used = feed_body(u, p, n);
        else if (u->state == UD_BODY_LF)
            feed_body_lf(u, *p);
        else
            used = feed_line(u, p, n);
        p += used;
        n -= used;
    }
    if (u->state == UD_FAILED) {
        *error_r = u->error;
        return -1;
    }
    return 0;
}

int mailbox_undump_finish(struct mailbox_undump *u, const char **error_r)
{
    if (u->state != UD_FAILED && (u->state != UD_DONE || u->line.len))
        fail(u, "the dump is incomplete");
    if (u->state == UD_FAILED) {
        *error_r = u->error;
        return -1;
    }
    return 0;
}
