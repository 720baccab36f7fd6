/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * thread_subject.c - RFC 5256 base subject extraction, Message-ID
 * normalisation, and the ORDEREDSUBJECT algorithm (imap/thread.h).
 *
 * The subject arrives RFC 2047 decoded from the cache record.  The base
 * subject is built in upper case ASCII (i;ascii-casemap), so SORT and
 * THREAD compare with strcmp.  Pure functions over strings; no I/O.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "imap/thread.h"
#include "lib/xmalloc.h"

/* blob_len - length of a subj-blob "[...]" *WSP at s, 0 when none */
static size_t blob_len(const char *s)
{
    size_t i = 1;

    if (s[0] != '[')
        return 0;
    while (s[i] && s[i] != '[' && s[i] != ']')
        i++;
    if (s[i] != ']')
        return 0;
    for (i++; s[i] == ' '; i++)
        ;
    return i;
}

/* refwd_len - length of *subj-blob subj-refwd at s, 0 when none */
static size_t refwd_len(const char *s)
{
    size_t i = 0, b;

    while ((b = blob_len(s + i)))
        i += b;
    if (!strncmp(s + i, "RE", 2))
        i += 2;
    else if (!strncmp(s + i, "FWD", 3))
        i += 3;
    else if (!strncmp(s + i, "FW", 2))
        i += 2;
    else
        return 0;
    while (s[i] == ' ')
        i++;
    i += blob_len(s + i);
    return s[i] == ':' ? i + 1 : 0;
}

/* strip_trailer - step 2: trailing blanks and "(FWD)"; true if a (fwd) */
static bool strip_trailer(struct buf *b)
{
    bool fwd = false;

    for (;;) {
        if (b->len && b->s[b->len - 1] == ' ') {
            b->len--;
        } else if (b->len >= 5 && !memcmp(b->s + b->len - 5, "(FWD)", 5)) {
            b->len -= 5;
            fwd = true;
        } else {
            return fwd;
        }
    }
}

/* strip_leaders - steps 3-5 on s; returns the new start, *reply set */
static const char *strip_leaders(const char *s, bool *reply)
{
    size_t n, b;

    for (;;) {
        if (*s == ' ') {
            s++;
        } else if ((n = refwd_len(s))) {
            s += n;
            *reply = true;
        } else if ((b = blob_len(s)) && s[b]) {
            s += b;                           /* step 4: not the whole rest */
        } else {
            return s;
        }
    }
}

/* canonical - step 1: blanks made single spaces, ASCII upper-cased */
static void canonical(const char *s, struct buf *out)
{
    bool space = false;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = true;
            continue;
        }
        if (space && out->len)
            buf_putc(out, ' ');
        space = false;
        buf_putc(out, (char)(c < 128 ? toupper(c) : c));
    }
    if (space)
        buf_putc(out, ' ');
}

bool thread_base_subject(const char *s, struct buf *out)
{
    struct buf b = BUF_INIT;
    bool reply = false;
    const char *p;

    canonical(s ? s : "", &b);
    for (;;) {
        buf_cstring(&b);
        if (strip_trailer(&b))
            reply = true;
        p = strip_leaders(buf_cstring(&b), &reply);
        size_t len = strlen(p);
        /* step 6: "[FWD:" ... "]" */
        if (len >= 6 && !strncmp(p, "[FWD:", 5) && p[len - 1] == ']') {
            reply = true;
            buf_remove_prefix(&b, (size_t)(p - b.s) + 5);
            buf_truncate(&b, b.len - 1);
            continue;
        }
        buf_appendcstr(out, p);
        break;
    }
    buf_cstring(out);
    buf_free(&b);
    return reply;
}

/* msgid_one - parse one "<...>" at p into out (normalised); the end */
static const char *msgid_one(const char *p, struct buf *out)
{
    bool quoted = false;

    buf_reset(out);
    buf_putc(out, '<');
    for (p++; *p; p++) {
        if (*p == '\\' && quoted && p[1]) {
            buf_putc(out, *++p);
        } else if (*p == '"') {
            quoted = !quoted;
        } else if (!quoted && *p == '>') {
            buf_putc(out, '>');
            return p + 1;
        } else if (!quoted && *p == '<') {
            break;                            /* a new id starts: drop this */
        } else if (quoted || !isspace((unsigned char)*p)) {
            buf_putc(out, *p);
        }
    }
    buf_reset(out);                           /* unterminated: invalid */
    return p;
}

void thread_msgids(const char *s, size_t max, struct strarray *out)
{
    struct buf id = BUF_INIT;
    const char *p = s;

    while (p && (p = strchr(p, '<')) && (!max || out->count < max)) {
        p = msgid_one(p, &id);
        if (id.len > 2)
            strarray_append(out, buf_cstring(&id));
    }
    buf_free(&id);
}

void thread_msg_set(struct thread_msg *m, const char *subject,
                    const char *msgid, const char *references,
                    const char *in_reply_to)
{
    struct buf b = BUF_INIT;
    struct strarray ids = STRARRAY_INIT;

    m->is_reply = thread_base_subject(subject, &b);
    m->subject = buf_release(&b);
    thread_msgids(msgid, 1, &ids);
    m->msgid = ids.count ? xstrdup(strarray_nth(&ids, 0)) : NULL;
    strarray_fini(&ids);
    thread_msgids(references, 0, &m->refs);
    if (m->refs.count == 0)
        thread_msgids(in_reply_to, 1, &m->refs);
}

void thread_msgs_fini(struct thread_msg *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(msgs[i].subject);
        free(msgs[i].msgid);
        strarray_fini(&msgs[i].refs);
    }
}

/* cmp_subject_date - ORDEREDSUBJECT order: base subject, date, msgno */
static int cmp_subject_date(const void *a, const void *b)
{
    const struct thread_msg *x = a, *y = b;
    int c = strcmp(x->subject, y->subject);

    if (c)
        return c;
    if (x->sentdate != y->sentdate)
        return x->sentdate < y->sentdate ? -1 : 1;
    return x->msgno < y->msgno ? -1 : x->msgno > y->msgno;
}

/* cmp_first - thread order: the first message's date, then msgno */
static int cmp_first(const void *a, const void *b)
{
    const struct thread_msg *x = *(struct thread_msg *const *)a;
    const struct thread_msg *y = *(struct thread_msg *const *)b;

    if (x->sentdate != y->sentdate)
        return x->sentdate < y->sentdate ? -1 : 1;
    return x->msgno < y->msgno ? -1 : x->msgno > y->msgno;
}

void thread_orderedsubject(struct thread_msg *msgs, size_t n, struct buf *out)
{
    struct thread_msg **firsts = xcalloc(n ? n : 1, sizeof(*firsts));
    size_t nthreads = 0;

    qsort(msgs, n, sizeof(*msgs), cmp_subject_date);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(msgs[i].subject, msgs[i - 1].subject))
            firsts[nthreads++] = &msgs[i];
    }
    qsort(firsts, nthreads, sizeof(*firsts), cmp_first);
    for (size_t t = 0; t < nthreads; t++) {
        struct thread_msg *f = firsts[t], *end = msgs + n, *c;
        size_t kids = 0;
        for (c = f + 1; c < end && !strcmp(c->subject, f->subject); c++)
            kids++;
        buf_printf(out, "(%u", f->id);
        for (c = f + 1; c <= f + kids; c++)
            buf_printf(out, kids == 1 ? " %u" : c == f + 1 ? " (%u)" : "(%u)", c->id);
        buf_putc(out, ')');
    }
    free(firsts);
}
