/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbtool.c - a test-only tool (not installed) that sets up and inspects
 * mailboxes through the mailbox store and mailboxes.db APIs, for the
 * lmtpd integration tests until the IMAP CREATE/SETQUOTA/FETCH commands
 * exist:
 *   mbtool [-C conf] create NAME [ID=RIGHTS,...]   mailboxes.db entry on
 *                                      defaultpartition + mailbox files
 *   mbtool [-C conf] quota ROOT KIB    STORAGE limit (-1: none)
 *   mbtool [-C conf] usage ROOT        "STORAGE <bytes> MESSAGE <n>"
 *   mbtool [-C conf] list NAME         one line per message:
 *                                      "uid size inode nlink path", then
 *                                      "exists N"
 * Exit 0, 1 on a failed operation, 64 usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imap/dbconf.h"
#include "imap/mailbox.h"
#include "imap/mboxlist.h"
#include "imap/quota.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* usage - the synopsis, exit 64 */
static void usage(void)
{
    fprintf(stderr, "usage: mbtool [-C conf] create NAME [ID=RIGHTS,...] | "
                    "quota ROOT KIB | usage ROOT | list NAME\n");
    exit(EX_USAGE);
}

/* do_create - the entry and the mailbox files */
static int do_create(const char *name, const char *aclspec)
{
    const char *part = cfg_get_string(IMAPOPT_DEFAULTPARTITION);
    struct mboxlist_entry *e = mboxlist_entry_new();
    struct buf acl = BUF_INIT;
    char *spec = xstrdup(aclspec ? aclspec : ""), *tok, *save = NULL;
    int r;

    for (tok = strtok_r(spec, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            usage();
        *eq = '\0';
        buf_printf(&acl, "%s\t%s\t", tok, eq + 1);
    }
    e->name = xstrdup(name);
    e->partition = xstrdup(part);
    e->acl = buf_release(&acl);
    r = mboxlist_create(e);
    if (r == MBOXLIST_OK)
        r = mailbox_create(cfg_get_partition(part), name, 0, NULL);
    if (r)
        fprintf(stderr, "mbtool: create %s failed (%d)\n", name, r);
    mboxlist_entry_free(&e);
    free(spec);
    return r ? 1 : 0;
}

/* do_list - the committed messages of name */
static int do_list(const char *name)
{
    const char *part = cfg_get_string(IMAPOPT_DEFAULTPARTITION);
    struct mailbox *mb = NULL;
    struct buf path = BUF_INIT;
    struct stat st;
    uint32_t i;

    if (mailbox_open(cfg_get_partition(part), name, &mb) != MAILBOX_OK)
        return 1;
    for (i = 1; i <= mailbox_count(mb); i++) {
        uint32_t uid = mailbox_msgno_uid(mb, i);
        const struct mailbox_record *rec = mailbox_record(mb, uid);
        mailbox_message_path(mb, uid, &path);
        if (stat(buf_cstring(&path), &st) < 0)
            memset(&st, 0, sizeof(st));
        printf("%u %llu %llu %lu %s\n", uid, (unsigned long long)rec->size,
               (unsigned long long)st.st_ino, (unsigned long)st.st_nlink,
               buf_cstring(&path));
    }
    printf("exists %u\n", mailbox_count(mb));
    mailbox_close(&mb);
    buf_free(&path);
    return 0;
}

/* do_quota - set or show a root */
static int do_quota(const char *root, const char *kib)
{
    int64_t lim[QUOTA_NUMRESOURCES] = { QUOTA_UNLIMITED, QUOTA_UNLIMITED };
    struct quota q;
    int r;

    if (kib) {
        lim[QUOTA_STORAGE] = atoll(kib);
        return quota_setlimits(root, lim) == QUOTA_OK ? 0 : 1;
    }
    quota_init(&q);
    r = quota_read(root, &q);
    if (r == QUOTA_OK)
        printf("STORAGE %llu MESSAGE %llu\n",
               (unsigned long long)q.usage[QUOTA_STORAGE],
               (unsigned long long)q.usage[QUOTA_MESSAGE]);
    quota_fini(&q);
    return r == QUOTA_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *conf = CFG_DEFAULT_PATH;
    struct buf envdir = BUF_INIT;
    int c, r = EX_USAGE;

    while ((c = getopt(argc, argv, "C:")) != -1) {
        if (c != 'C')
            usage();
        conf = optarg;
    }
    if (argc - optind < 2)
        usage();
    cfg_load_or_die(conf, "mbtool");
    log_open("mbtool", NULL);
    dbconf_path("db", &envdir);
    db_init(buf_cstring(&envdir), 0);
    buf_free(&envdir);
    if (mboxlist_open(MBOXLIST_CREATE) != MBOXLIST_OK ||
        quota_open(QUOTA_CREATE) != QUOTA_OK)
        return 1;
    if (!strcmp(argv[optind], "create"))
        r = do_create(argv[optind + 1], argv[optind + 2]);
    else if (!strcmp(argv[optind], "list"))
        r = do_list(argv[optind + 1]);
    else if (!strcmp(argv[optind], "quota") && argc - optind == 3)
        r = do_quota(argv[optind + 1], argv[optind + 2]);
    else if (!strcmp(argv[optind], "usage"))
        r = do_quota(argv[optind + 1], NULL);
    else
        usage();
    quota_close();
    mboxlist_close();
    db_done();
    return r;
}
