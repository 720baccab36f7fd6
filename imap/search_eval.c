/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search_eval.c - match messages of an open mailbox against a search tree.
 *
 * Used by cmd-search.c, cmd-sort.c and cmd-thread.c through
 * search_eval.h.  Per message, data is loaded in three lazy stages:
 * the index record (always, copied), the cache record (decoded part tree
 * and SEARCH header fields), the message file (mmap: uncached header
 * fields, body text).  Read failures are logged once per message and make
 * text keys false.  Single-threaded; one evaluator per command.
 */
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imap/charset.h"
#include "imap/search_date.h"
#include "imap/search_eval.h"
#include "imap/search_text.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

struct search_eval {
    struct mailbox *mb;
    const struct seqset *saved;
    const struct seen_view *view;   /* whose \Seen; NULL: the index's */
    uint32_t msgno;
    struct mailbox_record rec;
    int msg_state;              /* 0 untried, 1 loaded, -1 unreadable */
    struct message *msg;
    int map_state;              /* the same for the file map */
    char *base;
    size_t len;
    bool header_built, body_built;
    struct buf header_text;     /* TEXT: whole header, search form */
    struct buf body_text;       /* BODY/TEXT: decoded text, search form */
    struct buf scratch;
};

struct search_eval *search_eval_new(struct mailbox *mb,
                                    const struct seqset *saved,
                                    const struct seen_view *view)
{
    struct search_eval *ev = xzmalloc(sizeof(*ev));

    ev->mb = mb;
    ev->saved = saved;
    ev->view = view;
    return ev;
}

/* unload - forget the current message's lazily loaded data */
static void unload(struct search_eval *ev)
{
    message_free(&ev->msg);
    if (ev->base && ev->len)
        munmap(ev->base, ev->len);
    ev->base = NULL;
    ev->len = 0;
    ev->msg_state = ev->map_state = 0;
    ev->header_built = ev->body_built = false;
    buf_reset(&ev->header_text);
    buf_reset(&ev->body_text);
}

void search_eval_free(struct search_eval **evp)
{
    struct search_eval *ev = *evp;

    if (!ev)
        return;
    unload(ev);
    buf_free(&ev->header_text);
    buf_free(&ev->body_text);
    buf_free(&ev->scratch);
    free(ev);
    *evp = NULL;
}

/* prepare_keywords - resolve KEYWORD names to user flag indexes */
static void prepare_keywords(struct search_eval *ev, struct search_node *n)
{
    for (; n; n = n->next) {
        if (n->key == SEARCH_KEYWORD) {
            unsigned idx;
            n->num = mailbox_user_flag(ev->mb, n->name, 0, &idx) == MAILBOX_OK
                         ? idx : UINT64_MAX;
        }
        prepare_keywords(ev, n->child);
    }
}

void search_eval_prepare(struct search_eval *ev, struct search_node *root)
{
    prepare_keywords(ev, root);
    search_expr_optimise(root);
}

int search_eval_load(struct search_eval *ev, uint32_t msgno)
{
    uint32_t uid = mailbox_msgno_uid(ev->mb, msgno);
    const struct mailbox_record *rec;

    unload(ev);
    if (!uid || !(rec = mailbox_record(ev->mb, uid)))
        return 0;
    ev->msgno = msgno;
    ev->rec = *rec;
    seen_view_patch(ev->view, &ev->rec);   /* the user's \Seen */
    return 1;
}

const struct mailbox_record *search_eval_record(const struct search_eval *ev)
{
    return &ev->rec;
}

uint32_t search_eval_msgno(const struct search_eval *ev)
{
    return ev->msgno;
}

