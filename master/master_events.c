/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * master_events.c - the START, EVENTS and DAEMON sections.
 *
 * START entries run in file order before anything listens, each waited
 * for; one failing stops master (a failed database recovery must not be
 * served).  EVENTS run every period= minutes (first right after start) or
 * daily at at=HHMM local time; a run is skipped while the previous one is
 * still going.  DAEMON entries are started before the services (wait=y
 * ones one at a time, each until it writes "ok\r\n" to fd 3) and restarted
 * when they exit, with the crash-loop backoff of master_util.h.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "master/master.h"
#include "master/master_proto.h"

/* plain_req - a spawn request without contract descriptors */
static void plain_req(struct spawn_req *req, const struct cyrusconf_entry *e)
{
    memset(req, 0, sizeof(*req));
    req->name = e->name;
    req->argv = &e->argv;
    req->generation = master.generation;
    req->status_fd = req->listen_fd = req->lock_fd = req->ready_fd = -1;
}

/* start_abort - SIGTERM arrived while a START entry runs: stop it (SIGTERM,
 * SIGKILL after the grace period), reap it and exit.  Nothing is bound and
 * no pidfile exists yet, so there is nothing else to undo. */
static void start_abort(pid_t pid, const char *name, int termsig)
    __attribute__((noreturn));
static void start_abort(pid_t pid, const char *name, int termsig)
{
    int64_t kill_at = clock_now_ms() + (int64_t)MASTER_TERM_GRACE * 1000;
    int wstatus;

    log_info("shutting down during start signal=<%d> name=<%s>", termsig, name);
    kill(pid, SIGTERM);
    while (waitpid(pid, &wstatus, WNOHANG) == 0) {
        if (clock_now_ms() >= kill_at) {
            log_warning("start command did not stop, killing name=<%s> pid=<%d>",
                        name, (int)pid);
            kill(pid, SIGKILL);
            kill_at = INT64_MAX;
        }
        poll(NULL, 0, 50);
    }
    log_info("exiting");
    exit(EX_OK);
}

/* start_wait - wait for a START entry to finish, still answering SIGTERM
 * (a hung recovery must not make master unstoppable).  A SIGHUP during
 * START is dropped: the configuration is read after START anyway. */
static int start_wait(pid_t pid, const char *name, int sig_fd)
{
    int wstatus, termsig = 0;

    for (;;) {
        struct pollfd p = { sig_fd, POLLIN, 0 };
        pid_t r = waitpid(pid, &wstatus, WNOHANG);
        if (r == pid)
            return wstatus;
        if (r < 0 && errno != EINTR)
            fatal(EX_OSERR, "waitpid failed name=<%s> error=<%m>", name);
        poll(&p, 1, 200);
        if (master_signals_take(&termsig) & MASTER_SIG_TERM)
            start_abort(pid, name, termsig);
    }
}

void master_run_start(int sig_fd)
{
    for (size_t i = 0; i < master.conf->count; i++) {
        const struct cyrusconf_entry *e = master.conf->entries[i];
        struct spawn_req req;
        int wstatus;
        char st[64];
        pid_t pid;

        if (e->section != CYRUSCONF_START)
            continue;
        plain_req(&req, e);
        pid = master_spawn(&req);
        if (pid < 0)
            fatal(EX_OSERR, "cannot run start command name=<%s>", e->name);
        wstatus = start_wait(pid, e->name, sig_fd);
        master_wait_status_str(wstatus, st, sizeof(st));
        if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == EX_TEMPFAIL) {
            /* temporary trouble (ctl_mboxlist -m without its MUPDATE
             * master): the services can still run, so go on */
            log_warning("start command failed temporarily, starting anyway "
                        "name=<%s> cmd=<%s> status=<%s>", e->name,
                        e->cmdline, st);
            continue;
        }
        if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
            fatal(EX_UNAVAILABLE, "start command failed name=<%s> cmd=<%s> status=<%s>",
                  e->name, e->cmdline, st);
        log_info("start command finished name=<%s> status=<%s>", e->name, st);
    }
}

/* ---- DAEMON ---- */

