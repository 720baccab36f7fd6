/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxlist_entry.c - the stored value of a mailboxes.db entry: encode,
 * decode, validate (format in imap/mboxlist.h, "VALUE ENCODING").
 *
 * Pure functions over struct mboxlist_entry; no database access.  Both
 * directions validate the same rules, so nothing this code writes is
 * refused when read back, and nothing malformed read from disk (or from
 * an undump file) reaches a caller: it is MBOXLIST_CORRUPT instead.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/acl.h"
#include "imap/mboxlist.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* The type bits and their letters, in the order they are written. */
static const struct {
    unsigned bit;
    char letter;
} types[] = {
    { MBTYPE_REMOTE, 'r' },
    { MBTYPE_RESERVE, 'z' },
    { MBTYPE_DELETED, 'd' },
    { MBTYPE_MOVING, 'm' },
};
#define NTYPES (sizeof(types) / sizeof(types[0]))
#define MBTYPE_ALL (MBTYPE_REMOTE | MBTYPE_RESERVE | MBTYPE_DELETED | \
                    MBTYPE_MOVING)

struct mboxlist_entry *mboxlist_entry_new(void)
{
    return xzmalloc(sizeof(struct mboxlist_entry));
}

void mboxlist_entry_free(struct mboxlist_entry **ep)
{
    struct mboxlist_entry *e = *ep;

    if (!e)
        return;
    free(e->name);
    free(e->partition);
    free(e->server);
    free(e->acl);
    free(e->uniqueid);
    buf_free(&e->extra);
    free(e);
    *ep = NULL;
}

/* field_ok - 1..MBOXLIST_FIELD_MAX bytes of 0x21-0x7e, no '!' when
 * nobang */
static int field_ok(const char *s, size_t len, int nobang)
{
    if (len == 0 || len > MBOXLIST_FIELD_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e || (nobang && c == '!'))
            return 0;
    }
    return 1;
}

/* validate - the rules encode and decode share; NULL when e is valid */
static const char *validate(const struct mboxlist_entry *e)
{
    const char *aclerr = NULL;

    if (e->type & ~MBTYPE_ALL)
        return "unknown type bits";
    if (!e->partition || !field_ok(e->partition, strlen(e->partition), 1))
        return "missing or invalid partition";
    if (e->type & MBTYPE_REMOTE) {
        if (!e->server || !field_ok(e->server, strlen(e->server), 1))
            return "remote entry without a valid server";
    } else if (e->server) {
        return "server set on a local entry";
    }
    if (!e->acl)
        return "missing ACL";
    if (acl_validate(e->acl, strlen(e->acl), &aclerr) < 0)
        return aclerr ? aclerr : "invalid ACL";
    if (e->uniqueid && !field_ok(e->uniqueid, strlen(e->uniqueid), 0))
        return "invalid unique id";
    return NULL;
}

/* put_field - append " tag=len:bytes" */
static void put_field(struct buf *out, char tag, const char *s, size_t len)
{
    buf_printf(out, " %c=%zu:", tag, len);
    buf_appendmap(out, s, len);
}

/* put_num - append a decimal field */
static void put_num(struct buf *out, char tag, unsigned long long n)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof(tmp), "%llu", n);
    put_field(out, tag, tmp, (size_t)len);
}

/* parse_field - one " tag=len:bytes" at data[*pos]; 1 ok, 0 malformed.
 * tag is returned as a (pointer, length) slice. */
static int parse_field(const char *data, size_t len, size_t *pos,
                       const char **tag_r, size_t *taglen_r,
                       const char **val_r, size_t *vallen_r)
{
    size_t p = *pos, start;
    uint64_t n;

    if (p >= len || data[p] != ' ')
        return 0;
    start = ++p;
    while (p < len && data[p] >= 'a' && data[p] <= 'z')
        p++;
    if (p == start || p >= len || data[p] != '=')
        return 0;
    *tag_r = data + start;
    *taglen_r = p - start;
    start = ++p;
    while (p < len && data[p] >= '0' && data[p] <= '9')
        p++;
    if (p >= len || data[p] != ':' ||
        str_parse_u64(data + start, p - start, len, &n) < 0 ||
        n > len - p - 1)
        return 0;
    *val_r = data + p + 1;
    *vallen_r = (size_t)n;
    *pos = p + 1 + (size_t)n;
    return 1;
}

int mboxlist_entry_encode(const struct mboxlist_entry *e, struct buf *out,
                          const char **error_r)
{
    const char *err = validate(e);
    char letters[NTYPES + 1];
    size_t n = 0;

    if (!err && e->extra.len) {
        /* extra must itself be well formed, or we would write garbage */
        size_t pos = 0, tl, vl;
        const char *t, *v;
        while (pos < e->extra.len)
            if (!parse_field(e->extra.s, e->extra.len, &pos, &t, &tl, &v,
                             &vl)) {
                err = "malformed extra fields";
                break;
            }
    }
    if (err) {
        if (error_r)
            *error_r = err;
        return MBOXLIST_BADENTRY;
    }
    for (size_t i = 0; i < NTYPES; i++)
        if (e->type & types[i].bit)
            letters[n++] = types[i].letter;
    buf_printf(out, "%%M%d", MBOXLIST_VERSION);
    put_field(out, 't', letters, n);
    put_field(out, 'p', e->partition, strlen(e->partition));
    if (e->server)
        put_field(out, 's', e->server, strlen(e->server));
    put_field(out, 'a', e->acl, strlen(e->acl));
    if (e->uniqueid)
        put_field(out, 'u', e->uniqueid, strlen(e->uniqueid));
    if (e->uidvalidity)
        put_num(out, 'v', e->uidvalidity);
    if (e->created > 0)
        put_num(out, 'c', (unsigned long long)e->created);
    buf_append(out, &e->extra);
    return MBOXLIST_OK;
}

