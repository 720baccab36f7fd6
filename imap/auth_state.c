/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth_state.c - the identity an ACL is evaluated for: userid, admin flag,
 * anonymous flag and group memberships, and identifier canonicalisation.
 *
 * Called by imapd, proxyd, pop3d, lmtpd (after authentication) and by the
 * ACL evaluator (imap/acl.c) for every entry it examines, so matching is
 * allocation-free.  Single-threaded.  Invalid input is reported by return
 * value (NULL or -1 and a static message), never logged here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/auth_state.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

struct auth_state {
    char *userid;            /* "anonymous" for an anonymous state */
    int is_admin;
    int is_anonymous;
    struct strarray groups;  /* each "group:NAME" */
};

#define GROUP_PREFIX_LEN (sizeof(AUTH_GROUP_PREFIX) - 1)

/* eq_caseword - id[0..len) equals the reserved word w, ASCII case-blind */
static int eq_caseword(const char *id, size_t len, const char *w)
{
    return strlen(w) == len && str_ncasecmp(id, w, len) == 0;
}

/* has_group_prefix - id[0..len) starts with "group:", any case */
static int has_group_prefix(const char *id, size_t len)
{
    return len >= GROUP_PREFIX_LEN &&
           str_ncasecmp(id, AUTH_GROUP_PREFIX, GROUP_PREFIX_LEN) == 0;
}

int auth_identifier_valid(const char *id, size_t len, const char **error_r)
{
    if (len == 0) {
        *error_r = "empty identifier";
        return -1;
    }
    if (len > AUTH_IDENTIFIER_MAX) {
        *error_r = "identifier too long";
        return -1;
    }
    if (id[0] == '-') {
        *error_r = "identifier starts with a second '-'";
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c < 0x20 || c == 0x7f) {
            *error_r = "control character in identifier";
            return -1;
        }
    }
    if (has_group_prefix(id, len) && len == GROUP_PREFIX_LEN) {
        *error_r = "empty group name";
        return -1;
    }
    return 1;
}

struct auth_state *auth_state_new(const char *userid, int is_admin)
{
    struct auth_state *st;
    const char *error;
    size_t len;

    if (userid == NULL ||
        eq_caseword(userid, strlen(userid), AUTH_ID_ANONYMOUS)) {
        st = xzmalloc(sizeof(*st));
        st->userid = xstrdup(AUTH_ID_ANONYMOUS);
        st->is_anonymous = 1;
        return st;
    }
    len = strlen(userid);
    if (auth_identifier_valid(userid, len, &error) < 0 ||
        eq_caseword(userid, len, AUTH_ID_ANYONE) ||
        has_group_prefix(userid, len))
        return NULL;
    st = xzmalloc(sizeof(*st));
    st->userid = xstrdup(userid);
    st->is_admin = is_admin ? 1 : 0;
    return st;
}

void auth_state_free(struct auth_state **statep)
{
    struct auth_state *st = *statep;

    if (st == NULL)
        return;
    free(st->userid);
    strarray_fini(&st->groups);
    free(st);
    *statep = NULL;
}

int auth_state_add_group(struct auth_state *state, const char *group)
{
    struct buf b = BUF_INIT;
    const char *error;
    size_t len = strlen(group);

    if (has_group_prefix(group, len)) {
        group += GROUP_PREFIX_LEN;
        len -= GROUP_PREFIX_LEN;
    }
    if (len == 0 || len + GROUP_PREFIX_LEN > AUTH_IDENTIFIER_MAX ||
        auth_identifier_valid(group, len, &error) < 0)
        return -1;
    buf_appendcstr(&b, AUTH_GROUP_PREFIX);
    buf_appendmap(&b, group, len);
    if (strarray_find(&state->groups, buf_cstring(&b), 0) >= 0)
        buf_free(&b);
    else
        strarray_appendm(&state->groups, buf_release(&b));
    return 1;
}

const char *auth_state_userid(const struct auth_state *state)
{
    return state->userid;
}

int auth_state_is_admin(const struct auth_state *state)
{
    return state->is_admin;
}

int auth_state_is_anonymous(const struct auth_state *state)
{
    return state->is_anonymous;
}

size_t auth_state_ngroups(const struct auth_state *state)
{
    return state->groups.count;
}

const char *auth_state_group(const struct auth_state *state, size_t idx)
{
    return strarray_nth(&state->groups, idx);
}

int auth_state_matchesn(const struct auth_state *state,
                        const char *id, size_t len)
{
    if (len == 0 || id[0] == '-')
        return 0;
    if (eq_caseword(id, len, AUTH_ID_ANYONE))
        return 1;
    if (eq_caseword(id, len, AUTH_ID_ANONYMOUS))
        return state->is_anonymous;
    if (has_group_prefix(id, len)) {
        /* The prefix is case-blind, the name is not. */
        for (size_t i = 0; i < state->groups.count; i++) {
            const char *g = state->groups.data[i];
            if (strlen(g) == len &&
                memcmp(g + GROUP_PREFIX_LEN, id + GROUP_PREFIX_LEN,
                       len - GROUP_PREFIX_LEN) == 0)
                return 1;
        }
        return 0;
    }
    /* A userid, byte for byte.  The anonymous state's "anonymous" was
     * dealt with above, so it matches no other identifier. */
    return strlen(state->userid) == len &&
           memcmp(state->userid, id, len) == 0;
}

int auth_state_matches(const struct auth_state *state, const char *id)
{
    return auth_state_matchesn(state, id, strlen(id));
}

int auth_canonify_identifier(const char *id, int fold_case,
                             char **canon_r, const char **error_r)
{
    struct buf b = BUF_INIT;
    size_t len;

    len = strlen(id);
    if (auth_identifier_valid(id + (id[0] == '-'), len - (id[0] == '-'),
                              error_r) < 0)
        return -1;
    if (id[0] == '-') {
        buf_putc(&b, '-');
        id++;
        len--;
    }
    if (eq_caseword(id, len, AUTH_ID_ANYONE)) {
        buf_appendcstr(&b, AUTH_ID_ANYONE);
    } else if (eq_caseword(id, len, AUTH_ID_ANONYMOUS)) {
        buf_appendcstr(&b, AUTH_ID_ANONYMOUS);
    } else if (has_group_prefix(id, len)) {
        buf_appendcstr(&b, AUTH_GROUP_PREFIX);
        buf_appendcstr(&b, id + GROUP_PREFIX_LEN);
    } else {
        size_t start = b.len;
        buf_appendcstr(&b, id);
        if (fold_case) {
            buf_cstring(&b); /* NUL-terminate for str_lcase */
            str_lcase(b.s + start);
        }
    }
    *canon_r = buf_release(&b);
    return 1;
}