/* daemon_wait_ok - read "ok\r\n" from a wait=y daemon; 1 ok, -1 not */
static int daemon_wait_ok(int fd, const char *name)
{
    char got[8];
    size_t have = 0, want = strlen(MASTER_DAEMON_READY);
    int64_t deadline = clock_now_ms() + (int64_t)MASTER_DAEMON_WAIT * 1000;

    while (have < want) {
        struct pollfd p = { fd, POLLIN, 0 };
        int64_t left = deadline - clock_now_ms();
        ssize_t n;
        if (left <= 0) {
            log_error("daemon did not report ready name=<%s> timeout=<%d>", name,
                      MASTER_DAEMON_WAIT);
            return -1;
        }
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            return -1;
        if (!(p.revents & (POLLIN | POLLHUP)))
            continue;
        n = read(fd, got + have, want - have);
        if (n <= 0 || memcmp(got + have, &MASTER_DAEMON_READY[have], (size_t)n) != 0) {
            log_error("daemon failed to report ready name=<%s>", name);
            return -1;
        }
        have += (size_t)n;
    }
    return 1;
}

/* daemon_spawn - start d; with wait, block until it reports ready */
static int daemon_spawn(struct mdaemon *d, int wait)
{
    struct spawn_req req;
    int p[2] = { -1, -1 };
    struct mchild *c;
    pid_t pid;

    plain_req(&req, d->e);
    if (wait) {
        if (pipe2(p, O_CLOEXEC) < 0)
            fatal(EX_OSERR, "IOERROR: pipe failed error=<%m>");
        req.ready_fd = p[1];
    }
    pid = master_spawn(&req);
    if (p[1] >= 0)
        close(p[1]);
    if (pid < 0) {
        if (p[0] >= 0)
            close(p[0]);
        return -1;
    }
    d->pid = pid;
    d->generation = master.generation;
    c = master_child_add(pid, MCHILD_DAEMON, d->name, d->generation);
    c->daemon = d;
    log_info("daemon started name=<%s> pid=<%d>", d->name, (int)pid);
    if (wait) {
        int r = daemon_wait_ok(p[0], d->name);
        close(p[0]);
        if (r < 0)
            fatal(EX_UNAVAILABLE, "daemon did not start name=<%s> cmd=<%s>",
                  d->name, d->e->cmdline);
        log_info("daemon ready name=<%s> pid=<%d>", d->name, (int)pid);
    }
    return 1;
}

/* daemon_new - an mdaemon for e, appended to the list */
static struct mdaemon *daemon_new(const struct cyrusconf_entry *e)
{
    struct mdaemon *d = xzmalloc(sizeof(*d)), **pp = &master.daemons;
    d->name = xstrdup(e->name);
    d->e = e;
    while (*pp)
        pp = &(*pp)->next;
    *pp = d;
    return d;
}

/* daemon_free - unlink and free d */
static void daemon_free(struct mdaemon *d)
{
    for (struct mdaemon **pp = &master.daemons; *pp; pp = &(*pp)->next)
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    free(d->name);
    free(d);
}

void master_daemons_start(void)
{
    for (int pass = 1; pass >= 0; pass--)
        for (size_t i = 0; i < master.conf->count; i++) {
            const struct cyrusconf_entry *e = master.conf->entries[i];
            if (e->section == CYRUSCONF_DAEMON && e->wait == pass &&
                daemon_spawn(daemon_new(e), pass) < 0)
                fatal(EX_OSERR, "cannot start daemon name=<%s>", e->name);
        }
}

void master_daemon_exited(struct mchild *c, int wstatus)
{
    struct mdaemon *d = c->daemon;
    int64_t now = clock_now_ms();
    int delay;

    if (!d)
        return;
    d->pid = 0;
    if (!d->e) {
        daemon_free(d);
        return;
    }
    if (master.shutting_down)
        return;
    delay = backoff_crash(&d->bo, now - c->started_ms);
    d->not_before_ms = now + (int64_t)delay * 1000;
    if (delay > 0)
        log_error("daemon crashing in a loop name=<%s> crashes=<%d> backoff=<%d>",
                  d->name, d->bo.crashes, delay);
}

void master_daemons_tend(int64_t now_ms, int64_t *deadline_ms)
{
    for (struct mdaemon *d = master.daemons; d; d = d->next) {
        if (!d->e || d->pid)
            continue;
        if (now_ms < d->not_before_ms)
            master_deadline(deadline_ms, d->not_before_ms);
        else if (daemon_spawn(d, 0) < 0)
            master_deadline(deadline_ms, now_ms + 1000);
    }
}

