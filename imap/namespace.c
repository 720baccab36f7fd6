/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * namespace.c - build a struct namespace from values or imapd.conf, and
 * render the RFC 2342 NAMESPACE response.
 *
 * Called once per session by imapd/proxyd (after login) and by lmtpd,
 * mupdate and tools; no global state.  Bad settings are reported as -1
 * plus a static message; the caller decides whether that is fatal.
 */
#include "config.h"

#include <assert.h>
#include <string.h>

#include "imap/mboxname.h"
#include "imap/mutf7.h"
#include "imap/namespace.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/str.h"

/* prefix_check - is p usable as an altnamespace prefix with separator sep */
static const char *prefix_check(const char *p, char sep)
{
    size_t len = strlen(p);

    if (!len)
        return "namespace prefix is empty";
    if (len > NAMESPACE_PREFIX_MAX)
        return "namespace prefix is too long";
    if (strchr(p, sep) || strpbrk(p, "\"\\%*"))
        return "namespace prefix contains the separator or one of \" \\ % *";
    if (!str_casecmp(p, "INBOX"))
        return "namespace prefix may not be INBOX";
    if (mutf7_validate(p, len, NULL) < 0)
        return "namespace prefix is not valid modified UTF-7";
    return NULL;
}

int namespace_init(struct namespace *ns, int isalt, int unixsep,
                   int virtdomains, int isadmin, const char *userprefix,
                   const char *sharedprefix, const char *defaultdomain,
                   const char **error_r)
{
    const char *err = NULL;

    memset(ns, 0, sizeof(*ns));
    ns->sep = unixsep ? '/' : '.';
    ns->isadmin = !!isadmin;
    ns->isalt = isalt && !isadmin;
    ns->virtdomains = !!virtdomains;
    if (!userprefix)
        userprefix = NAMESPACE_USERPREFIX_DEFAULT;
    if (!sharedprefix)
        sharedprefix = NAMESPACE_SHAREDPREFIX_DEFAULT;

    if ((err = prefix_check(userprefix, ns->sep)) == NULL &&
        (err = prefix_check(sharedprefix, ns->sep)) == NULL &&
        !strcmp(userprefix, sharedprefix))
        err = "userprefix and sharedprefix are the same";
    if (!err && defaultdomain && *defaultdomain &&
        !mboxname_domain_valid(defaultdomain))
        err = "defaultdomain is not a valid domain name";
    if (err) {
        if (error_r)
            *error_r = err;
        return -1;
    }
    str_lcpy(ns->userprefix, userprefix, sizeof(ns->userprefix));
    str_lcpy(ns->sharedprefix, sharedprefix, sizeof(ns->sharedprefix));
    if (defaultdomain) {
        str_lcpy(ns->defaultdomain, defaultdomain, sizeof(ns->defaultdomain));
        str_lcase(ns->defaultdomain);
    }
    return 1;
}

int namespace_init_from_cfg(struct namespace *ns, int isadmin,
                            const char **error_r)
{
    return namespace_init(ns, cfg_get_switch(IMAPOPT_ALTNAMESPACE),
                          cfg_get_switch(IMAPOPT_UNIXHIERARCHYSEP),
                          cfg_get_enum(IMAPOPT_VIRTDOMAINS) !=
                              IMAP_ENUM_VIRTDOMAINS_OFF,
                          isadmin, cfg_get_string(IMAPOPT_USERPREFIX),
                          cfg_get_string(IMAPOPT_SHAREDPREFIX),
                          cfg_get_string(IMAPOPT_DEFAULTDOMAIN), error_r);
}

const char *namespace_prefix(const struct namespace *ns,
                             enum namespace_kind kind, struct buf *out)
{
    buf_reset(out);
    switch (kind) {
    case NAMESPACE_PERSONAL:
        if (!ns->isalt)
            buf_printf(out, "INBOX%c", ns->sep);
        break;
    case NAMESPACE_OTHER:
        buf_printf(out, "%s%c", ns->isalt ? ns->userprefix : "user", ns->sep);
        break;
    case NAMESPACE_SHARED:
        if (ns->isalt)
            buf_printf(out, "%s%c", ns->sharedprefix, ns->sep);
        break;
    }
    return buf_cstring(out);
}

/* append_quoted - append s as an IMAP quoted string; namespace_init
 * refuses prefixes with '"' or '\\', so no escaping is ever needed */
static void append_quoted(struct buf *out, const char *s)
{
    assert(!strpbrk(s, "\"\\"));
    buf_printf(out, "\"%s\"", s);
}

/* append_list - one namespace list: (("prefix" "sep")) */
static void append_list(const struct namespace *ns, enum namespace_kind kind,
                        struct buf *out)
{
    struct buf prefix = BUF_INIT;
    char sep[2] = { ns->sep, '\0' };

    buf_appendcstr(out, "((");
    append_quoted(out, namespace_prefix(ns, kind, &prefix));
    buf_putc(out, ' ');
    append_quoted(out, sep);
    buf_appendcstr(out, "))");
    buf_free(&prefix);
}

void namespace_response(const struct namespace *ns, int with_other,
                        int with_shared, struct buf *out)
{
    append_list(ns, NAMESPACE_PERSONAL, out);
    buf_putc(out, ' ');
    if (with_other)
        append_list(ns, NAMESPACE_OTHER, out);
    else
        buf_appendcstr(out, "NIL");
    buf_putc(out, ' ');
    if (with_shared)
        append_list(ns, NAMESPACE_SHARED, out);
    else
        buf_appendcstr(out, "NIL");
}
