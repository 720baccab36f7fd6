/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_bench.h - shared parts of the MUPDATE benchmark (bench/
 * mupdate_bench*.c): the options of a run, the synthetic mailbox names,
 * the clock, latency samples, and connecting with the client library.
 * Run by hand (bench/run-mupdate, bench/README.md); errors go to stderr
 * and end the run with exit 1.
 */
#ifndef BENCH_MUPDATE_BENCH_H
#define BENCH_MUPDATE_BENCH_H

#include <stddef.h>

#include "mupdate/mupdate_client.h"

/* Mailboxes per synthetic user: user.uNNNNNN and three folders. */
#define BENCH_PER_USER 4

struct bench_opts {
    const char *conf;       /* -C imapd.conf (cyrus_user, DB, log) */
    const char *server;     /* -s host:port of the master */
    const char *user;       /* -u SASL authname (admin) */
    const char *password;   /* -w */
    const char *location;   /* -l "server!partition" of new entries */
    const char *slaves;     /* -S comma-separated slave socket paths */
    const char *logfile;    /* -L a slave's log file to watch */
    unsigned long n;        /* -n entries */
    unsigned long offset;   /* -o first entry number */
    int conns;              /* -c writer connections (fill) */
    int subs;               /* -k UPDATE subscribers (latency) */
    int rounds;             /* -r changes timed (latency) */
    int gap_ms;             /* -g pause between changes (latency) */
    double secs;            /* -t time limit of a wait or a run */
    double limit;           /* -T how long one change may take (latency) */
};

/* bench_name - the name of entry i ("user.u000042.Sent") into out. */
void bench_name(unsigned long i, char *out, size_t size);
/* bench_acl - the ACL of entry i ("u000042<TAB>lrswipkxtecda<TAB>"). */
void bench_acl(unsigned long i, char *out, size_t size);

/* bench_now - monotonic seconds. */
double bench_now(void);

/* bench_connect - a client to the master of o (-s/-u/-w, or imapd.conf's
 * mupdate_* options), or to a slave's unix socket when path is set (no
 * authentication).  Exits on failure. */
struct mupdate_client *bench_connect(const struct bench_opts *o,
                                     const char *path);

/* Latency samples in seconds. */
struct bench_samples {
    double *v;
    size_t count, alloc;
    size_t missed;          /* never seen within the time limit */
};
void bench_sample_add(struct bench_samples *s, double secs);
/* bench_sample_report - a RESULT line: count, p50, p99, max (ms), missed;
 * sorts s. */
void bench_sample_report(const char *mode, const char *label,
                         struct bench_samples *s);
void bench_sample_free(struct bench_samples *s);

/* bench_die - print "mupdate_bench: ..." to stderr and exit 1. */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
                                                    noreturn));

/* The modes of mupdate_bench_watch.c. */
int bench_latency(const struct bench_opts *o);
int bench_reader(const struct bench_opts *o);
int bench_slavewait(const struct bench_opts *o);

#endif /* BENCH_MUPDATE_BENCH_H */
