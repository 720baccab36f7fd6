/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * master_status.c - what master knows about its service children.
 *
 * Children report READY/BUSY/EXITING over their service's status pipe
 * (master_proto.h); a record is trusted only when its pid is a child of
 * that service and its generation is the one that child was started with.
 * This module also reaps exited children of every kind, decides how many
 * children each service needs (prefork=, babysit=, a waiting connection,
 * maxchild=, maxforkrate=, crash backoff) and asks surplus idle children
 * and children of an old generation to leave with SIGHUP.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "master/master.h"
#include "master/master_proto.h"

/* find_child - the child with this pid, or NULL */
static struct mchild *find_child(pid_t pid)
{
    for (struct mchild *c = master.children; c; c = c->next)
        if (c->pid == pid)
            return c;
    return NULL;
}

/* unlink_child - remove c from the child list (the caller frees it) */
static void unlink_child(struct mchild *c)
{
    for (struct mchild **pp = &master.children; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            return;
        }
}

/* apply_status - one validated record */
static void apply_status(struct mservice *s, const struct master_status_msg *m)
{
    struct mchild *c = find_child((pid_t)m->pid);

    if (!c) /* already reaped: the record was its last words */
        return;
    if (c->kind != MCHILD_SERVICE || c->service != s || c->generation != m->generation) {
        log_error("PROTOERR: status record does not match the child "
                  "name=<%s> pid=<%d> gen=<%u>", s->name, (int)m->pid, m->generation);
        return;
    }
    c->state = m->status == MASTER_STATUS_READY ? MCHILD_READY
             : m->status == MASTER_STATUS_BUSY ? MCHILD_BUSY : MCHILD_EXITING;
    c->state_ms = clock_now_ms();
    /* A stale child that was idle when SIGHUP came exits by itself; one that
     * reports ready again after its connection is reminded. */
    if (c->state == MCHILD_READY && c->hup_sent)
        kill(c->pid, SIGHUP);
}

void master_status_read(struct mservice *s)
{
    struct master_status_msg msgs[64];
    ssize_t n;

    while ((n = read(s->status_rd, msgs, sizeof(msgs))) > 0) {
        size_t count = (size_t)n / sizeof(msgs[0]);
        if ((size_t)n % sizeof(msgs[0]) != 0)
            log_error("PROTOERR: partial status record name=<%s> bytes=<%zd>",
                      s->name, n);
        for (size_t i = 0; i < count; i++) {
            const struct master_status_msg *m = &msgs[i];
            if (m->magic != MASTER_STATUS_MAGIC || m->status < MASTER_STATUS_READY ||
                m->status > MASTER_STATUS_EXITING) {
                log_error("PROTOERR: bad status record name=<%s>", s->name);
                continue;
            }
            apply_status(s, m);
        }
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
        log_error("IOERROR: status pipe read failed name=<%s> error=<%m>", s->name);
}

/* service_child_exited - bookkeeping and crash-loop backoff */
static void service_child_exited(struct mchild *c, int wstatus)
{
    struct mservice *s = c->service;
    int64_t now = clock_now_ms();
    int delay;

    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
        return;
    if (master.shutting_down || !s->e)
        return;
    delay = backoff_crash(&s->bo, now - c->started_ms);
    if (delay > 0) {
        s->not_before_ms = now + (int64_t)delay * 1000;
        log_error("service crashing in a loop name=<%s> listen=<%s> crashes=<%d> "
                  "backoff=<%d>", s->name, s->addr, s->bo.crashes, delay);
    }
}

void master_reap(void)
{
    int wstatus;
    pid_t pid;
    char st[64];

    while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
        struct mchild *c = find_child(pid);
        int clean = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;

        if (!c) {
            log_debug("unknown child reaped pid=<%d>", (int)pid);
            continue;
        }
        unlink_child(c);
        master_wait_status_str(wstatus, st, sizeof(st));
        if (clean || master.shutting_down || c->hup_sent)
            log_info("child exited name=<%s> pid=<%d> gen=<%u> status=<%s>",
                     c->name, (int)pid, c->generation, st);
        else
            log_error("child exited name=<%s> pid=<%d> gen=<%u> status=<%s>",
                      c->name, (int)pid, c->generation, st);
        switch (c->kind) {
        case MCHILD_SERVICE:
            service_child_exited(c, wstatus);
            break;
        case MCHILD_DAEMON:
            master_daemon_exited(c, wstatus);
            break;
        case MCHILD_EVENT:
            master_event_exited(c, wstatus);
            break;
        case MCHILD_START:
            break;
        }
        free(c->name);
        free(c);
    }
}

