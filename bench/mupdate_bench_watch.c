/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_bench_watch.c - the modes of mupdate_bench that watch changes
 * travel: latency (a writer's ACTIVATE OK until UPDATE subscribers see
 * the MAILBOX line and slaves answer FIND from their local list), reader
 * (mboxlist lookups on a slave's mailboxes.db while it resyncs: how long
 * one lookup can be held up) and slavewait (until a slave's log says its
 * initial list is committed).  Called from main() in mupdate_bench.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench/mupdate_bench.h"
#include "imap/mboxlist.h"
#include "lib/buf.h"
#include "lib/db.h"
#include "lib/startup.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* --- following a log file ---------------------------------------------- */

struct logwatch {
    const char *path;
    int fd;                   /* -1 until the file exists */
    struct buf pending;       /* an incomplete last line */
};

/* logwatch_open - follow path from its current end (from its start when
 * it does not exist yet) */
static void logwatch_open(struct logwatch *lw, const char *path)
{
    lw->path = path;
    lw->fd = open(path, O_RDONLY);
    if (lw->fd < 0 && errno != ENOENT)
        bench_die("cannot open %s: %s", path, strerror(errno));
    if (lw->fd >= 0)
        lseek(lw->fd, 0, SEEK_END);
    memset(&lw->pending, 0, sizeof(lw->pending));
}

/* logwatch_find - read what was appended; 1 with the first new line
 * containing needle in *line (the rest stays unread), else 0 */
static int logwatch_find(struct logwatch *lw, const char *needle,
                         struct buf *line)
{
    char chunk[8192];
    ssize_t n;

    for (;;) {
        const char *s = buf_cstring(&lw->pending), *nl;

        while ((nl = strchr(s, '\n'))) {
            if (memmem(s, (size_t)(nl - s), needle, strlen(needle))) {
                buf_setmap(line, s, (size_t)(nl - s));
                buf_remove_prefix(&lw->pending, (size_t)(nl + 1 - lw->pending.s));
                return 1;
            }
            s = nl + 1;
        }
        buf_remove_prefix(&lw->pending, (size_t)(s - lw->pending.s));
        if (lw->fd < 0 && (lw->fd = open(lw->path, O_RDONLY)) < 0)
            return 0;
        if ((n = read(lw->fd, chunk, sizeof(chunk))) <= 0)
            return 0;
        buf_appendmap(&lw->pending, chunk, (size_t)n);
    }
}

/* log_secs - seconds of the day of a log line's "...THH:MM:SS.mmmZ" */
static double log_secs(const char *line)
{
    const char *t = strchr(line, 'T');
    int h, m, s, ms;

    if (!t || sscanf(t, "T%d:%d:%d.%dZ", &h, &m, &s, &ms) != 4)
        return -1;
    return h * 3600.0 + m * 60.0 + s + ms / 1000.0;
}

/* --- opening a slave's list ---------------------------------------------- */

/* open_list - the mailboxes.db of -C, waiting up to secs for it to
 * appear (a fresh slave creates it) */
static void open_list(double secs)
{
    double t0 = bench_now();
    int r;

    if (startup_db(0) != DB_OK)
        bench_die("cannot open the database environment");
    while ((r = mboxlist_open(0)) == MBOXLIST_NOTFOUND &&
           bench_now() - t0 < secs)
        usleep(2000);
    if (r != MBOXLIST_OK)
        bench_die("cannot open the mailbox list: %s", mboxlist_errstr(r));
}

/* count_cb - count entries */
static int count_cb(void *rock, const struct mboxlist_entry *e)
{
    (void)e;
    ++*(unsigned long *)rock;
    return 0;
}

/* --- latency --------------------------------------------------------------- */

struct lat_state {
    char name[64];            /* the mailbox of this round */
    double t_ok;              /* when the writer's ACTIVATE was answered */
    struct bench_samples subs;
    int pending;
};

struct lat_sub {
    struct mupdate_client *c;
    struct lat_state *st;
    int listed, seen;
};

/* lat_entry_cb - a subscriber's streamed entry */
static int lat_entry_cb(void *rock, const struct mupdate_entry *e)
{
    struct lat_sub *s = rock;

    if (!s->seen && s->listed && e->kind == MUPDATE_MAILBOX &&
        !strcmp(e->name, s->st->name)) {
        s->seen = 1;
        s->st->pending--;
        bench_sample_add(&s->st->subs, bench_now() - s->st->t_ok);
    }
    return 0;
}

