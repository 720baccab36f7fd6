/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * master_util.c - pure helpers shared by master and the service skeleton.
 *
 * Rate limiting and backoff are plain arithmetic on caller-supplied clocks
 * so they can be unit-tested without sleeping.  run_as_apply() runs in a
 * forked child before exec: it only makes system calls.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/str.h"
#include "master/master_util.h"

void forkrate_init(struct forkrate *fr, int rate, int64_t now_ms)
{
    fr->rate = rate;
    fr->tokens = rate;
    fr->last_ms = now_ms;
}

/* forkrate_refill - add the tokens earned since last_ms */
static void forkrate_refill(struct forkrate *fr, int64_t now_ms)
{
    if (now_ms > fr->last_ms) {
        fr->tokens += (double)(now_ms - fr->last_ms) * fr->rate / 1000.0;
        if (fr->tokens > fr->rate)
            fr->tokens = fr->rate;
    }
    fr->last_ms = now_ms;
}

int64_t forkrate_delay_ms(struct forkrate *fr, int64_t now_ms)
{
    if (fr->rate <= 0)
        return 0;
    forkrate_refill(fr, now_ms);
    if (fr->tokens >= 1.0)
        return 0;
    return (int64_t)((1.0 - fr->tokens) * 1000.0 / fr->rate) + 1;
}

void forkrate_take(struct forkrate *fr, int64_t now_ms)
{
    if (fr->rate <= 0)
        return;
    forkrate_refill(fr, now_ms);
    fr->tokens -= 1.0;
}

int backoff_crash(struct backoff *b, int64_t lived_ms)
{
    if (lived_ms >= (int64_t)MASTER_CRASH_WINDOW * 1000)
        backoff_reset(b);
    b->crashes++;
    if (b->crashes < MASTER_CRASH_LIMIT)
        return 0;
    b->delay_s = b->delay_s ? b->delay_s * 2 : 1;
    if (b->delay_s > MASTER_BACKOFF_MAX)
        b->delay_s = MASTER_BACKOFF_MAX;
    return b->delay_s;
}

void backoff_reset(struct backoff *b)
{
    b->crashes = 0;
    b->delay_s = 0;
}

time_t master_next_at(time_t now, int at_minutes)
{
    struct tm tm;
    time_t t;

    localtime_r(&now, &tm);
    tm.tm_hour = at_minutes / 60;
    tm.tm_min = at_minutes % 60;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    t = mktime(&tm);
    if (t <= now) {
        localtime_r(&now, &tm);
        tm.tm_mday++;
        tm.tm_hour = at_minutes / 60;
        tm.tm_min = at_minutes % 60;
        tm.tm_sec = 0;
        tm.tm_isdst = -1;
        t = mktime(&tm);
    }
    return t;
}

const char *master_wait_status_str(int wstatus, char *buf, size_t size)
{
    if (WIFEXITED(wstatus))
        snprintf(buf, size, "%d", WEXITSTATUS(wstatus));
    else if (WIFSIGNALED(wstatus))
        snprintf(buf, size, "signal %d%s", WTERMSIG(wstatus),
                 WCOREDUMP(wstatus) ? " core" : "");
    else
        snprintf(buf, size, "unknown 0x%x", (unsigned)wstatus);
    return buf;
}

const char *master_sockaddr_str(const struct sockaddr *sa, socklen_t len,
                                int sasl_style, char *buf, size_t size)
{
    char ip[INET6_ADDRSTRLEN];

    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        snprintf(buf, size, "%s%c%u", ip, sasl_style ? ';' : ':',
                 (unsigned)ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6 &&
               len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        if (sasl_style)
            snprintf(buf, size, "%s;%u", ip, (unsigned)ntohs(in6->sin6_port));
        else
            snprintf(buf, size, "[%s]:%u", ip, (unsigned)ntohs(in6->sin6_port));
    } else if (sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
        size_t n = len > offsetof(struct sockaddr_un, sun_path)
                       ? len - offsetof(struct sockaddr_un, sun_path) : 0;
        if (n > sizeof(un->sun_path))
            n = sizeof(un->sun_path);
        n = strnlen(un->sun_path, n);
        if (n)
            snprintf(buf, size, "%.*s", (int)n, un->sun_path);
        else
            str_lcpy(buf, "unix", size); /* an unnamed (client) socket */
    } else {
        str_lcpy(buf, "?", size);
    }
    return buf;
}

/* lookup_passwd - getpwnam, or getpwuid for an all-digit name */
static struct passwd *lookup_passwd(const char *user)
{
    long n;
    struct passwd *pw;
    errno = 0;
    pw = getpwnam(user);
    if (!pw && str_parse_long(user, 0, 0x7fffffff, &n) > 0)
        pw = getpwuid((uid_t)n);
    return pw;
}

int run_as_lookup(const char *user, struct run_as *ra, const char **error_r)
{
    struct passwd *pw;
    int n = RUN_AS_MAX_GROUPS;

    memset(ra, 0, sizeof(*ra));
    if (!user || !*user) {
        *error_r = "empty user name";
        return -1;
    }
    pw = lookup_passwd(user);
    if (!pw) {
        if (errno && errno != ENOENT && errno != ESRCH) {
            *error_r = strerror(errno);
            return -1;
        }
        *error_r = "no such user";
        return 0;
    }
    if (str_lcpy(ra->name, pw->pw_name, sizeof(ra->name)) >= sizeof(ra->name)) {
        *error_r = "user name too long";
        return -1;
    }
    ra->uid = pw->pw_uid;
    ra->gid = pw->pw_gid;
    if (getgrouplist(ra->name, ra->gid, ra->groups, &n) < 0) {
        *error_r = "user is in too many groups";
        return -1;
    }
    ra->ngroups = n;
    return 1;
}

int run_as_apply(const struct run_as *ra, const char **error_r)
{
    if (setgroups((size_t)ra->ngroups, ra->groups) < 0) {
        *error_r = "setgroups";
        return -1;
    }
    if (setgid(ra->gid) < 0) {
        *error_r = "setgid";
        return -1;
    }
    if (setuid(ra->uid) < 0) {
        *error_r = "setuid";
        return -1;
    }
    if (ra->uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
        errno = EPERM;
        *error_r = "root privileges could be regained";
        return -1;
    }
    return 1;
}