void master_tally(void)
{
    for (struct mservice *s = master.services; s; s = s->next)
        s->n_avail = s->n_ready = s->n_total = 0;
    for (struct mchild *c = master.children; c; c = c->next) {
        struct mservice *s = c->service;
        if (c->kind != MCHILD_SERVICE)
            continue;
        s->n_total++;
        if (c->generation != s->generation || c->hup_sent)
            continue;
        if (c->state == MCHILD_STARTING || c->state == MCHILD_READY)
            s->n_avail++;
        if (c->state == MCHILD_READY)
            s->n_ready++;
    }
}

/* service_want - how many idle children s keeps ready */
static int service_want(const struct mservice *s)
{
    int want = s->e->prefork;
    if (s->e->babysit && want < 1)
        want = 1;
    return want;
}

/* service_full - true when maxchild= forbids another child */
static int service_full(const struct mservice *s)
{
    return s->e->maxchild > 0 && s->n_total >= s->e->maxchild;
}

/* service_fill - fork what s is missing */
static void service_fill(struct mservice *s, int64_t now, int64_t *deadline)
{
    int need = service_want(s) - s->n_avail;

    if (s->pending && s->n_avail == 0 && need < 1)
        need = 1;
    while (need > 0 && !service_full(s)) {
        int64_t d;
        if (now < s->not_before_ms) {
            master_deadline(deadline, s->not_before_ms);
            return;
        }
        d = forkrate_delay_ms(&s->fr, now);
        if (d > 0) {
            master_deadline(deadline, now + d);
            return;
        }
        if (master_spawn_service(s) < 0) {
            master_deadline(deadline, now + 1000);
            return;
        }
        need--;
    }
    if (s->n_avail > 0)
        s->pending = 0;
}

/* service_trim - SIGHUP idle children beyond prefork after the timeout */
static void service_trim(struct mservice *s, int64_t now, int64_t *deadline)
{
    int surplus = s->n_ready - service_want(s);
    const int64_t idle_ms = (int64_t)MASTER_IDLE_TIMEOUT * 1000;

    for (struct mchild *c = master.children; c && surplus > 0; c = c->next) {
        if (c->service != s || c->state != MCHILD_READY || c->hup_sent ||
            c->generation != s->generation)
            continue;
        if (now - c->state_ms < idle_ms) {
            master_deadline(deadline, c->state_ms + idle_ms);
            continue;
        }
        log_debug("surplus idle child asked to exit name=<%s> pid=<%d>",
                  s->name, (int)c->pid);
        kill(c->pid, SIGHUP);
        c->hup_sent = 1;
        s->n_ready--;
        s->n_avail--;
        surplus--;
    }
}

void master_services_tend(int64_t now_ms, int64_t *deadline_ms)
{
    master_tally();
    for (struct mservice *s = master.services; s; s = s->next) {
        if (!s->e)
            continue;
        service_fill(s, now_ms, deadline_ms);
        service_trim(s, now_ms, deadline_ms);
    }
}

void master_service_recycle(struct mservice *s)
{
    for (struct mchild *c = master.children; c; c = c->next)
        if (c->service == s && c->generation != s->generation && !c->hup_sent) {
            kill(c->pid, SIGHUP);
            c->hup_sent = 1;
        }
}

void master_service_retire(struct mservice *s)
{
    log_info("service removed name=<%s> listen=<%s>", s->name, s->addr);
    master_listen_close(s->listen_fd, s->unix_path);
    s->listen_fd = -1;
    s->e = NULL;
    s->pending = 0;
    close(s->lock_fd);
    s->lock_fd = -1;
    close(s->status_wr);
    s->status_wr = -1;
    s->generation = 0; /* no child has it: all are recycled */
    master_service_recycle(s);
}

void master_service_free_unused(void)
{
    struct mservice **pp = &master.services;

    master_tally();
    while (*pp) {
        struct mservice *s = *pp;
        if (s->e || s->n_total > 0) {
            pp = &s->next;
            continue;
        }
        *pp = s->next;
        close(s->status_rd);
        free(s->name);
        free(s->addr);
        free(s->unix_path);
        free(s);
    }
}