/* lat_event_cb - a subscriber's initial list is over */
static int lat_event_cb(void *rock, enum mupdate_event ev)
{
    struct lat_sub *s = rock;

    if (ev == MUPDATE_EV_LISTED)
        s->listed = 1;
    return 0;
}

/* lat_drain - read what every subscriber has (never blocks) */
static void lat_drain(struct lat_sub *subs, int n)
{
    int i;

    for (i = 0; i < n; i++)
        if (mupdate_update_read(subs[i].c, lat_entry_cb, lat_event_cb,
                                &subs[i]) != MUPDATE_OK)
            bench_die("subscriber %d: %s", i, mupdate_client_error(subs[i].c));
}

/* lat_subscribe - n UPDATE clients, each through its initial list */
static struct lat_sub *lat_subscribe(const struct bench_opts *o,
                                     struct lat_state *st)
{
    struct lat_sub *subs = xzmalloc(sizeof(*subs) * (size_t)(o->subs + 1));
    double t0 = bench_now();
    int i, listed;

    for (i = 0; i < o->subs; i++) {
        subs[i].c = bench_connect(o, NULL);
        subs[i].st = st;
        if (mupdate_update_start(subs[i].c) != MUPDATE_OK)
            bench_die("UPDATE: %s", mupdate_client_error(subs[i].c));
    }
    do {
        lat_drain(subs, o->subs);
        for (i = listed = 0; i < o->subs; i++)
            listed += subs[i].listed;
        if (bench_now() - t0 > o->secs)
            bench_die("only %d of %d subscribers listed", listed, o->subs);
        if (listed < o->subs)
            usleep(1000);
    } while (listed < o->subs);
    return subs;
}

/* lat_round - one change: RESERVE+ACTIVATE, then wait until every
 * subscriber saw it and every slave finds it */
static void lat_round(const struct bench_opts *o, struct mupdate_client *w,
                      struct lat_state *st, struct lat_sub *subs,
                      struct mupdate_client **slaves, int nslaves,
                      struct bench_samples *sl)
{
    struct pollfd *pfd = xzmalloc(sizeof(*pfd) * (size_t)(o->subs + 1));
    char *seen = xzmalloc((size_t)nslaves + 1);
    struct mupdate_entry e;
    int i, left = nslaves;
    char acl[] = "admin\tlrswipkxtecda\t";

    for (i = 0; i < o->subs; i++) {
        subs[i].seen = 0;
        pfd[i].fd = mupdate_update_fd(subs[i].c);
        pfd[i].events = POLLIN;
    }
    st->pending = o->subs;
    if (mupdate_reserve(w, st->name, o->location) != MUPDATE_OK ||
        mupdate_activate(w, st->name, o->location, acl) != MUPDATE_OK)
        bench_die("writer %s: %s", st->name, mupdate_client_error(w));
    st->t_ok = bench_now();
    while ((st->pending || left) && bench_now() - st->t_ok < o->limit) {
        lat_drain(subs, o->subs);
        for (i = 0; i < nslaves; i++) {
            if (seen[i])
                continue;
            int r = mupdate_find(slaves[i], st->name, &e);
            if (r == MUPDATE_OK && e.kind == MUPDATE_MAILBOX) {
                seen[i] = 1;
                left--;
                bench_sample_add(sl, bench_now() - st->t_ok);
            } else if (r != MUPDATE_OK && r != MUPDATE_NOTFOUND) {
                bench_die("slave %d FIND: %s", i,
                          mupdate_client_error(slaves[i]));
            }
        }
        if (st->pending && !left)
            poll(pfd, (nfds_t)o->subs, 1);
    }
    st->subs.missed += (size_t)st->pending;
    sl->missed += (size_t)left;
    free(pfd);
    free(seen);
}

