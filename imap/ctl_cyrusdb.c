/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_cyrusdb.c - database recovery and checkpointing, run by the master
 * (cyrus.conf START: `ctl_cyrusdb -r`; EVENTS: `ctl_cyrusdb -c`).
 *
 * -r: Berkeley DB environment recovery in <configdirectory>/db (nothing
 *     else may use the environment meanwhile), then a check of every
 *     native database under configdirectory, cutting torn log tails.
 * -c: Berkeley DB checkpoint and removal of unneeded log files, then
 *     compaction of every native database.
 * Databases are found by content (db_detect) among the *.db files in
 * configdirectory and its immediate subdirectories.  Exit codes: 0, 64
 * usage, 74 when a database could not be recovered or checkpointed.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/startup.h"
#include "lib/strarray.h"

/* usage - print the synopsis and exit 64 */
static void usage(void)
{
    fprintf(stderr, "usage: ctl_cyrusdb [-C imapd.conf] -r | -c\n");
    exit(EX_USAGE);
}

/* has_db_suffix - does name end in ".db"? */
static int has_db_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && !strcmp(name + n - 3, ".db");
}

/* find_dbs - collect *.db regular files in dir (and, when depth > 0, in
 * its subdirectories except the Berkeley DB environment "db") */
static void find_dbs(const char *dir, int depth, struct strarray *out)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        struct buf path = BUF_INIT;
        struct stat st;

        if (e->d_name[0] == '.')
            continue;
        buf_printf(&path, "%s/%s", dir, e->d_name);
        if (lstat(buf_cstring(&path), &st) == 0) {
            if (S_ISREG(st.st_mode) && has_db_suffix(e->d_name))
                strarray_append(out, path.s);
            else if (S_ISDIR(st.st_mode) && depth > 0 &&
                     strcmp(e->d_name, "db") != 0)
                find_dbs(path.s, depth - 1, out);
        }
        buf_free(&path);
    }
    closedir(d);
    strarray_sort(out);
}

/* each_native - run recover (check+repair) or compact on native files */
static int each_native(const char *configdir, int recover)
{
    struct strarray files = STRARRAY_INIT;
    int bad = 0;

    find_dbs(configdir, 1, &files);
    for (size_t i = 0; i < files.count; i++) {
        const char *path = files.data[i];
        const char *be = db_detect(path);
        int r;

        if (!be || strcmp(be, "native") != 0)
            continue;
        r = recover ? db_check(be, path, 1) : db_compact(be, path);
        if (r != DB_OK) {
            log_error("DBERROR: %s failed file=<%s> error=<%s>",
                      recover ? "check" : "compaction", path, db_errstr(r));
            fprintf(stderr, "ctl_cyrusdb: %s: %s\n", path, db_errstr(r));
            bad++;
        } else {
            log_info("%s done file=<%s>", recover ? "check" : "compaction",
                     path);
        }
    }
    strarray_fini(&files);
    return bad;
}

int main(int argc, char **argv)
{
    const char *conf = CFG_DEFAULT_PATH, *configdir;
    struct buf envdir = BUF_INIT;
    int op = 0, c, bad = 0, r;

    while ((c = getopt(argc, argv, "C:rc")) != -1) {
        switch (c) {
        case 'C': conf = optarg; break;
        case 'r':
        case 'c':
            if (op && op != c)
                usage();
            op = c;
            break;
        default: usage();
        }
    }
    if (!op || optind != argc)
        usage();
    startup_tool("ctl_cyrusdb", conf);
    configdir = cfg_get_string(IMAPOPT_CONFIGDIRECTORY);
    buf_printf(&envdir, "%s/db", configdir);
    r = startup_db(op == 'r' ? DB_OPT_RECOVER : 0);
    if (r != DB_OK) {
        fprintf(stderr, "ctl_cyrusdb: Berkeley DB environment %s: %s\n",
                envdir.s, db_errstr(r));
        bad++;
    } else if (op == 'c' && (r = db_checkpoint()) != DB_OK) {
        fprintf(stderr, "ctl_cyrusdb: checkpoint: %s\n", db_errstr(r));
        bad++;
    }
    bad += each_native(configdir, op == 'r');
    db_done();
    log_info("%s finished errors=<%d>", op == 'r' ? "recovery" : "checkpoint",
             bad);
    buf_free(&envdir);
    return bad ? EX_IOERR : EX_OK;
}
