/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl.c - RFC 4314 rights (parse, format, LISTRIGHTS, RIGHTS=) and mailbox
 * ACL strings (parse, SETACL/DELETEACL edits, GETACL iteration, canonical
 * output, evaluation against an auth_state).
 *
 * Used by imapd for every access check, by proxyd to filter LIST from its
 * copy of the mailbox list, by mupdate (ACLs travel with the list) and by
 * lmtpd (the 'p' right).  Pure computation, single-threaded.  Errors are
 * returned as -1 plus a message (static or in this module's buffer, valid
 * until the next call); only acl_myrights* log, because they fail closed.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/acl.h"
#include "imap/auth_state.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* Bit n of a rights mask is the right acl_letters[n] (see acl.h). */
static const char acl_letters[] = "lrswipkxtean0123456789";
#define ACL_NLETTERS (sizeof(acl_letters) - 1)
#define ACL_IDX_E 9  /* virtual c and d are written after 'e' */

struct acl_entry {
    char *id;        /* with its '-' for a negative entry */
    unsigned rights; /* may be ACL_NONE only transiently in a parse */
};

struct acl {
    struct acl_entry *entries;
    size_t count;
    size_t alloc;
};

/* Room for an error naming a byte or quoting a nested message. */
static char acl_errbuf[160];

/* set_error - format a message into acl_errbuf and point *error_r at it */
static void set_error(const char **error_r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_error(const char **error_r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(acl_errbuf, sizeof(acl_errbuf), fmt, ap);
    va_end(ap);
    *error_r = acl_errbuf;
}

/* --- rights ------------------------------------------------------------ */

/* right_bits - the bits each rights byte stands for, 0 when it is none:
 * one table lookup per byte (rights are parsed for every entry of every
 * ACL evaluated, so this is on LIST's hot path) */
static const unsigned right_bits[256] = {
    ['l'] = ACL_LOOKUP,     ['r'] = ACL_READ,       ['s'] = ACL_SEEN,
    ['w'] = ACL_WRITE,      ['i'] = ACL_INSERT,     ['p'] = ACL_POST,
    ['k'] = ACL_CREATE,     ['x'] = ACL_DELETEMBOX, ['t'] = ACL_DELETEMSG,
    ['e'] = ACL_EXPUNGE,    ['a'] = ACL_ADMIN,      ['n'] = ACL_ANNOTATE,
    ['c'] = ACL_VIRT_C,     ['d'] = ACL_VIRT_D,
    ['0'] = ACL_USER(0),    ['1'] = ACL_USER(1),    ['2'] = ACL_USER(2),
    ['3'] = ACL_USER(3),    ['4'] = ACL_USER(4),    ['5'] = ACL_USER(5),
    ['6'] = ACL_USER(6),    ['7'] = ACL_USER(7),    ['8'] = ACL_USER(8),
    ['9'] = ACL_USER(9),
};

unsigned acl_right_mask(unsigned char c)
{
    return right_bits[c];
}

int acl_rights_parse(const char *s, size_t len, unsigned *mask_r,
                     const char **error_r)
{
    unsigned mask = ACL_NONE;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned m = right_bits[c];

        if (m != 0) {
            mask |= m;
        } else if (c >= 'A' && c <= 'Z') {
            set_error(error_r, "uppercase right '%c' is not allowed", c);
            return -1;
        } else if (c > 0x20 && c < 0x7f) {
            set_error(error_r, "unsupported right '%c'", c);
            return -1;
        } else {
            set_error(error_r, "invalid byte 0x%02x in rights", c);
            return -1;
        }
    }
    *mask_r = mask;
    return 1;
}

int acl_rights_parse_mod(const char *s, unsigned *mask_r,
                         enum acl_mode *mode_r, const char **error_r)
{
    enum acl_mode mode = ACL_MODE_REPLACE;

    if (*s == '+') {
        mode = ACL_MODE_ADD;
        s++;
    } else if (*s == '-') {
        mode = ACL_MODE_REMOVE;
        s++;
    }
    if (acl_rights_parse(s, strlen(s), mask_r, error_r) < 0)
        return -1;
    *mode_r = mode;
    return 1;
}