int bench_latency(const struct bench_opts *o)
{
    struct lat_state st;
    struct lat_sub *subs;
    struct mupdate_client *w, **slaves = NULL;
    struct bench_samples sl;
    struct strarray paths = STRARRAY_INIT;
    int i, r;

    memset(&st, 0, sizeof(st));
    memset(&sl, 0, sizeof(sl));
    if (o->slaves)
        strarray_split(&paths, o->slaves, ",");
    subs = lat_subscribe(o, &st);
    slaves = xzmalloc(sizeof(*slaves) * ((size_t)paths.count + 1));
    for (i = 0; i < (int)paths.count; i++)
        slaves[i] = bench_connect(o, strarray_nth(&paths, (size_t)i));
    w = bench_connect(o, NULL);
    for (r = 0; r < o->rounds; r++) {
        snprintf(st.name, sizeof(st.name), "user.lat%ld.r%05d",
                 (long)getpid(), r);
        lat_round(o, w, &st, subs, slaves, (int)paths.count, &sl);
        usleep((useconds_t)o->gap_ms * 1000);
        lat_drain(subs, o->subs);
    }
    if (o->subs)
        bench_sample_report("latency", "subscribers", &st.subs);
    if (paths.count)
        bench_sample_report("latency", "slaves", &sl);
    for (r = 0; r < o->rounds; r++) {
        snprintf(st.name, sizeof(st.name), "user.lat%ld.r%05d",
                 (long)getpid(), r);
        mupdate_delete(w, st.name);
    }
    mupdate_disconnect(&w);
    for (i = 0; i < o->subs; i++)
        mupdate_disconnect(&subs[i].c);
    for (i = 0; i < (int)paths.count; i++)
        mupdate_disconnect(&slaves[i]);
    free(subs);
    free(slaves);
    strarray_fini(&paths);
    bench_sample_free(&st.subs);
    bench_sample_free(&sl);
    return 0;
}

/* --- reader ---------------------------------------------------------------- */

/* What one slow lookup cost: wall and own CPU time, page faults and
 * context switches (voluntary: it slept on I/O or a lock; involuntary:
 * the scheduler preempted it).  Tells reader work from waiting. */
struct slow_lookup {
    double wall, cpu;
    long majflt, minflt, nvcsw, nivcsw;
};

/* cpu_now - this thread's CPU seconds */
static double cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* slow_keep - remember sl if it is among the NSLOW slowest */
#define NSLOW 5
static void slow_keep(struct slow_lookup *top, const struct slow_lookup *sl)
{
    int i = NSLOW - 1;

    if (sl->wall <= top[i].wall)
        return;
    while (i > 0 && top[i - 1].wall < sl->wall) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = *sl;
}

/* timed_lookup - one mboxlist_lookup; its cost into *sl; 1 when found */
static int timed_lookup(const char *name, struct slow_lookup *sl)
{
    struct rusage ra, rb;
    double a, ca;
    int found;

    getrusage(RUSAGE_THREAD, &ra);
    ca = cpu_now();
    a = bench_now();
    found = mboxlist_lookup(name, NULL) == MBOXLIST_OK;
    sl->wall = bench_now() - a;
    sl->cpu = cpu_now() - ca;
    getrusage(RUSAGE_THREAD, &rb);
    sl->majflt = rb.ru_majflt - ra.ru_majflt;
    sl->minflt = rb.ru_minflt - ra.ru_minflt;
    sl->nvcsw = rb.ru_nvcsw - ra.ru_nvcsw;
    sl->nivcsw = rb.ru_nivcsw - ra.ru_nivcsw;
    return found;
}

/* reader_report - the RESULT lines of the reader mode (sorts s) */
static void reader_report(struct bench_samples *s, unsigned long found,
                          double secs, double synced_s, unsigned long slow1,
                          unsigned long slow5, unsigned long slow5_cpu,
                          const struct slow_lookup *top)
{
    size_t k;

    bench_sample_report("reader", "lookups", s);   /* sorts s */
    k = s->count;
    printf("RESULT mode=reader lookups=%zu found=%lu secs=%.2f "
           "synced_after_s=%.2f p999_ms=%.3f max_ms=%.3f over_1ms=%lu "
           "over_5ms=%lu over_5ms_cpu=%lu\n", k, found, secs, synced_s,
           k ? s->v[(size_t)((double)k * 0.999)] * 1e3 : 0.0,
           k ? s->v[k - 1] * 1e3 : 0.0, slow1, slow5, slow5_cpu);
    for (int i = 0; i < NSLOW && top[i].wall > 0; i++)
        printf("RESULT mode=reader_slow%d wall_ms=%.3f cpu_ms=%.3f "
               "majflt=%ld minflt=%ld nvcsw=%ld nivcsw=%ld\n", i,
               top[i].wall * 1e3, top[i].cpu * 1e3, top[i].majflt,
               top[i].minflt, top[i].nvcsw, top[i].nivcsw);
}

