/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxname_internal.h - helpers shared by imap/mboxname.c and
 * imap/mboxname_ext.c only; not an API for other modules.
 */
#ifndef IMAP_MBOXNAME_INTERNAL_H
#define IMAP_MBOXNAME_INTERNAL_H

struct buf;
struct namespace;
struct strarray;

/* mboxname_userid_split - check userid under ns and split it: *local_r
 * (allocated) and *domain_r (allocated, lower case; NULL for no domain or
 * the defaultdomain).  1, or -1 with *error_r (both outputs NULL). */
int mboxname_userid_split(const struct namespace *ns, const char *userid,
                          char **local_r, char **domain_r,
                          const char **error_r);

/* mboxname_put_escaped - append s to out with every byte from turned
 * into to. */
void mboxname_put_escaped(struct buf *out, const char *s, char from, char to);

/* mboxname_split_sep - append the sep-separated fields of s to out,
 * keeping empty fields ("a..b" gives "a", "", "b"). */
void mboxname_split_sep(const char *s, char sep, struct strarray *out);

#endif /* IMAP_MBOXNAME_INTERNAL_H */