unsigned acl_rights_apply(unsigned old, enum acl_mode mode, unsigned mask)
{
    switch (mode) {
    case ACL_MODE_ADD:
        return (old | mask) & ACL_ALL;
    case ACL_MODE_REMOVE:
        return old & ~mask & ACL_ALL;
    case ACL_MODE_REPLACE:
        break;
    }
    return mask & ACL_ALL;
}

char *acl_rights_str(unsigned mask, int flags, char dst[ACL_RIGHTS_MAX])
{
    size_t n = 0;

    for (size_t i = 0; i < ACL_NLETTERS; i++) {
        if (mask & (1u << i))
            dst[n++] = acl_letters[i];
        if (i == ACL_IDX_E && (flags & ACL_FMT_VIRTUAL)) {
            if (mask & ACL_VIRT_C)
                dst[n++] = 'c';
            if (mask & ACL_VIRT_D)
                dst[n++] = 'd';
        }
    }
    dst[n] = '\0';
    return dst;
}

void acl_rights_format(unsigned mask, int flags, struct buf *out)
{
    char tmp[ACL_RIGHTS_MAX];

    buf_appendcstr(out, acl_rights_str(mask, flags, tmp));
}

const char *acl_capability(void)
{
    /* RFC 4314 section 2.2: never the RFC 2086 letters or digits. */
    return "RIGHTS=texk";
}

void acl_listrights(unsigned required, struct buf *out)
{
    required &= ACL_ALL;
    if (required == ACL_NONE)
        buf_appendcstr(out, "\"\"");
    else
        acl_rights_format(required, ACL_FMT_VIRTUAL, out);

    for (size_t i = 0; i < ACL_NLETTERS; i++) {
        if (!(required & (1u << i))) {
            buf_putc(out, ' ');
            buf_putc(out, acl_letters[i]);
        }
        /* A virtual right whose members are all optional and untied may
         * be granted by itself (RFC 4314 section 2.1.1). */
        if (i == ACL_IDX_E) {
            if (!(required & ACL_VIRT_C))
                buf_appendcstr(out, " c");
            if (!(required & ACL_VIRT_D))
                buf_appendcstr(out, " d");
        }
    }
}

/* --- scanning the stored form ------------------------------------------ */

/* check_identifier - an ACL identifier, optionally '-'-prefixed */
static int check_identifier(const char *id, size_t len, const char **error_r)
{
    const char *why;

    if (len > 0 && id[0] == '-') {
        id++;
        len--;
    }
    if (auth_identifier_valid(id, len, &why) < 0) {
        set_error(error_r, "invalid ACL identifier: %s", why);
        return -1;
    }
    return 1;
}

/* acl_scan - walk s[0..len) as id TAB rights TAB pairs, checking each and
 * calling cb (if any) with the identifier as stored and its rights; a
 * non-0 return from cb stops the walk early. */
static int acl_scan(const char *s, size_t len,
                    int (*cb)(const char *id, size_t idlen, unsigned rights,
                              void *rock),
                    void *rock, const char **error_r)
{
    size_t pos = 0;

    while (pos < len) {
        const char *id = s + pos, *tab, *rights;
        size_t idlen, rlen;
        unsigned mask;
        const char *why;

        tab = memchr(id, '\t', len - pos);
        if (tab == NULL) {
            *error_r = "ACL identifier is not TAB-terminated";
            return -1;
        }
        idlen = (size_t)(tab - id);
        pos += idlen + 1;
        if (check_identifier(id, idlen, error_r) < 0)
            return -1;
        if (pos == len) {
            *error_r = "ACL identifier without rights (odd field count)";
            return -1;
        }
        rights = s + pos;
        tab = memchr(rights, '\t', len - pos);
        if (tab == NULL) {
            *error_r = "ACL rights are not TAB-terminated";
            return -1;
        }
        rlen = (size_t)(tab - rights);
        pos += rlen + 1;
        if (acl_rights_parse(rights, rlen, &mask, &why) < 0) {
            /* why may live in acl_errbuf: copy before reformatting */
            char tmp[sizeof(acl_errbuf)];
            snprintf(tmp, sizeof(tmp), "%s", why);
            set_error(error_r, "%s for identifier %.*s", tmp,
                      idlen > 64 ? 64 : (int)idlen, id);
            return -1;
        }
        if (cb != NULL && cb(id, idlen, mask, rock) != 0)
            break;
    }
    return 1;
}

