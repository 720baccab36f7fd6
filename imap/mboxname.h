/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxname.h - mailbox names: internal (stored) form, external (client)
 * form, and the helpers every daemon needs.
 *
 * Internal names are what mailboxes.db, mupdate and the spool use, as in
 * Cyrus:
 *     [domain "!"] "user." local ["." box]...     a user's INBOX and below
 *     [domain "!"] box ["." box]...               a shared mailbox
 * '.' separates components; a '.' inside a component (a userid
 * "john.doe", or a folder "a.b" created under unixhierarchysep) is stored
 * as '^'.  The domain part exists only with virtdomains, is lower case,
 * and is absent for the default domain.  Components are canonical
 * modified UTF-7 (imap/mutf7.h).
 *
 * External names depend on the viewer and a struct namespace
 * (imap/namespace.h); see mboxname_to_external for the exact mapping.
 *
 * Policy (mboxname_policycheck), decided for this product:
 *   - at most MBOXNAME_MAX_LEN bytes (Cyrus's MAX_MAILBOX_NAME);
 *   - no empty component; "user" alone is not a mailbox; a shared
 *     mailbox may not start with a component equal to "INBOX" in any case
 *     (it could never be named by a client in the standard namespace);
 *   - bytes 0x20-0x7e only, except: '%' '*' (LIST wildcards), '"' '\\'
 *     (quoting), '/' (spool path safety: a component can never be a path
 *     element other than itself), '!' outside the domain separator;
 *     '~' IS allowed (it has no meaning in our spool, which never passes
 *     through a shell; old Cyrus forbade it for netnews reasons);
 *   - canonical modified UTF-7, decoding to no control characters
 *     (U+0000-U+001F, U+007F-U+009F).
 *
 * Functions returning int follow lib/ convention: 1 yes/ok, 0 no,
 * -1 error with a static message in *error_r (error_r may be NULL).
 * Returned char * are allocated (caller frees) unless stated otherwise.
 * No global state; safe in every daemon.
 */
#ifndef IMAP_MBOXNAME_H
#define IMAP_MBOXNAME_H

#include "imap/namespace.h"
#include "lib/strarray.h"

struct buf;

/* Longest internal name, domain included (Cyrus MAX_MAILBOX_NAME). */
#define MBOXNAME_MAX_LEN 490
/* Longest userid, domain included. */
#define MBOXNAME_USERID_MAX 255

/* An internal name taken apart.  userid is "local" or "local@domain"
 * with '^' turned back into '.'; boxes are the components below the
 * INBOX (user mailboxes) or all components (shared), still in the
 * internal encoding ('^' for '.'). */
struct mboxname_parts {
    char *domain;          /* NULL for the default domain */
    char *userid;          /* NULL for shared mailboxes */
    struct strarray boxes;
};

/* mboxname_parse - split internal name into parts (caller finis them with
 * mboxname_parts_fini, also after an error).  1, or -1 when the name is
 * not well formed (policy is not checked). */
int mboxname_parse(const char *internal, struct mboxname_parts *parts,
                   const char **error_r);
void mboxname_parts_fini(struct mboxname_parts *parts);

/* mboxname_to_internal - the internal name the viewer userid (NULL: not
 * logged in, or a tool) means by the external name.  On 1 *internal_r is
 * allocated (caller frees).  -1 when the name cannot exist: empty, empty
 * component, "INBOX" without a userid, a bare namespace root ("user",
 * "Other Users", "Shared Folders"), a '^' under unixhierarchysep or a '/'
 * under the '.' separator, a bad userid, a domain the viewer may not
 * reach, or anything mboxname_policycheck rejects.  "INBOX" is matched
 * case-insensitively; INBOX<sep>x is accepted in both namespaces.
 * Under virtdomains a viewer without a domain (global admin) names other
 * domains' mailboxes with a suffix: "user/bob/Sent@example.com". */
int mboxname_to_internal(const struct namespace *ns, const char *external,
                         const char *userid, char **internal_r,
                         const char **error_r);

/* mboxname_to_external - the name the viewer userid (may be NULL) sees for
 * internal; allocated, caller frees.  NULL when the viewer cannot name it
 * (a mailbox of another domain for a domain user; under virtdomains a
 * default-domain name containing '@' for a global viewer) or internal is
 * malformed.  Standard namespace: INBOX, INBOX.x, user.bob.x, shared.x;
 * altnamespace: INBOX, x, Other Users.bob.x, Shared Folders.shared.x,
 * except that a personal folder whose first component is "INBOX" (any
 * case) or a prefix is shown as INBOX.<folder> so it stays reachable. */
char *mboxname_to_external(const struct namespace *ns, const char *internal,
                           const char *userid);

/* mboxname_userid_valid - 1 when userid can own mailboxes under ns: 1 to
 * MBOXNAME_USERID_MAX bytes of 0x21-0x7e, none of '^' '/' '!' '%' '*'
 * '"' '\\' '&'; under virtdomains at most one '@', with a non-empty
 * local part and a valid domain after it.  Else -1 and *error_r. */
int mboxname_userid_valid(const struct namespace *ns, const char *userid,
                          const char **error_r);

/* mboxname_domain_valid - 1 when d is a DNS name: labels of letters,
 * digits, '-' (not at either end), 1-63 bytes each, 253 in all; else 0. */
int mboxname_domain_valid(const char *d);

/* mboxname_user_inbox - internal INBOX name of userid under ns
 * ("user.alice", "example.com!user.john^doe"); the defaultdomain is
 * dropped.  NULL when the userid is not valid. */
char *mboxname_user_inbox(const struct namespace *ns, const char *userid);

/* mboxname_is_user - 1 when internal is a user's INBOX or below it. */
int mboxname_is_user(const char *internal);
/* mboxname_is_inbox - 1 when internal is exactly a user's INBOX. */
int mboxname_is_inbox(const char *internal);
/* mboxname_to_userid - the owner ("local" or "local@domain") of a user
 * mailbox, NULL for a shared or malformed name.  Caller frees. */
char *mboxname_to_userid(const char *internal);
/* mboxname_is_owner - 1 when userid (canonicalised under ns, so
 * alice@defaultdomain == alice) owns internal, else 0. */
int mboxname_is_owner(const struct namespace *ns, const char *internal,
                      const char *userid);

/* mboxname_parent - the parent mailbox name, or NULL at the top (a
 * user's INBOX and top-level shared names have none).  Caller frees. */
char *mboxname_parent(const char *internal);
/* mboxname_is_child - 1 when internal lies strictly below parent (any
 * depth, same domain), else 0. */
int mboxname_is_child(const char *internal, const char *parent);
/* mboxname_split - append the components after the domain to out
 * ("user", "alice", "Sent"), in internal encoding. */
void mboxname_split(const char *internal, struct strarray *out);

/* mboxname_spool_path - the directory of internal relative to its
 * partition, written to out (reset first): "user/alice/Sent",
 * "domain/example.com/shared/x".  With hashed (Cyrus hashimapspool)
 * a one-letter directory comes first: "a/user/alice/Sent",
 * "domain/e/example.com/s/shared/x" - the first letter of the userid
 * (users) or of the first component (shared), lower-cased, 'q' when not
 * a letter.  '^' stays as is; policycheck guarantees no component is
 * "." or ".." or contains '/'.  1, or -1 when the name fails
 * mboxname_policycheck (never build a path from an unchecked name). */
int mboxname_spool_path(const char *internal, int hashed, struct buf *out,
                        const char **error_r);

/* mboxname_policycheck - 1 when internal may exist (rules above), else
 * -1 with the reason. */
int mboxname_policycheck(const char *internal, const char **error_r);

#endif /* IMAP_MBOXNAME_H */
