/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * startup_db.c - the process's database environment, from imapd.conf.
 *
 * Kept apart from startup.c so that programs without databases (master,
 * test services) do not link Berkeley DB through the service skeleton.
 */
#include "config.h"

#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/startup.h"

int startup_db(int flags)
{
    const char *dir = cfg_get_string(IMAPOPT_CONFIGDIRECTORY);
    struct buf envdir = BUF_INIT;
    int r;

    if (!dir || !*dir)
        fatal(EX_CONFIG, "configdirectory is not set");
    buf_printf(&envdir, "%s/db", dir);
    r = db_init(buf_cstring(&envdir), flags);
    buf_free(&envdir);
    return r;
}
