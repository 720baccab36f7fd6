/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_bench.c - MUPDATE benchmark, run by hand against any RFC 3656
 * master (ours or Cyrus's): the option parser and the modes that load
 * and read the whole list.
 *   gen N     dump lines (ctl_mboxlist -u) for N remote entries: a big
 *             list is preloaded into a stopped master's mailboxes.db
 *   fill N    RESERVE+ACTIVATE N entries over -c connections, pairs/s
 *   update    a full UPDATE to a fresh client: time to the tagged OK
 * latency, reader and slavewait are in mupdate_bench_watch.c.  Shared
 * helpers (names, clock, samples, connect) are here too.  Results are
 * printed as "RESULT mode=... key=value" lines for bench/run-mupdate.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/mupdate_bench.h"
#include "imap/mboxlist.h"
#include "lib/buf.h"
#include "lib/startup.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

static const char *const folder_suffix[BENCH_PER_USER] = {
    "", ".Sent", ".Drafts", ".Trash",
};

void bench_die(const char *fmt, ...)
{
    va_list ap;

    fputs("mupdate_bench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void bench_name(unsigned long i, char *out, size_t size)
{
    snprintf(out, size, "user.u%06lu%s", i / BENCH_PER_USER,
             folder_suffix[i % BENCH_PER_USER]);
}

void bench_acl(unsigned long i, char *out, size_t size)
{
    snprintf(out, size, "u%06lu\tlrswipkxtecda\tadmin\tlrswipkxtecda\t",
             i / BENCH_PER_USER);
}

double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct mupdate_client *bench_connect(const struct bench_opts *o,
                                     const char *path)
{
    struct mupdate_client_params p;
    struct mupdate_client *c = NULL;
    const char *err = NULL;

    memset(&p, 0, sizeof(p));
    p.timeout_s = 60;
    if (path) {
        p.server = path;
        p.authname = "";
    } else {
        p.server = o->server;
        p.authname = o->user;
        p.password = o->password;
    }
    if (mupdate_connect(&p, &c, &err) != MUPDATE_OK)
        bench_die("cannot connect to %s: %s",
                  p.server ? p.server : "mupdate_server", err ? err : "?");
    return c;
}

void bench_sample_add(struct bench_samples *s, double secs)
{
    if (s->count == s->alloc) {
        s->alloc = s->alloc ? s->alloc * 2 : 256;
        s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
    }
    s->v[s->count++] = secs;
}

/* cmp_double - qsort order of doubles */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* percentile - the p-th percentile (0..1) of sorted v (nearest rank) */
static double percentile(const double *v, size_t n, double p)
{
    size_t k = (size_t)(p * (double)n + 0.999999);

    if (!n)
        return 0;
    return v[k ? (k > n ? n : k) - 1 : 0];
}

void bench_sample_report(const char *mode, const char *label,
                         struct bench_samples *s)
{
    qsort(s->v, s->count, sizeof(*s->v), cmp_double);
    printf("RESULT mode=%s who=%s samples=%zu p50_ms=%.2f p99_ms=%.2f "
           "max_ms=%.2f missed=%zu\n",
           mode, label, s->count, percentile(s->v, s->count, 0.50) * 1e3,
           percentile(s->v, s->count, 0.99) * 1e3,
           s->count ? s->v[s->count - 1] * 1e3 : 0.0, s->missed);
}

void bench_sample_free(struct bench_samples *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}

/* --- gen ------------------------------------------------------------- */

/* bench_gen - print N dump lines of remote entries at o->location */
static int bench_gen(const struct bench_opts *o)
{
    char name[64], acl[128], server[256];
    const char *bang = strchr(o->location, '!'), *err = NULL;
    struct mboxlist_entry e;
    struct buf val = BUF_INIT;
    unsigned long i;

    if (!bang || (size_t)(bang - o->location) >= sizeof(server))
        bench_die("location must be server!partition: %s", o->location);
    str_lcpy(server, o->location, (size_t)(bang - o->location) + 1);
    memset(&e, 0, sizeof(e));
    e.name = name;
    e.type = MBTYPE_REMOTE;
    e.server = server;
    e.partition = (char *)bang + 1;
    e.acl = acl;
    for (i = o->offset; i < o->offset + o->n; i++) {
        bench_name(i, name, sizeof(name));
        bench_acl(i, acl, sizeof(acl));
        buf_reset(&val);
        if (mboxlist_entry_encode(&e, &val, &err) != MBOXLIST_OK)
            bench_die("cannot encode %s: %s", name, err);
        printf("%s\t%s\n", name, buf_cstring(&val));
    }
    buf_free(&val);
    return fflush(stdout) ? 1 : 0;
}

/* --- fill ------------------------------------------------------------ */

/* fill_child - one writer connection: entries [from, to) once the parent
 * closes the go pipe; the number of failures is the exit status (255
 * max) */
static int fill_child(const struct bench_opts *o, unsigned long from,
                      unsigned long to, int ready_fd, int go_fd)
{
    struct mupdate_client *c = bench_connect(o, NULL);
    char name[64], acl[128], byte = 1;
    unsigned long i, failed = 0;

    if (write(ready_fd, &byte, 1) != 1)
        bench_die("fill: pipe: %s", strerror(errno));
    while (read(go_fd, &byte, 1) > 0)
        ;
    for (i = from; i < to; i++) {
        bench_name(i, name, sizeof(name));
        bench_acl(i, acl, sizeof(acl));
        if (mupdate_reserve(c, name, o->location) != MUPDATE_OK ||
            mupdate_activate(c, name, o->location, acl) != MUPDATE_OK) {
            if (!failed++)
                fprintf(stderr, "mupdate_bench: fill %s: %s\n", name,
                        mupdate_client_error(c));
        }
    }
    mupdate_disconnect(&c);
    return failed > 255 ? 255 : (int)failed;
}

/* bench_fill - N RESERVE+ACTIVATE pairs over o->conns processes */
static int bench_fill(const struct bench_opts *o)
{
    int ready[2], go[2], k, st, failed = 0;
    unsigned long share = (o->n + (unsigned long)o->conns - 1) / (unsigned long)o->conns;
    double t0, t1;
    char byte;

    if (pipe(ready) < 0 || pipe(go) < 0)
        bench_die("pipe: %s", strerror(errno));
    fflush(NULL);
    for (k = 0; k < o->conns; k++) {
        unsigned long from = o->offset + (unsigned long)k * share;
        unsigned long to = from + share;
        pid_t pid;

        if (to > o->offset + o->n)
            to = o->offset + o->n;
        if ((pid = fork()) < 0)
            bench_die("fork: %s", strerror(errno));
        if (pid == 0) {
            close(ready[0]);
            close(go[1]);
            _exit(fill_child(o, from, to, ready[1], go[0]));
        }
    }
    close(ready[1]);
    close(go[0]);
    for (k = 0; k < o->conns; k++)
        if (read(ready[0], &byte, 1) != 1)
            bench_die("fill: a writer could not connect");
    t0 = bench_now();
    close(go[1]);
    while (wait(&st) > 0)
        failed += WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    t1 = bench_now();
    printf("RESULT mode=fill conns=%d pairs=%lu secs=%.3f pairs_per_s=%.0f "
           "failed=%d\n", o->conns, o->n, t1 - t0,
           (double)o->n / (t1 - t0), failed);
    return failed ? 1 : 0;
}

/* --- update ---------------------------------------------------------- */

struct update_count {
    unsigned long mailbox, reserved;
    int listed;
};

/* update_entry_cb - count the initial list's entries */
static int update_entry_cb(void *rock, const struct mupdate_entry *e)
{
    struct update_count *uc = rock;

    if (e->kind == MUPDATE_MAILBOX)
        uc->mailbox++;
    else if (e->kind == MUPDATE_RESERVED)
        uc->reserved++;
    return 0;
}

/* update_event_cb - the tagged OK ending the list */
static int update_event_cb(void *rock, enum mupdate_event ev)
{
    struct update_count *uc = rock;

    if (ev == MUPDATE_EV_LISTED)
        uc->listed = 1;
    return 0;
}

/* bench_update - time the whole list to a fresh UPDATE client */
static int bench_update(const struct bench_opts *o)
{
    struct mupdate_client *c = bench_connect(o, NULL);
    struct update_count uc = { 0, 0, 0 };
    struct pollfd pfd;
    double t0 = bench_now(), t1;

    if (mupdate_update_start(c) != MUPDATE_OK)
        bench_die("UPDATE: %s", mupdate_client_error(c));
    pfd.fd = mupdate_update_fd(c);
    pfd.events = POLLIN;
    while (!uc.listed) {
        if (mupdate_update_read(c, update_entry_cb, update_event_cb, &uc) !=
            MUPDATE_OK)
            bench_die("UPDATE: %s", mupdate_client_error(c));
        if (uc.listed)
            break;
        if (bench_now() - t0 > o->secs)
            bench_die("UPDATE: no end of list after %.0f s (%lu entries)",
                      o->secs, uc.mailbox + uc.reserved);
        poll(&pfd, 1, 1000);
    }
    t1 = bench_now();
    printf("RESULT mode=update entries=%lu reserved=%lu secs=%.3f "
           "entries_per_s=%.0f\n", uc.mailbox, uc.reserved, t1 - t0,
           (double)(uc.mailbox + uc.reserved) / (t1 - t0));
    mupdate_disconnect(&c);
    if (o->n && uc.mailbox + uc.reserved < o->n)
        bench_die("UPDATE listed %lu entries, expected %lu",
                  uc.mailbox + uc.reserved, o->n);
    return 0;
}

/* --- main ------------------------------------------------------------ */

/* usage - the synopsis; exits 2 */
static void usage(void)
{
    fputs("usage: mupdate_bench [-C imapd.conf] [-s host:port] [-u user] "
          "[-w password]\n"
          "         [-l server!partition] [-n N] [-o first] [-t secs] MODE\n"
          "  gen      -n N              dump lines for ctl_mboxlist -u\n"
          "  fill     -n N -c CONNS     RESERVE+ACTIVATE pairs per second\n"
          "  update   [-n N]            full UPDATE: time to the tagged OK\n"
          "  latency  [-k SUBS] [-S sock,...] [-r ROUNDS] [-g GAP_MS] [-T LIMIT]\n"
          "           ACTIVATE OK -> MAILBOX on subscribers / FIND on slaves\n"
          "  reader   -C slave.conf -n N [-L log] [-t secs]\n"
          "           longest mboxlist_lookup during a slave's resync\n"
          "  slavewait -L slave.log [-C slave.conf -n N] [-t secs]\n"
          "           wait for the slave's synchronised line\n",
          stderr);
    exit(2);
}

/* parse_num - a non-negative decimal option value */
static unsigned long parse_num(const char *s, int opt)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        bench_die("-%c wants a number: %s", opt, s);
    return v;
}

/* parse_opts - command-line options into o; returns the mode */
static const char *parse_opts(int argc, char **argv, struct bench_opts *o)
{
    int ch;

    o->location = "127.0.0.11!default";
    o->conns = 1;
    o->subs = 10;
    o->rounds = 200;
    o->gap_ms = 10;
    o->secs = 120;
    o->limit = 5;
    while ((ch = getopt(argc, argv, "C:s:u:w:l:S:L:n:o:c:k:r:g:t:T:")) != -1) {
        switch (ch) {
        case 'C': o->conf = optarg; break;
        case 's': o->server = optarg; break;
        case 'u': o->user = optarg; break;
        case 'w': o->password = optarg; break;
        case 'l': o->location = optarg; break;
        case 'S': o->slaves = optarg; break;
        case 'L': o->logfile = optarg; break;
        case 'n': o->n = parse_num(optarg, ch); break;
        case 'o': o->offset = parse_num(optarg, ch); break;
        case 'c': o->conns = (int)parse_num(optarg, ch); break;
        case 'k': o->subs = (int)parse_num(optarg, ch); break;
        case 'r': o->rounds = (int)parse_num(optarg, ch); break;
        case 'g': o->gap_ms = (int)parse_num(optarg, ch); break;
        case 't': o->secs = (double)parse_num(optarg, ch); break;
        case 'T': o->limit = (double)parse_num(optarg, ch); break;
        default: usage();
        }
    }
    if (optind != argc - 1 || o->conns < 1 || o->conns > 256 ||
        o->subs > 10000 || o->rounds < 1)
        usage();
    return argv[optind];
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    const char *mode;

    memset(&o, 0, sizeof(o));
    mode = parse_opts(argc, argv, &o);
    if (o.conf)
        startup_tool("mupdate_bench", o.conf);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(mode, "gen"))
        return bench_gen(&o);
    if (!strcmp(mode, "fill"))
        return bench_fill(&o);
    if (!strcmp(mode, "update"))
        return bench_update(&o);
    if (!strcmp(mode, "latency"))
        return bench_latency(&o);
    if (!strcmp(mode, "reader"))
        return bench_reader(&o);
    if (!strcmp(mode, "slavewait"))
        return bench_slavewait(&o);
    usage();
}
