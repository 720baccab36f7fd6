/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * list_opts.c - parsing the arguments of LIST (RFC 3501 6.3.8, LIST-
 * EXTENDED RFC 5258, LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154) and of
 * STATUS item lists.  Pure functions over parsed IMAP arguments, unit
 * tested in cunit/list_opts.c; cmd-list.c and cmd-status.c run them.
 * Errors are static strings for a BAD reply.
 */
#include "config.h"

#include <string.h>

#include "imap/mboxcmds.h"
#include "lib/imap_parser.h"
#include "lib/str.h"

/* one name -> bit table */
struct opt_name {
    const char *name;
    unsigned bit;
};

static const struct opt_name status_names[] = {
    { "MESSAGES", STATUS_MESSAGES },   { "RECENT", STATUS_RECENT },
    { "UIDNEXT", STATUS_UIDNEXT },     { "UIDVALIDITY", STATUS_UIDVALIDITY },
    { "UNSEEN", STATUS_UNSEEN },       { "SIZE", STATUS_SIZE },
    { "HIGHESTMODSEQ", STATUS_HIGHESTMODSEQ }, { "DELETED", STATUS_DELETED },
};
static const struct opt_name sel_names[] = {
    { "SUBSCRIBED", LIST_SEL_SUBSCRIBED }, { "REMOTE", LIST_SEL_REMOTE },
    { "RECURSIVEMATCH", LIST_SEL_RECURSIVEMATCH },
    { "SPECIAL-USE", LIST_SEL_SPECIALUSE },
};
static const struct opt_name ret_names[] = {
    { "SUBSCRIBED", LIST_RET_SUBSCRIBED }, { "CHILDREN", LIST_RET_CHILDREN },
    { "SPECIAL-USE", LIST_RET_SPECIALUSE }, { "STATUS", LIST_RET_STATUS },
};

/* lookup - the bit of atom arg in t[n], 0 when unknown */
static unsigned lookup(const struct opt_name *t, size_t n,
                       const struct imap_arg *arg)
{
    const char *s;

    if (arg->type != IMAP_ARG_ATOM || !imap_arg_get_atom(arg, &s))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (str_casecmp(t[i].name, s) == 0)
            return t[i].bit;
    }
    return 0;
}

int status_items_parse(const struct imap_arg *list, size_t n,
                       unsigned *items_r, const char **error_r)
{
    *items_r = 0;
    if (!n) {
        *error_r = "Missing STATUS items";
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned b = lookup(status_names,
                            sizeof(status_names) / sizeof(status_names[0]), &list[i]);
        if (!b) {
            *error_r = "Invalid STATUS item";
            return -1;
        }
        *items_r |= b;
    }
    return 0;
}

/* parse_selection - "(SUBSCRIBED RECURSIVEMATCH ...)" */
static int parse_selection(const struct imap_arg *arg, struct list_opts *o,
                           const char **error_r)
{
    const struct imap_arg *l;
    size_t n;

    imap_arg_get_list(arg, &l, &n);
    for (size_t i = 0; i < n; i++) {
        unsigned b = lookup(sel_names, sizeof(sel_names) / sizeof(sel_names[0]),
                            &l[i]);
        if (!b) {
            *error_r = "Invalid LIST selection option";
            return -1;
        }
        o->sel |= b;
    }
    if ((o->sel & LIST_SEL_RECURSIVEMATCH) &&
        !(o->sel & (LIST_SEL_SUBSCRIBED | LIST_SEL_SPECIALUSE))) {
        *error_r = "RECURSIVEMATCH needs another selection option";
        return -1;
    }
    return 0;
}

/* parse_return - "RETURN (CHILDREN STATUS (MESSAGES) ...)" */
static int parse_return(const struct imap_arg *args, size_t argc,
                        struct list_opts *o, const char **error_r)
{
    const struct imap_arg *l;
    size_t n;

    if (argc != 2 || !imap_arg_atom_equals(&args[0], "RETURN") ||
        !imap_arg_get_list(&args[1], &l, &n)) {
        *error_r = "Invalid LIST return options";
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned b = lookup(ret_names, sizeof(ret_names) / sizeof(ret_names[0]),
                            &l[i]);
        const struct imap_arg *sl;
        size_t sn;

        if (!b) {
            *error_r = "Invalid LIST return option";
            return -1;
        }
        o->ret |= b;
        if (b != LIST_RET_STATUS)
            continue;
        if (i + 1 >= n || !imap_arg_get_list(&l[i + 1], &sl, &sn) ||
            status_items_parse(sl, sn, &o->status, error_r) < 0) {
            *error_r = "Invalid STATUS return option";
            return -1;
        }
        i++;
    }
    return 0;
}

/* parse_patterns - one pattern or a list of them */
static int parse_patterns(const struct imap_arg *arg, struct list_opts *o,
                          const char **error_r)
{
    const struct imap_arg *l = arg;
    size_t n = 1;

    if (arg->type == IMAP_ARG_LIST) {
        imap_arg_get_list(arg, &l, &n);
        o->extended = true;
    }
    if (!n || n > LIST_MAX_PATTERNS) {
        *error_r = "Invalid number of LIST patterns";
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!imap_arg_get_astring(&l[i], &o->patterns[i])) {
            *error_r = "Invalid LIST pattern";
            return -1;
        }
    }
    o->npatterns = n;
    return 0;
}

int list_opts_parse(const struct imap_arg *args, size_t argc,
                    struct list_opts *o, const char **error_r)
{
    size_t i = 0;

    memset(o, 0, sizeof(*o));
    if (argc && args[0].type == IMAP_ARG_LIST) {
        o->extended = true;
        if (parse_selection(&args[0], o, error_r) < 0)
            return -1;
        i = 1;
    }
    if (argc < i + 2 || !imap_arg_get_astring(&args[i], &o->reference)) {
        *error_r = "Missing LIST reference or pattern";
        return -1;
    }
    if (parse_patterns(&args[i + 1], o, error_r) < 0)
        return -1;
    if (argc > i + 2) {
        o->extended = true;
        if (parse_return(&args[i + 2], argc - i - 2, o, error_r) < 0)
            return -1;
    }
    if (o->sel & LIST_SEL_SUBSCRIBED)
        o->ret |= LIST_RET_SUBSCRIBED;
    if (o->sel & LIST_SEL_SPECIALUSE)
        o->ret |= LIST_RET_SPECIALUSE;
    return 0;
}