void master_daemons_reload(const struct cyrusconf *conf)
{
    struct mdaemon *d, *next;

    for (d = master.daemons; d; d = next) {
        const struct cyrusconf_entry *e = cyrusconf_find(conf, CYRUSCONF_DAEMON, d->name);
        next = d->next;
        if (!e) {
            log_info("daemon removed name=<%s>", d->name);
            d->e = NULL;
            if (d->pid)
                kill(d->pid, SIGTERM);
            else
                daemon_free(d);
        } else if (strcmp(e->cmdline, d->e->cmdline) != 0) {
            d->e = e;
            backoff_reset(&d->bo);
            d->not_before_ms = 0;
            if (d->pid)
                kill(d->pid, SIGTERM); /* restarted with the new cmd */
        } else {
            d->e = e;
            if (d->pid)
                kill(d->pid, SIGHUP); /* as Cyrus: passed on */
        }
    }
    for (size_t i = 0; i < conf->count; i++) {
        const struct cyrusconf_entry *e = conf->entries[i];
        int found = 0;
        if (e->section != CYRUSCONF_DAEMON)
            continue;
        for (d = master.daemons; d; d = d->next)
            found |= d->e == e;
        if (!found)
            daemon_new(e);
    }
}

/* ---- EVENTS ---- */

/* event_first_run - when a new event first runs */
static time_t event_first_run(const struct cyrusconf_entry *e, time_t now)
{
    return e->at >= 0 ? master_next_at(now, e->at) : now;
}

/* event_same - unchanged across a reload (keeps its schedule) */
static int event_same(const struct cyrusconf_entry *a, const struct cyrusconf_entry *b)
{
    return strcmp(a->cmdline, b->cmdline) == 0 && a->period == b->period && a->at == b->at;
}

void master_events_reload(const struct cyrusconf *conf)
{
    struct mevent *old = master.events, **tail = &master.events;
    time_t now = time(NULL);

    master.events = NULL;
    for (size_t i = 0; i < conf->count; i++) {
        const struct cyrusconf_entry *e = conf->entries[i];
        struct mevent *ev, **pp;
        if (e->section != CYRUSCONF_EVENTS)
            continue;
        for (pp = &old; *pp; pp = &(*pp)->next)
            if (strcmp((*pp)->name, e->name) == 0)
                break;
        if (*pp && event_same((*pp)->e, e)) {
            ev = *pp;
            *pp = ev->next;
        } else {
            ev = xzmalloc(sizeof(*ev));
            ev->name = xstrdup(e->name);
            ev->next_run = event_first_run(e, now);
        }
        ev->e = e;
        ev->next = NULL;
        *tail = ev;
        tail = &ev->next;
    }
    while (old) { /* removed: a running instance just finishes */
        struct mevent *ev = old;
        old = ev->next;
        for (struct mchild *c = master.children; c; c = c->next)
            if (c->event == ev)
                c->event = NULL;
        free(ev->name);
        free(ev);
    }
    /* a new event of an old name may find its previous run still going */
    for (struct mchild *c = master.children; c; c = c->next)
        for (struct mevent *ev = master.events; ev; ev = ev->next)
            if (c->event == ev)
                ev->pid = c->pid;
}

/* event_run - start one run of ev */
static void event_run(struct mevent *ev)
{
    struct spawn_req req;
    struct mchild *c;
    pid_t pid;

    if (ev->pid) {
        log_warning("event still running, run skipped name=<%s> pid=<%d>",
                    ev->name, (int)ev->pid);
        return;
    }
    plain_req(&req, ev->e);
    pid = master_spawn(&req);
    if (pid < 0)
        return;
    ev->pid = pid;
    c = master_child_add(pid, MCHILD_EVENT, ev->name, master.generation);
    c->event = ev;
    log_info("event started name=<%s> pid=<%d>", ev->name, (int)pid);
}

void master_events_tend(int64_t *deadline_ms)
{
    time_t now = time(NULL);
    int64_t now_ms = clock_now_ms();

    for (struct mevent *ev = master.events; ev; ev = ev->next) {
        if (!ev->next_run)
            continue;
        if (now >= ev->next_run) {
            event_run(ev);
            if (ev->e->at >= 0)
                ev->next_run = master_next_at(now, ev->e->at);
            else if (ev->e->period > 0)
                ev->next_run = now + (time_t)ev->e->period * 60;
            else
                ev->next_run = 0; /* period=0: once */
        }
        if (ev->next_run)
            master_deadline(deadline_ms,
                            now_ms + ((int64_t)(ev->next_run - now)) * 1000);
    }
}

void master_event_exited(struct mchild *c, int wstatus)
{
    if (c->event)
        c->event->pid = 0;
}