/* --- the ACL object ---------------------------------------------------- */

struct acl *acl_new(void)
{
    return xzmalloc(sizeof(struct acl));
}

void acl_free(struct acl **aclp)
{
    struct acl *acl = *aclp;

    if (acl == NULL)
        return;
    for (size_t i = 0; i < acl->count; i++)
        free(acl->entries[i].id);
    free(acl->entries);
    free(acl);
    *aclp = NULL;
}

/* find_entry - index of the entry for id[0..len), or -1 */
static long find_entry(const struct acl *acl, const char *id, size_t len)
{
    for (size_t i = 0; i < acl->count; i++) {
        const char *e = acl->entries[i].id;
        if (e[0] == id[0] && strncmp(e, id, len) == 0 && e[len] == '\0')
            return (long)i;
    }
    return -1;
}

/* add_entry - append id[0..len) with rights */
static void add_entry(struct acl *acl, const char *id, size_t len,
                      unsigned rights)
{
    if (acl->count == acl->alloc) {
        acl->alloc = acl->alloc ? acl->alloc * 2 : 8;
        acl->entries = xreallocarray(acl->entries, acl->alloc,
                                     sizeof(*acl->entries));
    }
    acl->entries[acl->count].id = xstrndup(id, len);
    acl->entries[acl->count].rights = rights;
    acl->count++;
}

/* remove_entry - drop entry idx, keeping the order of the rest */
static void remove_entry(struct acl *acl, size_t idx)
{
    free(acl->entries[idx].id);
    memmove(acl->entries + idx, acl->entries + idx + 1,
            (acl->count - idx - 1) * sizeof(*acl->entries));
    acl->count--;
}

/* parse_cb - acl_scan callback: merge one entry into the ACL */
static int parse_cb(const char *id, size_t idlen, unsigned rights, void *rock)
{
    struct acl *acl = rock;
    long idx = find_entry(acl, id, idlen);

    if (idx >= 0)
        acl->entries[idx].rights |= rights;
    else
        add_entry(acl, id, idlen, rights);
    return 0;
}

int acl_parse(const char *s, size_t len, struct acl **acl_r,
              const char **error_r)
{
    struct acl *acl = acl_new();

    if (acl_scan(s, len, parse_cb, acl, error_r) < 0) {
        acl_free(&acl);
        return -1;
    }
    *acl_r = acl;
    return 1;
}

int acl_validate(const char *s, size_t len, const char **error_r)
{
    return acl_scan(s, len, NULL, NULL, error_r);
}

void acl_format(const struct acl *acl, struct buf *out)
{
    for (size_t i = 0; i < acl->count; i++) {
        if (acl->entries[i].rights == ACL_NONE)
            continue;
        buf_appendcstr(out, acl->entries[i].id);
        buf_putc(out, '\t');
        acl_rights_format(acl->entries[i].rights, 0, out);
        buf_putc(out, '\t');
    }
}

size_t acl_count(const struct acl *acl)
{
    return acl->count;
}

int acl_get(const struct acl *acl, const char *id, unsigned *rights_r)
{
    long idx = find_entry(acl, id, strlen(id));

    if (idx < 0)
        return 0;
    *rights_r = acl->entries[idx].rights;
    return 1;
}

int acl_set_mask(struct acl *acl, const char *id, enum acl_mode mode,
                 unsigned mask, const char **error_r)
{
    size_t len = strlen(id);
    long idx;
    unsigned rights;

    if (check_identifier(id, len, error_r) < 0)
        return -1;
    idx = find_entry(acl, id, len);
    rights = acl_rights_apply(idx >= 0 ? acl->entries[idx].rights : ACL_NONE,
                              mode, mask);
    if (rights == ACL_NONE) {
        if (idx >= 0)
            remove_entry(acl, (size_t)idx);
    } else if (idx >= 0) {
        acl->entries[idx].rights = rights;
    } else {
        add_entry(acl, id, len, rights);
    }
    return 1;
}

