/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reconstruct.c - the admin tool that rebuilds a mailbox's cyrus.index and
 * cyrus.cache from its message files (imap/mailbox_reconstruct.c does the
 * work).  Mailboxes are named by their internal names ("user.alice.Sent")
 * on one partition (-p, default: defaultpartition); -r also does every
 * mailbox below each one.  Prints one line per mailbox saying what it
 * fixed.  Exit codes: 0, 64 usage, 78 config, 74 when any mailbox failed.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imap/mailbox.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/startup.h"
#include "lib/strarray.h"

/* usage - print the synopsis and exit 64 */
static void usage(void)
{
    fprintf(stderr, "usage: reconstruct [-C imapd.conf] [-r] [-p partition] "
                    "mailbox...\n");
    exit(EX_USAGE);
}

/* one - reconstruct name and print what happened; 0 ok, 1 failed */
static int one(const char *root, const char *name)
{
    struct mailbox_reconstruct_report rep;
    int r = mailbox_reconstruct(root, name, NULL, &rep);

    if (r != MAILBOX_OK) {
        printf("%s: failed: %s\n", name, mailbox_strerror(r));
        return 1;
    }
    printf("%s: kept %u, adopted %u, changed %u, lost %u, "
           "uncommitted removed %u%s%s\n", name, rep.kept, rep.adopted,
           rep.changed, rep.lost, rep.orphans_removed,
           rep.old_index_bad ? ", index rebuilt from scratch" : "",
           rep.new_uidvalidity ? ", NEW UIDVALIDITY" : "");
    return 0;
}

/* children - internal names of the mailboxes directly below name: the
 * subdirectories of its directory (components never contain '.') */
static void children(const char *root, const char *name, struct strarray *out)
{
    struct buf dir = BUF_INIT, p = BUF_INIT;
    struct dirent *e;
    DIR *d;

    if (mailbox_dir(root, name, &dir) != MAILBOX_OK)
        return;
    d = opendir(buf_cstring(&dir));
    while (d && (e = readdir(d)) != NULL) {
        struct stat st;
        if (strchr(e->d_name, '.'))
            continue;
        buf_reset(&p);
        buf_printf(&p, "%s/%s", dir.s, e->d_name);
        if (stat(buf_cstring(&p), &st) == 0 && S_ISDIR(st.st_mode)) {
            buf_reset(&p);
            buf_printf(&p, "%s.%s", name, e->d_name);
            strarray_append(out, buf_cstring(&p));
        }
    }
    if (d)
        closedir(d);
    strarray_sort(out);
    buf_free(&dir);
    buf_free(&p);
}

/* walk - name, then (recursive) everything below it */
static int walk(const char *root, const char *name, int recursive)
{
    struct strarray kids = STRARRAY_INIT;
    int bad = one(root, name);

    if (recursive)
        children(root, name, &kids);
    for (size_t i = 0; i < kids.count; i++)
        bad |= walk(root, kids.data[i], recursive);
    strarray_fini(&kids);
    return bad;
}

int main(int argc, char **argv)
{
    const char *conf = CFG_DEFAULT_PATH, *part = NULL, *root;
    int c, recursive = 0, bad = 0;

    while ((c = getopt(argc, argv, "C:rp:")) != -1) {
        switch (c) {
        case 'C': conf = optarg; break;
        case 'r': recursive = 1; break;
        case 'p': part = optarg; break;
        default: usage();
        }
    }
    if (optind == argc)
        usage();
    startup_tool("reconstruct", conf);
    if (!part)
        part = cfg_get_string(IMAPOPT_DEFAULTPARTITION);
    root = part ? cfg_get_partition(part) : NULL;
    if (!root)
        fatal(EX_CONFIG, "partition not declared partition=<%s>",
              part ? part : "");
    for (int i = optind; i < argc; i++)
        bad |= walk(root, argv[i], recursive);
    return bad ? EX_IOERR : 0;
}
