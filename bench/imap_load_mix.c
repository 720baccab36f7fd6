/* SPDX-License-Identifier: BSD-3-Clause */
/* imap_load_mix.c - the imap mode: opt_clients threads each run sessions
 * of the mixed workload (connect, LOGIN, SELECT, rounds of FETCH
 * envelope/bodystructure, FETCH BODY.PEEK[] and STORE +/-FLAGS, an
 * APPEND then UID STORE \Deleted + EXPUNGE, LOGOUT) for opt_secs, then
 * print a per-operation table and the RESULT line.  A session with a
 * protocol error ends early and counts; a dead server is retried every
 * 10 ms, not spun on. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench/imap_load.h"

/* rnd_next - the client's own LCG: reproducible with -s, no locking */
static unsigned rnd_next(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

/* session - one client session of the mixed workload; 0 if it ran clean */
static int session(struct client *cl, char *msgbuf, size_t msgcap)
{
    char user[128];
    struct reply r;
    int rc = -1;

    user_name(user, sizeof(user), cl->id % opt_users);
    if (do_connect(cl) < 0)
        return -1;
    cl->in_logout = 0;
    if (do_login(cl, user, opt_pass) < 0)
        goto out;
    cl->exists = 0;
    if (cmd(cl, OP_SELECT, &r, "SELECT \"%s\"", opt_mailbox) < 0)
        goto out;
    for (int i = 0; i < opt_rounds && !stop_flag; i++) {
        if (cl->exists == 0) {
            note_error(cl, "select", "(mailbox empty: populate first)");
            goto out;
        }
        uint32_t lo = 1 + rnd_next(&cl->rnd) % cl->exists;
        uint32_t hi = lo + 9 > cl->exists ? cl->exists : lo + 9;
        if (cmd(cl, OP_FETCH_ENV, &r, "FETCH %u:%u (FLAGS ENVELOPE BODYSTRUCTURE)",
                lo, hi) < 0)
            goto out;
        if (r.fetches < 1) {
            note_error(cl, "fetch-env-bs", "(no FETCH response)");
            goto out;
        }
        uint32_t x = 1 + rnd_next(&cl->rnd) % cl->exists;
        if (cmd(cl, OP_FETCH_BODY, &r, "FETCH %u (BODY.PEEK[])", x) < 0)
            goto out;
        if (r.fetches < 1 || r.lit < 1) {
            note_error(cl, "fetch-body", "(no FETCH BODY[] literal)");
            goto out;
        }
        cl->st.bytes += (uint64_t)r.lit;
        if (cmd(cl, OP_STORE, &r, "STORE %u +FLAGS (\\Flagged $Bench)", x) < 0)
            goto out;
        if (cmd(cl, OP_STORE, &r, "STORE %u -FLAGS (\\Flagged $Bench)", x) < 0)
            goto out;
    }
    if (!stop_flag) {
        char tag[64];
        snprintf(tag, sizeof(tag), "c%d", cl->id);
        size_t len = make_message(msgbuf, msgcap, rnd_next(&cl->rnd) % 1000,
                                  2000 + rnd_next(&cl->rnd) % 8000,
                                  user, tag);
        uint32_t uid = do_append(cl, opt_mailbox, msgbuf, len, 1);
        if (!uid)
            goto out;
        double t0 = now();
        if (cmd(cl, -1, &r, "UID STORE %u +FLAGS.SILENT (\\Deleted)", uid) < 0)
            goto out;
        if (cmd(cl, -1, &r, "EXPUNGE") < 0)
            goto out;
        record(&cl->st, OP_EXPUNGE, t0);
    }
    cl->in_logout = 1;
    if (cmd(cl, OP_LOGOUT, &r, "LOGOUT") < 0)
        goto out;
    if (!r.bye) {
        note_error(cl, "logout", "(no BYE)");
        goto out;
    }
    rc = 0;
out:
    conn_close(&cl->c);
    return rc;
}

/* imap_thread - run sessions until the run is over */
static void *imap_thread(void *arg)
{
    struct client *cl = arg;
    size_t cap = 64 * 1024;
    char *msg = malloc(cap);
    while (!stop_flag) {
        if (session(cl, msg, cap) == 0)
            cl->st.sessions++;
        else if (!stop_flag)
            usleep(10000);      /* do not spin on a dead server */
    }
    free(msg);
    return NULL;
}

/* run_imap - the imap mode: opt_clients threads for opt_secs, then the
 * per-operation table and the RESULT line */
int run_imap(void)
{
    pthread_t *th = calloc((size_t)opt_clients, sizeof(*th));
    struct client *cl = calloc((size_t)opt_clients, sizeof(*cl));
    uint64_t ops = 0;
    double t0 = now(), el;

    for (int i = 0; i < opt_clients; i++) {
        cl[i].id = i;
        cl[i].rnd = opt_seed * 7919u + (unsigned)i;
        if (pthread_create(&th[i], NULL, imap_thread, &cl[i]) != 0)
            die("pthread_create failed");
    }
    while (now() - t0 < opt_secs)
        usleep(20000);
    stop_flag = 1;
    el = now() - t0;
    for (int i = 0; i < opt_clients; i++) {
        pthread_join(th[i], NULL);
        merge(&cl[i].st);
    }
    printf("%-14s %10s %10s %10s %10s\n", "op", "count", "per_s", "avg_ms",
           "max_ms");
    for (int i = 0; i < OP_NTYPES; i++) {
        ops += total.count[i];
        printf("%-14s %10llu %10.1f %10.2f %10.1f\n", op_names[i],
               (unsigned long long)total.count[i], total.count[i] / el,
               total.count[i] ? 1000 * total.lat_sum[i] / total.count[i] : 0,
               1000 * total.lat_max[i]);
    }
    printf("RESULT mode=imap clients=%d secs=%.1f ops=%llu ops_per_s=%.1f "
           "sessions=%llu sessions_per_s=%.1f errors=%llu p50_ms=%.2f "
           "p99_ms=%.2f body_bytes=%llu\n", opt_clients, el,
           (unsigned long long)ops, ops / el,
           (unsigned long long)total.sessions, total.sessions / el,
           (unsigned long long)total.errors, percentile(total.hist, 0.5),
           percentile(total.hist, 0.99), (unsigned long long)total.bytes);
    free(th);
    free(cl);
    return total.errors ? 1 : 0;
}
