/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_mboxlist.c - administration of the local mailboxes database.
 *
 * -d  dump the list to standard output (or -f file): one mailbox per
 *     line, "name TAB value" with the value in its stored encoding
 *     (imap/mboxlist.h); -p partition limits it to one partition.
 * -u  undump such lines from standard input (or -f file) into the list
 *     in one transaction (entries of the same name are replaced); a bad
 *     line aborts everything and is named.
 * -m  resync with the MUPDATE master (mupdate_server): push local
 *     mailboxes, remove the master's stale entries for this server, move
 *     aside local copies the master places elsewhere, finish or undo
 *     unfinished creations (mupdate/mupdate_resync.h); -w only reports
 *     what -m would do, -a never removes entries from the master.  Meant
 *     for START in a backend's cyrus.conf.
 * Exit codes: 0, 64 usage, 65 bad undump data, 74 database or I/O error,
 * 75 -m incomplete: the MUPDATE master is unreachable or refused, or a
 * change failed (temporary: master(8) goes on starting the backend, which
 * serves mail; its mailbox list changes fail until the master is back),
 * 78 configuration.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap/dbconf.h"
#include "imap/mboxlist.h"
#include "imap/quota.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/startup.h"
#include "mupdate/mupdate_client.h"
#include "mupdate/mupdate_resync.h"

/* usage - print the synopsis and exit 64 */
static void usage(void)
{
    fprintf(stderr,
            "usage: ctl_mboxlist [-C imapd.conf] -d [-p partition] [-f file]\n"
            "       ctl_mboxlist [-C imapd.conf] -u [-f file]\n"
            "       ctl_mboxlist [-C imapd.conf] -m [-w] [-a]\n");
    exit(EX_USAGE);
}

/* setup - config, logging, Berkeley DB environment, the list */
static void setup(const char *conf, int create)
{
    int r;

    startup_tool("ctl_mboxlist", conf);
    if (startup_db(0) != DB_OK)
        fatal(EX_IOERR, "DBERROR: cannot open the database environment");
    r = mboxlist_open(create ? MBOXLIST_CREATE : 0);
    if (r == MBOXLIST_NOTFOUND) {
        struct buf path = BUF_INIT;

        dbconf_path(MBOXLIST_FILE, &path);
        fprintf(stderr, "ctl_mboxlist: there is no mailbox list yet: no "
                "server has created %s\n", buf_cstring(&path));
        buf_free(&path);
        db_done();
        exit(EX_NOINPUT);
    }
    if (r != MBOXLIST_OK) {
        fprintf(stderr, "ctl_mboxlist: cannot open the mailbox list: %s\n",
                mboxlist_errstr(r));
        db_done();
        exit(r == MBOXLIST_NOTFOUND ? EX_NOINPUT : EX_IOERR);
    }
}

/* finish - close everything; returns code */
static int finish(int code)
{
    quota_close();
    mboxlist_close();
    db_done();
    return code;
}

/* do_dump - -d */
static int do_dump(const char *file, const char *partition)
{
    FILE *out = file ? fopen(file, "w") : stdout;
    int r;

    if (!out) {
        perror(file);
        return EX_IOERR;
    }
    r = mboxlist_dump(out, partition);
    if (file && fclose(out) == EOF && r == MBOXLIST_OK)
        r = MBOXLIST_IOERROR;
    if (r != MBOXLIST_OK) {
        fprintf(stderr, "ctl_mboxlist: dump failed: %s\n", mboxlist_errstr(r));
        return EX_IOERR;
    }
    return EX_OK;
}

/* do_undump - -u */
static int do_undump(const char *file)
{
    FILE *in = file ? fopen(file, "r") : stdin;
    unsigned long count = 0, lineno = 0;
    const char *err = NULL;
    int r;

    if (!in) {
        perror(file);
        return EX_NOINPUT;
    }
    r = mboxlist_undump(in, &count, &lineno, &err);
    if (file)
        fclose(in);
    if (r == MBOXLIST_OK) {
        log_info("undump done entries=<%lu>", count);
        return EX_OK;
    }
    if (r == MBOXLIST_BADENTRY || r == MBOXLIST_BADNAME ||
        r == MBOXLIST_BADVERSION) {
        fprintf(stderr, "ctl_mboxlist: line %lu: %s%s%s; nothing loaded\n",
                lineno, mboxlist_errstr(r), err ? ": " : "", err ? err : "");
        return EX_DATAERR;
    }
    fprintf(stderr, "ctl_mboxlist: undump failed: %s; nothing loaded\n",
            mboxlist_errstr(r));
    return EX_IOERR;
}

/* do_resync - -m (-w, -a): the backend's resync with the MUPDATE master */
static int do_resync(int dry_run, int add_only)
{
    struct mupdate_resync_opts o = { 0 };
    struct mupdate_resync_totals t;
    struct mupdate_client *c = NULL;
    const char *server = cfg_get_string(IMAPOPT_MUPDATE_SERVER), *err = NULL;
    int r;

    if (!server || !*server) {
        fprintf(stderr, "ctl_mboxlist: -m: mupdate_server is not set: this "
                        "server is not part of a murder\n");
        return EX_CONFIG;
    }
    if (quota_open(QUOTA_CREATE) != QUOTA_OK)
        return EX_IOERR;
    if (mupdate_connect(NULL, &c, &err) != MUPDATE_OK) {
        fprintf(stderr, "ctl_mboxlist: cannot reach the MUPDATE master %s: "
                        "%s; the mailbox list was not synchronised: this "
                        "backend serves mail but cannot change its mailbox "
                        "list until the master is back (then run "
                        "ctl_mboxlist -m)\n", server, err ? err : "failed");
        log_error("MUPDATE resync impossible server=<%s> error=<%s>", server,
                  err ? err : "failed");
        return EX_TEMPFAIL;
    }
    o.servername = cfg_get_string(IMAPOPT_SERVERNAME);
    o.dry_run = dry_run;
    o.add_only = add_only;
    o.out = stdout;
    o.progress = isatty(STDERR_FILENO) ? stderr : NULL;
    r = mupdate_resync(c, &o, &t);
    if (r != MUPDATE_OK)
        fprintf(stderr, "ctl_mboxlist: -m stopped: %s\n",
                mupdate_client_error(c));
    else if (t.failed)
        fprintf(stderr, "ctl_mboxlist: -m: %lu change(s) failed (see the "
                        "FAILED lines); run it again\n", t.failed);
    mupdate_disconnect(&c);
    /* temporary either way: the backend must still come up (START) */
    return r != MUPDATE_OK || t.failed ? EX_TEMPFAIL : EX_OK;
}

int main(int argc, char **argv)
{
    const char *conf = CFG_DEFAULT_PATH, *file = NULL, *partition = NULL;
    int op = 0, dry_run = 0, add_only = 0, c;

    while ((c = getopt(argc, argv, "C:duf:p:mwa")) != -1) {
        switch (c) {
        case 'C': conf = optarg; break;
        case 'f': file = optarg; break;
        case 'p': partition = optarg; break;
        case 'w': dry_run = 1; break;
        case 'a': add_only = 1; break;
        case 'm':
        case 'd':
        case 'u':
            if (op && op != c)
                usage();
            op = c;
            break;
        default: usage();
        }
    }
    if (!op || optind != argc || (op != 'd' && partition) ||
        (op != 'm' && (dry_run || add_only)) || (op == 'm' && file))
        usage();
    setup(conf, op != 'd');
    if (op == 'm')
        return finish(do_resync(dry_run, add_only));
    return finish(op == 'd' ? do_dump(file, partition) : do_undump(file));
}