/* map_file - map the current message's file; 1 ok */
static int map_file(struct search_eval *ev)
{
    struct stat st;
    int fd;

    if (ev->map_state)
        return ev->map_state > 0;
    ev->map_state = -1;
    mailbox_message_path(ev->mb, ev->rec.uid, &ev->scratch);
    fd = open(buf_cstring(&ev->scratch), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        /* expunged meanwhile (the snapshot keeps it until the client is
         * told; RFC 2180 4.1.3): its text matches nothing, silently */
        if (ev->rec.system_flags & MAILBOX_FLAG_EXPUNGED) {
            if (fd >= 0)
                close(fd);
            return 0;
        }
        log_warning("IOERROR: cannot open message for search file=<%s> error=<%m>",
                    buf_cstring(&ev->scratch));
        if (fd >= 0)
            close(fd);
        return 0;
    }
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            log_error("IOERROR: mmap failed file=<%s> error=<%m>",
                      buf_cstring(&ev->scratch));
            close(fd);
            return 0;
        }
        ev->base = p;
        ev->len = (size_t)st.st_size;
    }
    close(fd);
    ev->map_state = 1;
    return 1;
}

/* load_message - the part tree: from the cache, else by parsing the file */
static const struct message *load_message(struct search_eval *ev)
{
    const char *error = NULL;

    if (ev->msg_state)
        return ev->msg;
    ev->msg_state = -1;
    if (mailbox_cache_read(ev->mb, &ev->rec, &ev->scratch) == MAILBOX_OK)
        ev->msg = message_cache_decode(ev->scratch.s, ev->scratch.len, &error);
    if (!ev->msg) {
        log_warning("IOERROR: bad cache record, parsing the file uid=<%u> error=<%s>",
                    ev->rec.uid, error ? error : "unreadable");
        if (map_file(ev))
            ev->msg = message_parse(ev->base ? ev->base : "", ev->len);
    }
    if (ev->msg)
        ev->msg_state = 1;
    return ev->msg;
}

const char *search_eval_field(struct search_eval *ev, enum message_field f)
{
    const struct message *m = load_message(ev);

    return m ? m->fields[f] : NULL;
}

/* header_block - the top-level header of the file, *len_r bytes */
static const char *header_block(struct search_eval *ev, size_t *len_r)
{
    if (!map_file(ev) || !ev->base) {
        *len_r = 0;
        return "";
    }
    *len_r = ev->rec.header_size && ev->rec.header_size <= ev->len
                 ? ev->rec.header_size : ev->len;
    return ev->base;
}

void search_eval_header_fields(struct search_eval *ev, const char *name,
                               struct strarray *values)
{
    size_t len;
    const char *hdr = header_block(ev, &len);

    search_text_fields(hdr, len, name, values);
}

int64_t search_eval_sentdate(struct search_eval *ev)
{
    const char *date = search_eval_field(ev, MESSAGE_FIELD_DATE);
    int64_t t;

    if (date && search_date_rfc5322(date, strlen(date), &t, NULL))
        return t;
    return ev->rec.internaldate;
}

/* sent_day - the day written in the Date: header, else the internal day */
static int64_t sent_day(struct search_eval *ev)
{
    const char *date = search_eval_field(ev, MESSAGE_FIELD_DATE);
    int64_t day;

    if (date && search_date_rfc5322(date, strlen(date), NULL, &day))
        return day;
    return search_date_localday(ev->rec.internaldate);
}

/* value_contains - the search form of UTF-8 s contains the node's value */
static int value_contains(struct search_eval *ev, const char *s,
                          const struct search_node *n)
{
    buf_reset(&ev->scratch);
    charset_search_normalize(s, strlen(s), &ev->scratch);
    return search_text_contains(ev->scratch.s, ev->scratch.len, n->value.s,
                                n->value.len);
}

/* match_header - HEADER (and FROM, SUBJECT, ...): any occurrence */
static int match_header(struct search_eval *ev, const struct search_node *n)
{
    struct strarray values = STRARRAY_INIT;
    struct buf dec = BUF_INIT;
    int found = 0;

    if (n->field >= 0) {
        const char *v = search_eval_field(ev, (enum message_field)n->field);
        return v ? value_contains(ev, v, n) : 0;
    }
    search_eval_header_fields(ev, n->name, &values);
    for (size_t i = 0; i < values.count && !found; i++) {
        const char *v = strarray_nth(&values, i);
        buf_reset(&dec);
        charset_decode_mimeheader(v, strlen(v), &dec);
        found = value_contains(ev, buf_cstring(&dec), n);
    }
    buf_free(&dec);
    strarray_fini(&values);
    return found;
}

