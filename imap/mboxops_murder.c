/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxops_murder.c - the installed authority hook (imap/mboxops_murder.h)
 * and the calls mboxops makes through it, plus the crash-point hook of
 * the murder crash tests.
 *
 * One hook per process, set once at start (imapd) or not at all.  Every
 * call is a no-op returning MBOXOPS_OK without a hook; failures are
 * logged here, once, with the mailbox name.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap/mboxlist.h"
#include "imap/mboxops.h"
#include "imap/mboxops_murder.h"
#include "lib/log.h"
#include "lib/strarray.h"

static const struct mboxops_murder *murder;

void mboxops_set_murder(const struct mboxops_murder *m)
{
    murder = m;
}

int mboxops_murder_active(void)
{
    return murder != NULL;
}

/* murder_failed - log a refused or failed call; returns r */
static int murder_failed(int r, const char *what, const char *name)
{
    if (r == MBOXOPS_TAKEN)
        log_notice("MUPDATE refused op=<%s> mailbox=<%s>", what,
                   name ? name : "");
    else if (r != MBOXOPS_OK)
        log_error("MUPDATE unavailable op=<%s> mailbox=<%s>", what,
                  name ? name : "");
    return r;
}

int mboxops_murder_ready(void)
{
    if (!murder)
        return MBOXOPS_OK;
    return murder_failed(murder->ready(murder->rock), "ready", NULL);
}

int mboxops_murder_reserve(const char *name, const char *partition)
{
    if (!murder)
        return MBOXOPS_OK;
    return murder_failed(murder->reserve(murder->rock, name, partition),
                         "reserve", name);
}

int mboxops_murder_activate(const char *name, const char *partition,
                            const char *acl)
{
    if (!murder)
        return MBOXOPS_OK;
    return murder_failed(murder->activate(murder->rock, name, partition,
                                          acl ? acl : ""),
                         "activate", name);
}

int mboxops_murder_remove(const char *name)
{
    if (!murder)
        return MBOXOPS_OK;
    return murder_failed(murder->remove(murder->rock, name), "delete", name);
}

int mboxops_murder_deactivate(const char *name, const char *partition)
{
    if (!murder)
        return MBOXOPS_OK;
    if (!murder->deactivate)
        return murder_failed(MBOXOPS_UNAVAILABLE, "deactivate", name);
    return murder_failed(murder->deactivate(murder->rock, name, partition),
                         "deactivate", name);
}

int mboxops_murder_reserve_all(const struct strarray *names,
                               const char *partition)
{
    int r = MBOXOPS_OK;
    size_t i;

    if (!murder)
        return MBOXOPS_OK;
    for (i = 0; r == MBOXOPS_OK && i < names->count; i++)
        r = mboxops_murder_reserve(names->data[i], partition);
    if (r != MBOXOPS_OK) {
        /* names[i - 1] failed: it is not ours to remove */
        for (size_t j = 0; j + 1 < i; j++)
            mboxops_murder_remove(names->data[j]);
    }
    return r;
}

void mboxops_murder_remove_all(const struct strarray *names)
{
    for (size_t i = 0; murder && i < names->count; i++)
        mboxops_murder_remove(names->data[i]);
}

void mboxops_murder_announce(const struct strarray *news,
                             const struct strarray *olds)
{
    for (size_t i = 0; murder && i < news->count; i++) {
        struct mboxlist_entry *e = NULL;

        if (mboxlist_lookup(news->data[i], &e) == MBOXLIST_OK)
            mboxops_murder_activate(e->name, e->partition, e->acl);
        else
            log_error("renamed mailbox vanished mailbox=<%s>",
                      news->data[i]);
        mboxlist_entry_free(&e);
    }
    if (murder && olds) {
        mboxops_crash_point("rename_after_activate");
        mboxops_murder_remove_all(olds);
    }
}

void mboxops_crash_point(const char *point)
{
    static int env_read;
    static const char *env;

    if (!env_read) {
        env = getenv("MURDER_CRASH_POINT");
        env_read = 1;
    }
    if (env && strcmp(env, point) == 0) {
        log_warning("crash point reached point=<%s>", point);
        _exit(1);
    }
}
