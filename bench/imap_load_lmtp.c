/* SPDX-License-Identifier: BSD-3-Clause */
/* imap_load_lmtp.c - the lmtp mode: opt_conns connections deliver
 * opt_lmtp_msgs messages of opt_size bytes to opt_rcpts users each
 * (LHLO, MAIL, RCPT..., DATA with dot-stuffing, one reply per accepted
 * recipient); the delivery latency is recorded as OP_APPEND.  A refused
 * recipient is a protocol error; the message still goes to the others. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/imap_load.h"

/* the next message number to deliver, taken by every thread */
static int next_msg;
static pthread_mutex_t msg_lock = PTHREAD_MUTEX_INITIALIZER;

/* lmtp_reply - read one (multi-line) reply; its code or -1 */
static int lmtp_reply(struct conn *c)
{
    for (;;) {
        if (read_line(c) < 0)
            return -1;
        if (c->line_len < 3)
            return -1;
        if (c->line_len == 3 || c->line[3] != '-')
            return atoi(c->line);
    }
}

struct lmtp_worker {
    int id;
    struct client cl;
    uint64_t delivered, msgs;
};

/* lmtp_thread - one LMTP connection: take message numbers until all
 * opt_lmtp_msgs are taken, deliver each to opt_rcpts users */
static void *lmtp_thread(void *arg)
{
    struct lmtp_worker *w = arg;
    struct client *cl = &w->cl;
    size_t cap = (size_t)opt_size + 64 * 1024;
    char *msg = malloc(cap), *out = malloc(2 * cap);
    char rcpt[160];
    int code;

    if (conn_open(&cl->c) < 0 || lmtp_reply(&cl->c) != 220) {
        note_error(cl, "lmtp greeting", NULL);
        goto done;
    }
    if (sendf(&cl->c, "LHLO bench.example.org\r\n") < 0 ||
        lmtp_reply(&cl->c) != 250) {
        note_error(cl, "LHLO", cl->c.line);
        goto done;
    }
    for (;;) {
        pthread_mutex_lock(&msg_lock);
        int i = next_msg < opt_lmtp_msgs ? next_msg++ : -1;
        pthread_mutex_unlock(&msg_lock);
        if (i < 0)
            break;
        char tag[32];
        snprintf(tag, sizeof(tag), "lmtp%d", w->id);
        user_name(rcpt, sizeof(rcpt), i % opt_users);
        size_t len = make_message(msg, cap, (unsigned)i, (size_t)opt_size,
                                  rcpt, tag);
        /* dot-stuff (lines never start with '.' here, but be correct) */
        size_t o = 0;
        for (size_t k = 0; k < len; k++) {
            if (msg[k] == '.' && (k == 0 || msg[k - 1] == '\n'))
                out[o++] = '.';
            out[o++] = msg[k];
        }
        memcpy(out + o, ".\r\n", 3);
        o += 3;
        double t0 = now();
        if (sendf(&cl->c, "MAIL FROM:<sender@example.org>\r\n") < 0 ||
            (code = lmtp_reply(&cl->c)) != 250) {
            note_error(cl, "MAIL", cl->c.eof ? NULL : cl->c.line);
            break;
        }
        int ok_rcpts = 0;
        for (int k = 0; k < opt_rcpts; k++) {
            user_name(rcpt, sizeof(rcpt), (i + k) % opt_users);
            if (sendf(&cl->c, "RCPT TO:<%s@%s>\r\n", rcpt, opt_domain) < 0 ||
                (code = lmtp_reply(&cl->c)) < 0) {
                note_error(cl, "RCPT", NULL);
                goto done;
            }
            if (code == 250)
                ok_rcpts++;
            else
                note_error(cl, "RCPT", cl->c.line);
        }
        if (!ok_rcpts) {
            sendf(&cl->c, "RSET\r\n");
            lmtp_reply(&cl->c);
            continue;
        }
        if (sendf(&cl->c, "DATA\r\n") < 0 || lmtp_reply(&cl->c) != 354) {
            note_error(cl, "DATA", cl->c.eof ? NULL : cl->c.line);
            break;
        }
        if (send_all(&cl->c, out, o) < 0)
            break;
        for (int k = 0; k < ok_rcpts; k++) {
            code = lmtp_reply(&cl->c);
            if (code == 250)
                w->delivered++;
            else {
                note_error(cl, "DATA reply", cl->c.eof ? NULL : cl->c.line);
                if (code < 0)
                    goto done;
            }
        }
        w->msgs++;
        record(&cl->st, OP_APPEND, t0);
    }
    sendf(&cl->c, "QUIT\r\n");
    lmtp_reply(&cl->c);
done:
    conn_close(&cl->c);
    free(msg);
    free(out);
    return NULL;
}

/* run_lmtp - the lmtp mode: opt_conns connections, then the RESULT line */
int run_lmtp(void)
{
    pthread_t *th = calloc((size_t)opt_conns, sizeof(*th));
    struct lmtp_worker *w = calloc((size_t)opt_conns, sizeof(*w));
    uint64_t delivered = 0, msgs = 0;
    double t0 = now(), el;

    for (int i = 0; i < opt_conns; i++) {
        w[i].id = i;
        w[i].cl.id = i;
        if (pthread_create(&th[i], NULL, lmtp_thread, &w[i]) != 0)
            die("pthread_create failed");
    }
    for (int i = 0; i < opt_conns; i++) {
        pthread_join(th[i], NULL);
        delivered += w[i].delivered;
        msgs += w[i].msgs;
        merge(&w[i].cl.st);
    }
    el = now() - t0;
    printf("RESULT mode=lmtp conns=%d msgs=%llu size=%d rcpts=%d secs=%.2f "
           "msgs_per_s=%.1f deliveries_per_s=%.1f avg_ms=%.2f p99_ms=%.2f "
           "errors=%llu\n", opt_conns, (unsigned long long)msgs, opt_size,
           opt_rcpts, el, msgs / el, delivered / el,
           total.count[OP_APPEND] ? 1000 * total.lat_sum[OP_APPEND] /
               total.count[OP_APPEND] : 0,
           percentile(total.hist, 0.99), (unsigned long long)total.errors);
    free(th);
    free(w);
    return total.errors || msgs < (uint64_t)opt_lmtp_msgs ? 1 : 0;
}
