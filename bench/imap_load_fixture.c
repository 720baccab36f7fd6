/* SPDX-License-Identifier: BSD-3-Clause */
/* imap_load_fixture.c - the modes that set up what a measurement runs
 * against: populate (create the users' mailboxes and fill the INBOXes;
 * an existing mailbox is fine, existing messages count) and idle (hold
 * N selected connections open as background load, "READY open=..."
 * once they are, until stdin closes).  Both run in the main thread;
 * populate dies on a failed login, SELECT or APPEND, idle reports how
 * many connections opened. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/imap_load.h"

/* run_populate - create user/PREFIXk as the admin, then fill each INBOX
 * up to opt_msgs messages as its user */
int run_populate(void)
{
    struct client cl = { 0 };
    struct reply r;
    char admin[256], *pw, user[128], mbox[160];
    size_t cap = 64 * 1024;
    char *msg = malloc(cap);

    snprintf(admin, sizeof(admin), "%s", opt_admin);
    pw = strchr(admin, ':');
    if (!pw)
        die("-A wants user:password");
    *pw++ = '\0';
    if (do_connect(&cl) < 0 || do_login(&cl, admin, pw) < 0)
        die("admin login failed");
    for (int k = 0; k < opt_users; k++) {
        user_name(user, sizeof(user), k);
        snprintf(mbox, sizeof(mbox), "user/%s", user);
        cmd(&cl, -1, &r, "CREATE \"%s\"", mbox);  /* may exist: ignored */
    }
    cl.st.errors = 0;
    cl.in_logout = 1;
    cmd(&cl, -1, &r, "LOGOUT");
    conn_close(&cl.c);
    for (int k = 0; k < opt_users; k++) {
        user_name(user, sizeof(user), k);
        cl.in_logout = 0;
        if (do_connect(&cl) < 0 || do_login(&cl, user, opt_pass) < 0)
            die("login %s failed", user);
        cl.exists = 0;
        if (cmd(&cl, -1, &r, "SELECT INBOX") < 0)
            die("select failed for %s", user);
        for (unsigned i = cl.exists; i < (unsigned)opt_msgs; i++) {
            size_t len = make_message(msg, cap, i, 1000 + (i * 7919) % 15000,
                                      user, "pre");
            if (!do_append(&cl, "INBOX", msg, len, 0))
                die("append failed for %s", user);
        }
        cl.in_logout = 1;
        cmd(&cl, -1, &r, "LOGOUT");
        conn_close(&cl.c);
    }
    free(msg);
    printf("RESULT mode=populate users=%d msgs=%d errors=%llu\n", opt_users,
           opt_msgs, (unsigned long long)cl.st.errors);
    return cl.st.errors ? 1 : 0;
}

/* run_idle - open, log in and SELECT opt_clients connections, print
 * READY, hold them until stdin closes, LOGOUT */
int run_idle(void)
{
    struct client *cl = calloc((size_t)opt_clients, sizeof(*cl));
    struct reply r;
    char user[128];
    uint64_t errors = 0;
    int open = 0;

    for (int i = 0; i < opt_clients; i++) {
        cl[i].id = i;
        user_name(user, sizeof(user), i % opt_users);
        if (do_connect(&cl[i]) < 0)
            continue;
        if (do_login(&cl[i], user, opt_pass) < 0 ||
            cmd(&cl[i], OP_SELECT, &r, "SELECT \"%s\"", opt_mailbox) < 0) {
            conn_close(&cl[i].c);
            continue;
        }
        open++;
    }
    for (int i = 0; i < opt_clients; i++)
        errors += cl[i].st.errors;
    printf("READY open=%d errors=%llu\n", open, (unsigned long long)errors);
    fflush(stdout);
    char b[64];
    while (fgets(b, sizeof(b), stdin))  /* hold until stdin closes */
        ;
    for (int i = 0; i < opt_clients; i++) {
        if (cl[i].c.fd < 0)
            continue;
        cl[i].in_logout = 1;
        cmd(&cl[i], -1, &r, "LOGOUT");
        conn_close(&cl[i].c);
        errors += cl[i].st.errors;
    }
    printf("RESULT mode=idle conns=%d open=%d errors=%llu\n", opt_clients, open,
           (unsigned long long)errors);
    free(cl);
    return errors ? 1 : 0;
}