int bench_reader(const struct bench_opts *o)
{
    struct logwatch lw = { NULL, -1, BUF_INIT };
    struct bench_samples s;
    struct slow_lookup top[NSLOW], sl;
    struct buf line = BUF_INIT;
    unsigned long found = 0, slow1 = 0, slow5 = 0, slow5_cpu = 0, i;
    double t0, end, synced = 0, last_check = 0;
    char name[64];

    if (!o->conf || !o->n)
        bench_die("reader needs -C slave.conf and -n N");
    memset(&s, 0, sizeof(s));
    memset(top, 0, sizeof(top));
    if (o->logfile)
        logwatch_open(&lw, o->logfile);
    open_list(o->secs);
    t0 = bench_now();
    end = t0 + o->secs;
    srandom((unsigned)getpid());
    for (;;) {
        double b;

        i = o->offset + (unsigned long)random() % o->n;
        bench_name(i, name, sizeof(name));
        found += timed_lookup(name, &sl);
        b = bench_now();
        bench_sample_add(&s, sl.wall);
        slow1 += sl.wall > 0.001;
        slow5 += sl.wall > 0.005;
        slow5_cpu += sl.cpu > 0.005;
        slow_keep(top, &sl);
        if (b > end || (synced && b > synced + 0.5))
            break;
        if (lw.path && !synced && b - last_check > 0.05) {
            last_check = b;
            if (logwatch_find(&lw, "mupdate slave synchronised", &line))
                synced = b;
        }
    }
    reader_report(&s, found, bench_now() - t0, synced ? synced - t0 : -1.0,
                  slow1, slow5, slow5_cpu, top);
    bench_sample_free(&s);
    buf_free(&line);
    buf_free(&lw.pending);
    mboxlist_close();
    db_done();
    return 0;
}

/* --- slavewait ------------------------------------------------------------- */

int bench_slavewait(const struct bench_opts *o)
{
    struct logwatch lw;
    struct buf line = BUF_INIT;
    double t0 = bench_now(), t_conn = -1, t_sync, conn_ts = -1, sync_ts;
    unsigned long count = 0;

    if (!o->logfile)
        bench_die("slavewait needs -L slave.log");
    logwatch_open(&lw, o->logfile);
    /* the connected line comes first; the synchronised one may follow in
     * the same read, so look for it from the connected line on */
    while (t_conn < 0 && bench_now() - t0 < o->secs) {
        if (logwatch_find(&lw, "mupdate slave connected", &line)) {
            t_conn = bench_now();
            conn_ts = log_secs(buf_cstring(&line));
        } else {
            usleep(2000);
        }
    }
    while (!logwatch_find(&lw, "mupdate slave synchronised", &line)) {
        if (bench_now() - t0 > o->secs)
            bench_die("no synchronised line in %s after %.0f s", o->logfile,
                      o->secs);
        usleep(2000);
    }
    t_sync = bench_now();
    sync_ts = log_secs(buf_cstring(&line));
    printf("RESULT mode=slavewait wall_s=%.3f log_connected_to_synced_s=%.3f "
           "line=\"%s\"\n", t_sync - t0,
           conn_ts >= 0 && sync_ts >= 0 ? sync_ts - conn_ts : -1.0,
           strstr(buf_cstring(&line), "entries=") ?
               strstr(buf_cstring(&line), "entries=") : "");
    if (o->conf && o->n) {
        open_list(5);
        if (mboxlist_foreach("user.u", count_cb, &count) < 0)
            bench_die("cannot walk the slave's list");
        printf("RESULT mode=slavecount entries=%lu expected=%lu\n", count, o->n);
        mboxlist_close();
        db_done();
        if (count != o->n)
            bench_die("the slave has %lu entries, expected %lu", count, o->n);
    }
    buf_free(&line);
    buf_free(&lw.pending);
    close(lw.fd);
    return 0;
}