/* match_text - BODY, or TEXT (header too) */
static int match_text(struct search_eval *ev, const struct search_node *n)
{
    const struct message *m;

    if (n->key == SEARCH_TEXT) {
        if (!ev->header_built) {
            size_t len;
            const char *hdr = header_block(ev, &len);
            search_text_header(hdr, len, &ev->header_text);
            ev->header_built = true;
        }
        if (search_text_contains(ev->header_text.s, ev->header_text.len,
                                 n->value.s, n->value.len))
            return 1;
    }
    if (!ev->body_built) {
        if ((m = load_message(ev)) && m->root && map_file(ev))
            search_text_body(m->root, ev->base ? ev->base : "", ev->len,
                             &ev->body_text);
        ev->body_built = true;
    }
    return search_text_contains(ev->body_text.s, ev->body_text.len,
                                n->value.s, n->value.len);
}

/* match_index - keys decided by the index record alone */
static int match_index(struct search_eval *ev, const struct search_node *n)
{
    const struct mailbox_record *r = &ev->rec;

    switch (n->key) {
    case SEARCH_ALL:     return 1;
    case SEARCH_SYSFLAG: return (r->system_flags & n->flag) != 0;
    case SEARCH_KEYWORD:
        return n->num < MAILBOX_USER_FLAGS_MAX &&
               (r->user_flags[n->num / 32] >> (n->num % 32) & 1);
    case SEARCH_RECENT:  return 0;
    case SEARCH_LARGER:  return r->size > n->num;
    case SEARCH_SMALLER: return r->size < n->num;
    case SEARCH_BEFORE:  return search_date_localday(r->internaldate) < n->day;
    case SEARCH_ON:      return search_date_localday(r->internaldate) == n->day;
    case SEARCH_SINCE:   return search_date_localday(r->internaldate) >= n->day;
    case SEARCH_UID:     return seqset_contains(&n->set, r->uid);
    case SEARCH_MSGNO:   return seqset_contains(&n->set, ev->msgno);
    case SEARCH_MODSEQ:  return r->modseq >= n->num;
    case SEARCH_SAVED:   return ev->saved && seqset_contains(ev->saved, r->uid);
    default:             return 0;
    }
}

int search_eval_match(struct search_eval *ev, const struct search_node *n)
{
    const struct search_node *c;

    switch (n->key) {
    case SEARCH_AND:
        for (c = n->child; c; c = c->next) {
            if (!search_eval_match(ev, c))
                return 0;
        }
        return 1;
    case SEARCH_OR:
        for (c = n->child; c; c = c->next) {
            if (search_eval_match(ev, c))
                return 1;
        }
        return 0;
    case SEARCH_NOT:        return !search_eval_match(ev, n->child);
    case SEARCH_SENTBEFORE: return sent_day(ev) < n->day;
    case SEARCH_SENTON:     return sent_day(ev) == n->day;
    case SEARCH_SENTSINCE:  return sent_day(ev) >= n->day;
    case SEARCH_HEADER:     return match_header(ev, n);
    case SEARCH_BODY:
    case SEARCH_TEXT:       return match_text(ev, n);
    default:                return match_index(ev, n);
    }
}

void search_eval_run(struct search_eval *ev, const struct search_node *root,
                     int uid, struct mailbox_uids *out)
{
    uint32_t count = mailbox_count(ev->mb);

    for (uint32_t msgno = 1; msgno <= count; msgno++) {
        if (search_eval_load(ev, msgno) && search_eval_match(ev, root))
            mailbox_uids_add(out, uid ? ev->rec.uid : msgno);
    }
    unload(ev);
}