/* set_type - the type bits of letters; -1 for an unknown letter */
static int set_type(struct mboxlist_entry *e, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        size_t j;
        for (j = 0; j < NTYPES && types[j].letter != s[i]; j++)
            ;
        if (j == NTYPES)
            return -1;
        e->type |= types[j].bit;
    }
    return 0;
}

/* set_num - parse a decimal field into *n_r within max; -1 when bad */
static int set_num(const char *s, size_t len, uint64_t max, uint64_t *n_r)
{
    return str_parse_u64(s, len, max, n_r) < 0 ? -1 : 0;
}

/* apply_field - store one decoded field in e; a result code */
static int apply_field(struct mboxlist_entry *e, char tag, const char *v,
                       size_t vl, unsigned *seen)
{
    unsigned bit = (tag >= 'a' && tag <= 'z') ? 1u << (tag - 'a') : 0;
    uint64_t n;

    if (*seen & bit)
        return MBOXLIST_CORRUPT; /* a field given twice */
    *seen |= bit;
    switch (tag) {
    case 't':
        return set_type(e, v, vl) < 0 ? MBOXLIST_BADVERSION : MBOXLIST_OK;
    case 'p': e->partition = xstrndup(v, vl); break;
    case 's': e->server = xstrndup(v, vl); break;
    case 'a': e->acl = xstrndup(v, vl); break;
    case 'u': e->uniqueid = xstrndup(v, vl); break;
    case 'v':
        if (set_num(v, vl, UINT32_MAX, &n) < 0)
            return MBOXLIST_CORRUPT;
        e->uidvalidity = (uint32_t)n;
        break;
    case 'c':
        if (set_num(v, vl, INT64_MAX, &n) < 0)
            return MBOXLIST_CORRUPT;
        e->created = (time_t)n;
        break;
    }
    /* a NUL inside a string field would silently shorten it */
    if (strchr("psau", tag) && memchr(v, '\0', vl))
        return MBOXLIST_CORRUPT;
    return MBOXLIST_OK;
}

/* decode_fields - every field after the version; a result code */
static int decode_fields(struct mboxlist_entry *e, const char *data,
                         size_t len, size_t pos)
{
    unsigned seen = 0;

    while (pos < len) {
        size_t start = pos, tl, vl;
        const char *t, *v;
        int r;

        if (!parse_field(data, len, &pos, &t, &tl, &v, &vl))
            return MBOXLIST_CORRUPT;
        if (tl == 1 && strchr("tpsauvc", t[0])) {
            r = apply_field(e, t[0], v, vl, &seen);
            if (r != MBOXLIST_OK)
                return r;
        } else {
            buf_appendmap(&e->extra, data + start, pos - start);
        }
    }
    if (!(seen & (1u << ('t' - 'a'))))
        return MBOXLIST_CORRUPT;
    return validate(e) ? MBOXLIST_CORRUPT : MBOXLIST_OK;
}

int mboxlist_entry_decode(const char *name, const char *data, size_t len,
                          struct mboxlist_entry **e_r)
{
    struct mboxlist_entry *e;
    size_t pos = 2;
    uint64_t version;
    int r;

    *e_r = NULL;
    if (len < 3 || data[0] != '%' || data[1] != 'M')
        return MBOXLIST_CORRUPT;
    while (pos < len && data[pos] >= '0' && data[pos] <= '9')
        pos++;
    if (str_parse_u64(data + 2, pos - 2, UINT32_MAX, &version) < 0 ||
        version == 0)
        return MBOXLIST_CORRUPT;
    if (version > MBOXLIST_VERSION)
        return MBOXLIST_BADVERSION;
    e = mboxlist_entry_new();
    e->name = xstrdup(name);
    r = decode_fields(e, data, len, pos);
    if (r != MBOXLIST_OK) {
        mboxlist_entry_free(&e);
        return r;
    }
    *e_r = e;
    return MBOXLIST_OK;
}

int mboxlist_entry_rawfield(const char *data, size_t len, char tag,
                            const char **val_r, size_t *vallen_r)
{
    size_t pos = 2;

    if (len < 3 || data[0] != '%' || data[1] != 'M')
        return -1;
    while (pos < len && data[pos] >= '0' && data[pos] <= '9')
        pos++;
    while (pos < len) {
        const char *t, *v;
        size_t tl, vl;

        if (!parse_field(data, len, &pos, &t, &tl, &v, &vl))
            return -1;
        if (tl == 1 && t[0] == tag) {
            *val_r = v;
            *vallen_r = vl;
            return 1;
        }
    }
    return 0;
}

void mboxlist_entry_location(const struct mboxlist_entry *e,
                             struct buf *out)
{
    buf_reset(out);
    if ((e->type & MBTYPE_REMOTE) && e->server)
        buf_printf(out, "%s!", e->server);
    buf_appendcstr(out, e->partition);
}
