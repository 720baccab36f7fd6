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
 * -m  (sync with the MUPDATE master) is not available yet.
 * Exit codes: 0, 64 usage, 65 bad undump data, 74 database or I/O error,
 * 78 configuration.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap/mboxlist.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/startup.h"

/* usage - print the synopsis and exit 64 */
static void usage(void)
{
    fprintf(stderr,
            "usage: ctl_mboxlist [-C imapd.conf] -d [-p partition] [-f file]\n"
            "       ctl_mboxlist [-C imapd.conf] -u [-f file]\n");
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

int main(int argc, char **argv)
{
    const char *conf = CFG_DEFAULT_PATH, *file = NULL, *partition = NULL;
    int op = 0, c;

    while ((c = getopt(argc, argv, "C:duf:p:mwa")) != -1) {
        switch (c) {
        case 'C': conf = optarg; break;
        case 'f': file = optarg; break;
        case 'p': partition = optarg; break;
        case 'm':
            fprintf(stderr, "ctl_mboxlist: -m: not available until MUPDATE "
                            "support (issue #4)\n");
            exit(EX_USAGE);
        case 'w':
        case 'a':
            fprintf(stderr, "ctl_mboxlist: -%c only applies to -m, which is "
                            "not available until MUPDATE support (issue #4)\n",
                    c);
            exit(EX_USAGE);
        case 'd':
        case 'u':
            if (op && op != c)
                usage();
            op = c;
            break;
        default: usage();
        }
    }
    if (!op || optind != argc || (op == 'u' && partition))
        usage();
    setup(conf, op == 'u');
    return finish(op == 'd' ? do_dump(file, partition) : do_undump(file));
}
