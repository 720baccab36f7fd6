/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth_state.h - who is asking: the identity an ACL is evaluated for.
 *
 * An auth_state is built once per session after authentication (or for an
 * anonymous login, or by lmtpd for an unauthenticated delivery) and then
 * answers "does ACL identifier X apply to me?" (auth_state_matches).
 *
 * Identifier rules (the same everywhere in the tree):
 *   - a userid matches only itself, byte for byte: identifiers keep their
 *     case.  Folding is a site choice made once, before the state is built
 *     and before SETACL stores an identifier (auth_canonify_identifier with
 *     fold_case from imapd.conf); matching never folds user names.
 *   - "anyone" matches every state, including an anonymous one (RFC 4314
 *     section 2: "all authentications, including anonymous").
 *   - "anonymous" matches only an anonymous state.
 *   - "group:NAME" matches a state that was given group NAME.
 *   The reserved words "anyone", "anonymous" and the "group:" prefix are
 *   matched case-insensitively, so legacy ACLs spelling "Anyone" still work.
 *   A leading '-' (negative right) is the ACL's business, not ours: pass
 *   the identifier without it.
 *
 * Single-threaded; a state is owned by its session.
 */
#ifndef IMAP_AUTH_STATE_H
#define IMAP_AUTH_STATE_H

#include <stddef.h>

struct auth_state;

/* Reserved identifiers and the group prefix. */
#define AUTH_ID_ANYONE     "anyone"
#define AUTH_ID_ANONYMOUS  "anonymous"
#define AUTH_GROUP_PREFIX  "group:"

/* Longest identifier (userid, group or ACL identifier, without a leading
 * '-') we accept; enforced in auth_canonify_identifier, auth_state_new,
 * auth_state_add_group and by the ACL parser (imap/acl.c). */
#define AUTH_IDENTIFIER_MAX 1024

/* auth_state_new - the state for userid.  userid NULL or "anonymous" (any
 * case) makes an anonymous state, which is never an admin (is_admin is
 * ignored).  Returns NULL when userid cannot be a login identity: empty,
 * longer than AUTH_IDENTIFIER_MAX, starting with '-', containing a control
 * byte (TAB, CR, LF, NUL...), equal to "anyone" or starting with "group:"
 * (any case); the caller must then refuse the login.  The caller owns the
 * result (auth_state_free).  userid is copied as-is. */
struct auth_state *auth_state_new(const char *userid, int is_admin);
/* auth_state_free - free *statep and set it to NULL; NULL is fine. */
void auth_state_free(struct auth_state **statep);

/* auth_state_add_group - record membership of group; "staff" and
 * "group:staff" both mean the ACL identifier "group:staff".  Duplicates are
 * ignored.  Returns 1 when added or already present, -1 for an invalid
 * group name (empty, control bytes, too long). */
int auth_state_add_group(struct auth_state *state, const char *group);

/* auth_state_userid - the userid, "anonymous" for an anonymous state;
 * valid while the state lives. */
const char *auth_state_userid(const struct auth_state *state);
/* auth_state_is_admin / auth_state_is_anonymous - 1 or 0. */
int auth_state_is_admin(const struct auth_state *state);
int auth_state_is_anonymous(const struct auth_state *state);
/* auth_state_ngroups / auth_state_group - the groups, each as
 * "group:NAME"; NULL when idx is out of range. */
size_t auth_state_ngroups(const struct auth_state *state);
const char *auth_state_group(const struct auth_state *state, size_t idx);

/* auth_state_matches - 1 when the (positive) ACL identifier applies to
 * state, else 0.  An identifier starting with '-' never matches: strip it
 * first.  auth_state_matchesn takes id[0..len), not NUL-terminated. */
int auth_state_matches(const struct auth_state *state, const char *id);
int auth_state_matchesn(const struct auth_state *state,
                        const char *id, size_t len);

/* auth_canonify_identifier - the canonical form of an identifier a client
 * sent (SETACL, DELETEACL, LISTRIGHTS) or an admin configured:
 *   - a leading '-' is kept (negative-rights identifier);
 *   - "anyone"/"anonymous" in any case become lower case;
 *   - a "group:" prefix in any case becomes "group:"; the group name keeps
 *     its case;
 *   - any other identifier is a userid, lower-cased (ASCII) when fold_case
 *     (imapd.conf username_tolower), else kept as-is.
 * Returns 1 and a malloc'd string in *canon_r (caller frees), or -1 with a
 * static message in *error_r for an empty identifier (or bare "-", or
 * "group:" with no name), a second leading '-', a control byte (TAB, CR,
 * LF, NUL, DEL...) or one longer than AUTH_IDENTIFIER_MAX. */
int auth_canonify_identifier(const char *id, int fold_case,
                             char **canon_r, const char **error_r);

/* auth_identifier_valid - the structural check auth_canonify_identifier
 * makes, on id[0..len) (no leading '-' allowed; strip it first).
 * Returns 1 valid, -1 with a static message in *error_r. */
int auth_identifier_valid(const char *id, size_t len, const char **error_r);

#endif /* IMAP_AUTH_STATE_H */
