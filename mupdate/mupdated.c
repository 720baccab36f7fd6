/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdated.c - main() of the mupdate daemon: callbacks for the service
 * skeleton (master/service.h) and one call into it.
 *
 * `mupdate -m` is the murder's MUPDATE master (mupdate_master.c);
 * without -m it is a frontend's slave (mupdate_slave.c).  Either way one
 * process serves every peer from one event loop through the skeleton's
 * run callback.  Process set-up only: the open-files limit, the TLS
 * context, cyrus-sasl and (master) the list from mailboxes.db.
 * Configuration errors are fatal (EX_CONFIG) before any peer is served.
 */
#include "config.h"

#include <stddef.h>
#include <sys/resource.h>

#include "imap/imap_auth.h"
#include "imap/mailsvc.h"
#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/tls.h"
#include "master/service.h"
#include "mupdate/mupdate_list.h"
#include "mupdate/mupdate_master.h"
#include "mupdate/mupdate_slave.h"

static int mupdated_master_mode;
/* The slave's TLS context (slave mode; the master's is in its state). */
static struct tls_ctx *mupdated_slave_tls;

/* mupdated_getopt - -m: master mode */
static int mupdated_getopt(int opt, const char *arg, void *rock)
{
    (void)arg;
    (void)rock;
    if (opt != 'm')
        return -1;
    mupdated_master_mode = 1;
    return 0;
}

/* raise_nofile - one fd per peer: take the hard limit of open files */
static void raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        log_warning("cannot raise the open files limit error=<%m>");
}

/* mupdated_init - privileged set-up: key files may be readable by root
 * only; the fd limit may only be raised before dropping privileges */
static int mupdated_init(int argc, char **argv, void *rock)
{
    (void)argc;
    (void)argv;
    (void)rock;
    raise_nofile();
    imap_auth_init();   /* both modes: the slave's TCP peers log in too */
    if (!mupdated_master_mode) {
        /* STARTTLS for the slave's TCP listener (the key is root's) */
        mupdated_slave_tls = mailsvc_tls_init();
        return 0;
    }
    if (cfg_get_enum(IMAPOPT_MUPDATE_CONFIG) == IMAP_ENUM_MUPDATE_CONFIG_UNIFIED)
        fatal(EX_CONFIG, "mupdate -m cannot run on a unified murder server");
    mupdate_master_server.tls_ctx = mailsvc_tls_init();
    return 0;
}

/* mupdated_post_drop - load the list (files belong to cyrus_user) */
static int mupdated_post_drop(void *rock)
{
    (void)rock;
    if (!mupdated_master_mode)
        return 0;
    mupdate_master_server.list = mupdate_list_new();
    return mupdate_db_open(mupdate_master_server.list);
}

/* mupdated_run - the event loop of the chosen mode */
static int mupdated_run(int listen_fd, void *rock)
{
    (void)rock;
    if (!mupdated_master_mode)
        return mupdate_slave_run(listen_fd, mupdated_slave_tls);
    return mupdate_master_run(listen_fd);
}

/* mupdated_shutdown - close the list and free the process's state */
static void mupdated_shutdown(int code, void *rock)
{
    (void)code;
    (void)rock;
    if (!mupdated_master_mode) {
        tls_ctx_free(&mupdated_slave_tls);
        return;
    }
    mupdate_db_close();
    mupdate_list_free(&mupdate_master_server.list);
    tls_ctx_free(&mupdate_master_server.tls_ctx);
}

int main(int argc, char **argv)
{
    static const struct service_callbacks cb = {
        .name = "mupdate",
        .extra_opts = "m",
        .getopt = mupdated_getopt,
        .init = mupdated_init,
        .post_drop_init = mupdated_post_drop,
        .run = mupdated_run,
        .shutdown = mupdated_shutdown,
        .graceful_term = 1,
    };
    service_main(argc, argv, &cb);
}
