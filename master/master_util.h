/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * master_util.h - pure helpers of master and the service skeleton.
 *
 * Fork-rate limiting, crash-loop backoff, event times, wait-status and
 * socket-address formatting, and the run-as-user switch.  No globals, no
 * logging: callers decide what to say.  Unit-tested in cunit/master_util.c.
 */
#ifndef MASTER_MASTER_UTIL_H
#define MASTER_MASTER_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

/* A crashed child is respawned at once until MASTER_CRASH_LIMIT children
 * in a row died within MASTER_CRASH_WINDOW seconds of being started; then
 * each respawn waits 1, 2, 4 ... up to MASTER_BACKOFF_MAX seconds.  A child
 * that lives longer than the window ends the loop. */
#define MASTER_CRASH_WINDOW   10
#define MASTER_CRASH_LIMIT    5
#define MASTER_BACKOFF_MAX    60

/* forkrate - token bucket for cyrus.conf maxforkrate= (forks per second,
 * on average, with bursts of up to `rate` forks).  rate 0: unlimited. */
struct forkrate {
    int rate;
    double tokens;
    int64_t last_ms;
};

/* forkrate_init - set the rate (a full bucket). */
void forkrate_init(struct forkrate *fr, int rate, int64_t now_ms);
/* forkrate_delay_ms - 0 when a fork is allowed now, else the number of
 * milliseconds until it is. */
int64_t forkrate_delay_ms(struct forkrate *fr, int64_t now_ms);
/* forkrate_take - account for one fork (call after forkrate_delay_ms
 * said 0). */
void forkrate_take(struct forkrate *fr, int64_t now_ms);

struct backoff {
    int crashes;   /* quick deaths in a row */
    int delay_s;   /* current delay before the next start */
};

/* backoff_crash - a child died abnormally after living lived_ms.
 * Returns the seconds to wait before starting the next one (0: now). */
int backoff_crash(struct backoff *b, int64_t lived_ms);
/* backoff_reset - forget the history (e.g. after a reload). */
void backoff_reset(struct backoff *b);


/* master_next_at - the first time after now whose local time is
 * at_minutes after midnight (DST-aware through mktime). */
time_t master_next_at(time_t now, int at_minutes);

/* master_wait_status_str - "0".."255" for an exit code, "signal N" for a
 * death by signal (" core" appended when a core was dumped); returns buf. */
const char *master_wait_status_str(int wstatus, char *buf, size_t size);

/* master_sockaddr_str - "1.2.3.4:143", "[::1]:143", a unix path, or "?"
 * when sasl_style is 0; "1.2.3.4;143" / "::1;143" (the form cyrus-sasl
 * wants for iplocalport/ipremoteport) when sasl_style is 1.  Returns buf. */
const char *master_sockaddr_str(const struct sockaddr *sa, socklen_t len,
                                int sasl_style, char *buf, size_t size);

/* The user children run as. */
#define RUN_AS_MAX_GROUPS 256
struct run_as {
    char name[64];
    uid_t uid;
    gid_t gid;
    int ngroups;
    gid_t groups[RUN_AS_MAX_GROUPS];
};

/* run_as_lookup - resolve user (name or number) with its primary and
 * supplementary groups.  Returns 1, 0 when no such user, -1 on a lookup
 * error or a name too long, with *error_r (static storage). */
int run_as_lookup(const char *user, struct run_as *ra, const char **error_r);
/* run_as_apply - setgroups, setgid, setuid (in that order) and check that
 * root cannot be regained.  Makes no allocation, so it is safe between
 * fork and exec.  Returns 1, or -1 with *error_r naming the failed call
 * (errno set). */
int run_as_apply(const struct run_as *ra, const char **error_r);

#endif /* MASTER_MASTER_UTIL_H */
