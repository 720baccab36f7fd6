/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl.h - RFC 4314 rights and mailbox ACL strings.
 *
 * RIGHTS are a bitmask (unsigned int, ACL_* bits below):
 *   l r s w i p k x t e a   (RFC 4314 section 2.1)
 *   n                       Cyrus 2.5+'s "write shared annotations": stored
 *                           and shown, granted by nothing here; Cyrus 3
 *                           backends put it in every user's ACL
 *   0 .. 9                  site-defined rights (RFC 4314 section 2;
 *                           Cyrus stores them, so we accept them)
 *   c d                     obsolete RFC 2086 rights, VIRTUAL: never stored.
 *                           We are in RFC 4314 section 2.1.1's first group,
 *                           as Cyrus 2.2 was (its "c" governed CREATE and
 *                           DELETE of mailboxes, its "d" STORE \Deleted and
 *                           EXPUNGE):  c = k + x,  d = t + e.  So a legacy
 *                           "lrswipcda" keeps meaning what it meant.
 *                           On input c/d expand to their members; on output
 *                           (MYRIGHTS, ACL, LISTRIGHTS: ACL_FMT_VIRTUAL) c is
 *                           shown when k or x is set, d when t or e is.
 *   Canonical order: l r s w i p k x t e [c d] a n 0..9 (Cyrus's).
 *
 * ACL STRINGS are what mailboxes.db stores and mupdate transmits:
 *     identifier TAB rights TAB identifier TAB rights TAB ...
 * every field TAB-terminated; "" is the empty ACL.  An identifier starting
 * with '-' holds negative rights for the identifier after the dash.  The
 * stored rights never contain c or d (we write the members).
 *
 * EVALUATION (acl_myrights): R = union of the rights of every entry whose
 * identifier applies to the state (auth_state_matches: the userid,
 * "anyone", "anonymous" for an anonymous login, "group:X" memberships);
 * N = the same union over the '-' entries; result = R & ~N.  Implicit
 * rights are then added and cannot be taken away by negative rights:
 *   - an admin (imapd.conf admins) has ACL_IMPLICIT_ADMIN ("la") on every
 *     mailbox, as in Cyrus: enough to see it and to change its ACL, not to
 *     read mail without first granting itself rights;
 *   - the owner of a user's mailboxes has imapd.conf implicit_owner_rights
 *     (Cyrus default ACL_DEFAULT_OWNER_RIGHTS "lkxa"), through
 *     acl_myrights_owner; deciding ownership (user.fred.* for fred) is the
 *     caller's job, which knows the namespace.
 *
 * Errors: -1 and a message in *error_r that is static or in a module
 * buffer valid until the next acl_* call (processes are single-threaded).
 */
#ifndef IMAP_ACL_H
#define IMAP_ACL_H

#include <stddef.h>

#include "lib/buf.h"

struct auth_state;

#define ACL_LOOKUP     (1u << 0)   /* l */
#define ACL_READ       (1u << 1)   /* r */
#define ACL_SEEN       (1u << 2)   /* s */
#define ACL_WRITE      (1u << 3)   /* w */
#define ACL_INSERT     (1u << 4)   /* i */
#define ACL_POST       (1u << 5)   /* p */
#define ACL_CREATE     (1u << 6)   /* k */
#define ACL_DELETEMBOX (1u << 7)   /* x */
#define ACL_DELETEMSG  (1u << 8)   /* t */
#define ACL_EXPUNGE    (1u << 9)   /* e */
#define ACL_ADMIN      (1u << 10)  /* a */
#define ACL_ANNOTATE   (1u << 11)  /* n (Cyrus 2.5+: write shared annotations) */
#define ACL_USER0      (1u << 12)  /* '0'; ACL_USER(n) for '0' + n */
#define ACL_USER(n)    (ACL_USER0 << (n))

#define ACL_NONE       0u
/* the RFC 4314 letters, "lrswipkxtea" */
#define ACL_STANDARD   ((ACL_ADMIN << 1) - 1)
/* everything, digits included */
#define ACL_ALL        ((ACL_USER(9) << 1) - 1)
/* the virtual RFC 2086 rights */
#define ACL_VIRT_C     (ACL_CREATE | ACL_DELETEMBOX)
#define ACL_VIRT_D     (ACL_DELETEMSG | ACL_EXPUNGE)
/* what an admin always has */
#define ACL_IMPLICIT_ADMIN (ACL_LOOKUP | ACL_ADMIN)
#define ACL_DEFAULT_OWNER_RIGHTS "lkxa"

/* Longest rights string the formatter can produce, plus NUL. */
#define ACL_RIGHTS_MAX 32

/* --- rights ------------------------------------------------------------ */

/* acl_rights_parse - rights in s[0..len) (no +/-) into *mask_r.  c and d
 * expand; duplicates are fine; "" is no rights.  Returns 1, or -1 naming
 * the first bad byte ("uppercase right 'Q' is not allowed", "unsupported
 * right 'q'") with *mask_r untouched. */
int acl_rights_parse(const char *s, size_t len, unsigned *mask_r,
                     const char **error_r);

/* acl_right_mask - the bits one rights byte stands for (c and d their
 * members), 0 for a byte that is no right; a table lookup. */
unsigned acl_right_mask(unsigned char c);

/* How a SETACL mod-rights string applies (RFC 4314 section 3.1). */
enum acl_mode {
    ACL_MODE_REPLACE,  /* "rights" */
    ACL_MODE_ADD,      /* "+rights" */
    ACL_MODE_REMOVE,   /* "-rights" */
};
/* acl_rights_parse_mod - a NUL-terminated SETACL mod-rights string.
 * Returns 1 with *mask_r and *mode_r, or -1 as acl_rights_parse. */
int acl_rights_parse_mod(const char *s, unsigned *mask_r,
                         enum acl_mode *mode_r, const char **error_r);
/* acl_rights_apply - old rights changed by (mode, mask). */
unsigned acl_rights_apply(unsigned old, enum acl_mode mode, unsigned mask);

#define ACL_FMT_VIRTUAL 1  /* add c/d as RFC 4314 2.1.1 requires in replies */
/* acl_rights_format - append mask in canonical order to out, with c/d when
 * flags has ACL_FMT_VIRTUAL (MYRIGHTS, ACL replies); without it, the stored
 * form.  Bits outside ACL_ALL are ignored.  Appends nothing for no rights. */
void acl_rights_format(unsigned mask, int flags, struct buf *out);
/* acl_rights_str - the same into dst[ACL_RIGHTS_MAX]; returns dst. */
char *acl_rights_str(unsigned mask, int flags, char dst[ACL_RIGHTS_MAX]);

/* acl_capability - the capability atom, "RIGHTS=texk" (RFC 4314 section
 * 2: the rights we support beyond RFC 2086's); static. */
const char *acl_capability(void);

/* acl_listrights - append the rights part of a LISTRIGHTS response for an
 * identifier (RFC 4314 section 3.7): the required rights (quoted "" when
 * none) and then each right that may be granted, one per SP-separated
 * string, in canonical order: we tie nothing, so every optional right
 * stands alone; c and d stand alone too, or sit in the required string
 * when a member is required.  required is what the identifier always has:
 * the implicit owner rights when it names the mailbox's owner, else
 * ACL_NONE.  Example for a non-owner:
 *     "" l r s w i p k x t e c d a n 0 1 2 3 4 5 6 7 8 9 */
void acl_listrights(unsigned required, struct buf *out);

/* --- ACL strings ------------------------------------------------------- */

struct acl;

/* acl_new - an empty ACL; caller frees with acl_free. */
struct acl *acl_new(void);
/* acl_free - free *aclp and set it to NULL; NULL is fine. */
void acl_free(struct acl **aclp);

/* acl_parse - parse the stored form s[0..len) (binary-safe; need not be
 * NUL-terminated).  Repeated identifiers merge (union of rights), entries
 * keep their first-seen order, c/d expand.  Returns 1 and a new ACL in
 * *acl_r (caller frees), or -1 (nothing allocated) for: a field without
 * its TAB, an empty identifier (also bare "-"), an identifier with a
 * control byte or over AUTH_IDENTIFIER_MAX, or a bad rights letter (the
 * message names it). */
int acl_parse(const char *s, size_t len, struct acl **acl_r,
              const char **error_r);
/* acl_validate - acl_parse without keeping the result; 1 or -1. */
int acl_validate(const char *s, size_t len, const char **error_r);

/* acl_format - append the canonical stored form to out: entries in order,
 * rights in canonical order without c/d, entries with no rights left out.
 * Parsing the output gives the same ACL. */
void acl_format(const struct acl *acl, struct buf *out);

/* acl_count - number of entries (including any with no rights). */
size_t acl_count(const struct acl *acl);
/* acl_get - 1 and *rights_r when id (exact, '-' included for negative
 * entries) has an entry, else 0. */
int acl_get(const struct acl *acl, const char *id, unsigned *rights_r);

/* acl_set - SETACL: change id's rights by the mod-rights string mod
 * ("lrs", "+w", "-x").  id is stored as given, so canonicalise it first
 * (auth_canonify_identifier).  A new identifier is appended; one whose
 * rights become empty is removed (as SETACL "" does).  Returns 1, or -1
 * for an invalid identifier or mod string, with the ACL unchanged. */
int acl_set(struct acl *acl, const char *id, const char *mod,
            const char **error_r);
/* acl_set_mask - the same with a parsed mode and mask; id as for acl_set. */
int acl_set_mask(struct acl *acl, const char *id, enum acl_mode mode,
                 unsigned mask, const char **error_r);
/* acl_delete - DELETEACL: remove id's entry ("fred" leaves "-fred" alone).
 * Returns 1 removed, 0 not present. */
int acl_delete(struct acl *acl, const char *id);

/* acl_foreach - GETACL: call cb(id, rights, rock) for each entry with
 * rights, in order; stop when cb returns non-0 and return that value.
 * id is valid during the call; cb must not change the ACL.  Format the
 * rights with ACL_FMT_VIRTUAL for the ACL response. */
int acl_foreach(const struct acl *acl,
                int (*cb)(const char *id, unsigned rights, void *rock),
                void *rock);

/* --- evaluation -------------------------------------------------------- */

/* acl_evaluate - the rights the stored ACL s[0..len) gives state: positive
 * entries that apply, minus negative entries that apply; no implicit
 * rights.  One pass, no allocation.  Returns 1 with *rights_r, or -1 for
 * a malformed ACL (as acl_parse) with *rights_r = ACL_NONE. */
int acl_evaluate(const struct auth_state *state, const char *s, size_t len,
                 unsigned *rights_r, const char **error_r);

/* acl_may_grant - a cheap upper bound of acl_evaluate for filtering
 * many ACLs (LIST): 0 when the stored ACL s[0..len) certainly does not
 * give state every right of need, 1 when it may (the positive entries
 * that apply to state hold them all; negative entries are not looked at).
 * Nothing is validated or allocated, and nothing outside s[0..len) is
 * read, so a corrupt ACL is safe (and may give 0 or 1).  No implicit
 * rights: callers decide about admins and owners first. */
int acl_may_grant(const struct auth_state *state, const char *s, size_t len,
                  unsigned need);

/* acl_myrights - MYRIGHTS: acl_evaluate on the NUL-terminated stored ACL
 * (NULL is the empty ACL), plus ACL_IMPLICIT_ADMIN for an admin.  A
 * malformed ACL grants nothing (fail closed) and is logged as an error. */
unsigned acl_myrights(const struct auth_state *state, const char *acl);

/* acl_myrights_owner - acl_myrights for a state known to own the mailbox,
 * plus the rights in implicit_owner_rights (imapd.conf
 * implicit_owner_rights; NULL means ACL_DEFAULT_OWNER_RIGHTS).  An invalid
 * implicit string is logged and adds nothing: validate it at startup with
 * acl_rights_parse. */
unsigned acl_myrights_owner(const struct auth_state *state, const char *acl,
                            const char *implicit_owner_rights);

#endif /* IMAP_ACL_H */