int acl_set(struct acl *acl, const char *id, const char *mod,
            const char **error_r)
{
    enum acl_mode mode;
    unsigned mask;

    if (acl_rights_parse_mod(mod, &mask, &mode, error_r) < 0)
        return -1;
    return acl_set_mask(acl, id, mode, mask, error_r);
}

int acl_delete(struct acl *acl, const char *id)
{
    long idx = find_entry(acl, id, strlen(id));

    if (idx < 0)
        return 0;
    remove_entry(acl, (size_t)idx);
    return 1;
}

int acl_foreach(const struct acl *acl,
                int (*cb)(const char *id, unsigned rights, void *rock),
                void *rock)
{
    for (size_t i = 0; i < acl->count; i++) {
        int r;
        if (acl->entries[i].rights == ACL_NONE)
            continue;
        r = cb(acl->entries[i].id, acl->entries[i].rights, rock);
        if (r != 0)
            return r;
    }
    return 0;
}

/* --- evaluation -------------------------------------------------------- */

struct eval_rock {
    const struct auth_state *state;
    unsigned pos;
    unsigned neg;
};

/* eval_cb - acl_scan callback: accumulate positive and negative rights */
static int eval_cb(const char *id, size_t idlen, unsigned rights, void *rock)
{
    struct eval_rock *er = rock;

    if (id[0] == '-') {
        if (auth_state_matchesn(er->state, id + 1, idlen - 1))
            er->neg |= rights;
    } else if (auth_state_matchesn(er->state, id, idlen)) {
        er->pos |= rights;
    }
    return 0;
}

int acl_evaluate(const struct auth_state *state, const char *s, size_t len,
                 unsigned *rights_r, const char **error_r)
{
    struct eval_rock er = { state, ACL_NONE, ACL_NONE };

    /* Fail closed: a malformed ACL grants nothing, not "what we saw
     * before the damage" (a lost negative entry must not widen access). */
    *rights_r = ACL_NONE;
    if (acl_scan(s, len, eval_cb, &er, error_r) < 0)
        return -1;
    *rights_r = er.pos & ~er.neg;
    return 1;
}

int acl_may_grant(const struct auth_state *state, const char *s, size_t len,
                  unsigned need)
{
    const char *end = s + len;
    unsigned pos = ACL_NONE;

    /* Only the positive entries that apply: negative ones can only take
     * rights away, and bytes that are no right count for nothing (a
     * malformed ACL grants nothing at all when evaluated). */
    while (s < end && (pos & need) != need) {
        const char *tab = memchr(s, '\t', (size_t)(end - s)), *rights;

        if (tab == NULL)
            break;
        rights = tab + 1;
        if (*s != '-' && auth_state_matchesn(state, s, (size_t)(tab - s)))
            for (const char *r = rights; r < end && *r != '\t'; r++)
                pos |= right_bits[(unsigned char)*r];
        tab = rights < end ? memchr(rights, '\t', (size_t)(end - rights))
                           : NULL;
        if (tab == NULL)
            break;
        s = tab + 1;
    }
    return (pos & need) == need;
}

unsigned acl_myrights(const struct auth_state *state, const char *acl)
{
    unsigned rights;
    const char *error;

    if (acl == NULL)
        acl = "";
    if (acl_evaluate(state, acl, strlen(acl), &rights, &error) < 0)
        log_error("invalid ACL ignored user=<%s> error=<%s>",
                  auth_state_userid(state), error);
    if (auth_state_is_admin(state))
        rights |= ACL_IMPLICIT_ADMIN;
    return rights;
}

unsigned acl_myrights_owner(const struct auth_state *state, const char *acl,
                            const char *implicit_owner_rights)
{
    unsigned rights = acl_myrights(state, acl), implicit;
    const char *error;

    if (implicit_owner_rights == NULL)
        implicit_owner_rights = ACL_DEFAULT_OWNER_RIGHTS;
    if (acl_rights_parse(implicit_owner_rights,
                         strlen(implicit_owner_rights), &implicit,
                         &error) < 0) {
        log_error("invalid implicit_owner_rights ignored error=<%s>", error);
        return rights;
    }
    return rights | implicit;
}
