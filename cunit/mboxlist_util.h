/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxlist_util.h - helpers shared by the imap/mboxlist*.c unit tests
 * (cunit/mboxlist.c, cunit/mboxlist_find.c, cunit/mboxlist_dump.c): the
 * backend list, a fresh configdirectory and imapd.conf per test and
 * backend selected the way a server selects it (cfg_load), entry
 * construction and a standard list to search.  They keep the short names
 * the tests have always used; they assert (CUnit) rather than return
 * errors.
 */
#ifndef CUNIT_MBOXLIST_UTIL_H
#define CUNIT_MBOXLIST_UTIL_H

#include "imap/mboxlist.h"

/* database tests run over each of these mboxlist_db backends */
extern const char *const backends[];
#define NBACKENDS 2
#define FOR_EACH_BACKEND(be) \
    for (size_t be##_i = 0; be##_i < NBACKENDS && \
                            ((be) = backends[be##_i], 1); be##_i++)

/* the imapd.conf and configdirectory of the last use_backend() */
extern char confpath[4096], cfgdir[2048];

/* use_backend - close the list, write a fresh configdirectory and
 * imapd.conf for test and be, load it and open the list (created);
 * fatal assertions on failure */
void use_backend(const char *test, const char *be);
/* mk - a new entry with copies of the strings (server may be NULL);
 * the caller frees it with mboxlist_entry_free */
struct mboxlist_entry *mk(const char *name, unsigned type, const char *part,
                          const char *server, const char *acl);
/* add - create a normal local entry with acl; asserts success */
void add(const char *name, const char *acl);
/* fill_list - the standard list: fred's and joe's trees, fredrick,
 * shared folders with various ACLs, and one remote, one reserved and one
 * deleted entry (15 entries in all) */
void fill_list(void);

/* setup - join the test's Berkeley DB environment (cunit_setup) */
void setup(void);
/* teardown - close the list and leave the environment (cunit_teardown) */
void teardown(void);

#endif /* CUNIT_MBOXLIST_UTIL_H */
