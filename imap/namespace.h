/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * namespace.h - the settings that decide how mailbox names look to a
 * client, and the RFC 2342 NAMESPACE response built from them.
 *
 * A struct namespace is filled once per session (after login, when we know
 * whether the user is an admin) and then passed to the name conversions in
 * imap/mboxname.h.  It is a plain value: no global state, so proxyd,
 * imapd, lmtpd and mupdate can each hold one, and unit tests build one
 * from explicit values without any configuration loaded.
 *
 * Settings (Cyrus imapd.conf names):
 *   altnamespace      personal folders beside INBOX; others' folders under
 *                     userprefix, shared ones under sharedprefix
 *   unixhierarchysep  '/' is the external separator (and '.' is allowed in
 *                     names, stored as '^'); otherwise '.'
 *   virtdomains       off | userid | on: user@domain userids own mailboxes
 *                     stored as "domain!user.local"; the two "on" values
 *                     differ only in how login derives the domain
 *   defaultdomain     users of this domain are stored without a domain
 *   userprefix, sharedprefix  the altnamespace prefixes (default "Other
 *                     Users", "Shared Folders")
 * As in Cyrus, admins always get the standard (non-alt) namespace.
 */
#ifndef IMAP_NAMESPACE_H
#define IMAP_NAMESPACE_H

struct buf;

#define NAMESPACE_USERPREFIX_DEFAULT   "Other Users"
#define NAMESPACE_SHAREDPREFIX_DEFAULT "Shared Folders"
/* Longest userprefix / sharedprefix accepted (bytes, without separator). */
#define NAMESPACE_PREFIX_MAX 64
/* Longest defaultdomain accepted. */
#define NAMESPACE_DOMAIN_MAX 255

struct namespace {
    char sep;          /* external hierarchy separator: '.' or '/' */
    int isalt;         /* altnamespace in effect (never for admins) */
    int virtdomains;   /* 0 off, 1 on (userid or on) */
    int isadmin;
    char userprefix[NAMESPACE_PREFIX_MAX + 1];
    char sharedprefix[NAMESPACE_PREFIX_MAX + 1];
    char defaultdomain[NAMESPACE_DOMAIN_MAX + 1]; /* "" when unset */
};

/* namespace_init - fill ns from explicit values.  userprefix,
 * sharedprefix and defaultdomain may be NULL for the defaults (Cyrus's
 * prefixes, no default domain).  isalt is ignored when isadmin.
 * Returns 1, or -1 with a static message in *error_r when a prefix is
 * empty, too long, not canonical modified UTF-7, contains the separator,
 * '"', '\\', '%', '*' or is "INBOX", or the domain is malformed. */
int namespace_init(struct namespace *ns, int isalt, int unixsep,
                   int virtdomains, int isadmin, const char *userprefix,
                   const char *sharedprefix, const char *defaultdomain,
                   const char **error_r);

/* namespace_init_from_cfg - namespace_init from the loaded imapd.conf
 * (altnamespace, unixhierarchysep, virtdomains, defaultdomain,
 * userprefix, sharedprefix).  1, or -1 with *error_r as above; callers
 * treat -1 as a configuration error (fatal(EX_CONFIG, ...)). */
int namespace_init_from_cfg(struct namespace *ns, int isadmin,
                            const char **error_r);

enum namespace_kind {
    NAMESPACE_PERSONAL,
    NAMESPACE_OTHER,
    NAMESPACE_SHARED,
};

/* namespace_prefix - the RFC 2342 prefix of one namespace, separator
 * included ("INBOX.", "user.", "", "Other Users/", ...).  Written into
 * out (reset first); returns buf_cstring(out). */
const char *namespace_prefix(const struct namespace *ns,
                             enum namespace_kind kind, struct buf *out);

/* namespace_response - the three RFC 2342 namespace lists as they follow
 * "* NAMESPACE " (no CRLF), e.g. for altnamespace with '/':
 *   (("" "/")) (("Other Users/" "/")) (("Shared Folders/" "/"))
 * with_other / with_shared 0 gives NIL for that list (a server may hide
 * namespaces the user cannot see).  Appended to out. */
void namespace_response(const struct namespace *ns, int with_other,
                        int with_shared, struct buf *out);

#endif /* IMAP_NAMESPACE_H */
