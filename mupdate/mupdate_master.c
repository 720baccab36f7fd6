/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_master.c - the MUPDATE master's run loop (mupdate -m): one
 * event loop over the listener, master's status pipe and every peer.
 *
 * Called once by the service skeleton's run callback (mupdated.c) after
 * the list was loaded.  Accepts until mupdate_connections_max peers are
 * connected (more get "* BYE" and are closed), commits the changes of
 * each iteration as one group (mupdate_batch_commit; the loop does not
 * sleep while a new batch is open), wakes held peers when their
 * login-failure delay ends, closes unauthenticated peers that stay idle
 * (or stall a TLS handshake), frees closed peers between iterations,
 * and returns on SIGTERM, SIGHUP or master going away: every peer then
 * gets "* BYE" and is closed (slaves reconnect to the next master).
 */
#include "config.h"

#include <stdlib.h>
#include <errno.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "lib/cfg.h"
#include "lib/clock.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/xmalloc.h"
#include "master/service.h"
#include "mupdate/mupdate_master.h"

/* Longest sleep of the loop: signals are also noticed by EINTR, this
 * only bounds a signal that arrives just before the wait. */
#define MASTER_WAIT_MAX_MS 1000

/* Connections accepted per listener wake-up (fairness to peers). */
#define MASTER_ACCEPT_BATCH 64

/* Fds the process needs besides its peers (logs, databases, epoll). */
#define MASTER_FD_SLACK 32

/* How long accepting pauses when the process ran out of fds. */
#define MASTER_ACCEPT_PAUSE_MS 200

/* The master's state; mupdated.c fills list and tls_ctx first. */
struct mupdate_server mupdate_master_server;

void mupdate_master_timer(struct mupdate_server *srv, long long when_ms)
{
    if (!srv->next_timer_ms || when_ms < srv->next_timer_ms)
        srv->next_timer_ms = when_ms;
}

/* master_accept - accept waiting connections */
static void master_accept(struct mupdate_loop_io *io, unsigned events)
{
    struct mupdate_server *srv = io->rock;
    struct service_conn sc;
    int i, fd;

    (void)events;
    for (i = 0; i < MASTER_ACCEPT_BATCH; i++) {
        fd = service_accept(io->fd, &sc);
        if (fd < 0) {
            if (errno == EINVAL) {      /* master shut the listener down */
                srv->stopping = 1;
                mupdate_loop_del(srv->loop, io);
                return;
            }
            if (errno == EMFILE || errno == ENFILE) {
                /* out of fds: stop accepting for a moment (the listener
                 * would otherwise stay ready and spin the loop) */
                log_error("IOERROR: accept failed, pausing error=<%m> "
                          "connections=<%zu> (raise maxfds in cyrus.conf)",
                          srv->nconns);
                (void)mupdate_loop_want(srv->loop, io, 0);
                srv->accept_paused_until = clock_now_ms() + MASTER_ACCEPT_PAUSE_MS;
                mupdate_master_timer(srv, srv->accept_paused_until);
            } else if (errno != EAGAIN && errno != EWOULDBLOCK &&
                       errno != EINTR && errno != ECONNABORTED) {
                log_error("IOERROR: accept failed error=<%m>");
            }
            return;
        }
        if (srv->nconns >= srv->conns_max) {
            static const char bye[] = "* BYE \"Server too busy\"\r\n";

            log_warning("mupdate connection refused: too many connections "
                        "peer=<%s> max=<%zu>", sc.peer, srv->conns_max);
            (void)!write(fd, bye, sizeof(bye) - 1);
            close(fd);
            continue;
        }
        (void)mupdate_conn_new(srv, fd, &sc);
        log_ctx_clear();
    }
}

/* master_gone - master's status pipe hung up */
static void master_gone(struct mupdate_loop_io *io, unsigned events)
{
    struct mupdate_server *srv = io->rock;

    if (events & MUPDATE_LOOP_HUP) {
        log_notice("master went away, mupdate exiting");
        srv->stopping = 1;
        mupdate_loop_del(srv->loop, io);
    }
}

/* master_timers - release held peers whose delay ended, close strangers
 * whose deadline passed */
static void master_timers(struct mupdate_server *srv)
{
    long long now = clock_now_ms();
    struct mupdate_conn *c, *next;

    if (!srv->next_timer_ms || now < srv->next_timer_ms)
        return;
    srv->next_timer_ms = 0;
    if (srv->accept_paused_until) {
        if (srv->accept_paused_until <= now) {
            srv->accept_paused_until = 0;
            (void)mupdate_loop_want(srv->loop, &srv->listen_io, MUPDATE_LOOP_IN);
        } else {
            mupdate_master_timer(srv, srv->accept_paused_until);
        }
    }
    for (c = srv->conns; c; c = next) {
        next = c->next;
        if (c->deadline_ms && !c->hold_until_ms) {
            if (c->deadline_ms <= now) {
                mupdate_conn_expire(c);
                continue;
            }
            mupdate_master_timer(srv, c->deadline_ms);
        }
        if (!c->hold_until_ms)
            continue;
        if (c->hold_until_ms <= now) {
            c->hold_until_ms = 0;
            mupdate_conn_idle_from_now(c);  /* idle time starts after the NO */
            mupdate_conn_resume(c);
        } else {
            mupdate_master_timer(srv, c->hold_until_ms);
        }
    }
}

/* master_wait_ms - how long the loop may sleep */
static int master_wait_ms(const struct mupdate_server *srv)
{
    long long d;

    if (!srv->next_timer_ms)
        return MASTER_WAIT_MAX_MS;
    d = srv->next_timer_ms - clock_now_ms();
    if (d < 0)
        return 0;
    return d > MASTER_WAIT_MAX_MS ? MASTER_WAIT_MAX_MS : (int)d;
}

/* master_reap - free the peers closed during the last iteration (one
 * whose change still waits for the group commit stays until then) */
static void master_reap(struct mupdate_server *srv)
{
    struct mupdate_conn *c = srv->dead, *next, *kept = NULL;

    for (; c; c = next) {
        next = c->next;
        if (c->batched) {
            c->next = kept;
            kept = c;
        } else {
            mupdate_conn_free(&c);
        }
    }
    srv->dead = kept;
}

/* master_shutdown - say goodbye to every peer and close it */
static void master_shutdown(struct mupdate_server *srv, const char *why)
{
    while (srv->conns) {
        struct mupdate_conn *c = srv->conns;

        if (c->prot) {
            prot_puts(c->prot, "* BYE \"Server shutting down\"\r\n");
            (void)prot_flush(c->prot);
        }
        mupdate_conn_close(c, why);
    }
    master_reap(srv);
}

/* master_check_nofile - warn when the open-files limit (cyrus.conf
 * maxfds; raised to its hard limit at start) is below the connections
 * allowed */
static void master_check_nofile(const struct mupdate_server *srv)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)srv->conns_max + MASTER_FD_SLACK)
        log_warning("open files limit below mupdate_connections_max: set maxfds "
                    "in cyrus.conf limit=<%llu> max_connections=<%zu>",
                    (unsigned long long)rl.rlim_cur, srv->conns_max);
}

/* master_setup - the loop with the listener and master's pipe */
static int master_setup(struct mupdate_server *srv, int listen_fd)
{
    srv->loop = mupdate_loop_new();
    if (!srv->loop) {
        log_error("IOERROR: epoll_create failed error=<%m>");
        return EX_OSERR;
    }
    srv->conns_max = (size_t)cfg_get_int(IMAPOPT_MUPDATE_CONNECTIONS_MAX);
    srv->listen_io = (struct mupdate_loop_io){
        .fd = listen_fd, .want = MUPDATE_LOOP_IN, .cb = master_accept, .rock = srv,
    };
    if (mupdate_loop_add(srv->loop, &srv->listen_io) < 0) {
        log_error("IOERROR: cannot watch the listener error=<%m>");
        return EX_OSERR;
    }
    if (service_master_fd() >= 0) {
        srv->master_io = (struct mupdate_loop_io){
            .fd = service_master_fd(), .want = 0, .cb = master_gone, .rock = srv,
        };
        if (mupdate_loop_add(srv->loop, &srv->master_io) < 0) {
            log_error("IOERROR: cannot watch master's pipe error=<%m>");
            return EX_OSERR;
        }
    }
    return 0;
}

int mupdate_master_run(int listen_fd)
{
    struct mupdate_server *srv = &mupdate_master_server;
    const char *why = "master gone";
    int r;

    if ((r = master_setup(srv, listen_fd)) != 0)
        return r;
    master_check_nofile(srv);
    log_info("mupdate master ready entries=<%zu> max_connections=<%zu>",
             mupdate_list_count(srv->list), srv->conns_max);
    while (!srv->stopping) {
        if (service_term_requested()) {
            why = "shutting down (SIGTERM)";
            break;
        }
        if (service_hup_requested()) {
            why = "restarting (SIGHUP)";
            break;
        }
        /* a batch opened by the last commit's peers: only poll */
        if (mupdate_loop_run_once(srv->loop, mupdate_batch_pending(srv)
                                  ? 0 : master_wait_ms(srv)) < 0 &&
            errno != EINTR) {
            log_error("IOERROR: epoll_wait failed error=<%m>");
            why = "event loop failure";
            r = EX_OSERR;
            break;
        }
        mupdate_batch_commit(srv);
        master_timers(srv);
        master_reap(srv);
    }
    mupdate_batch_commit(srv);      /* answer what was accepted */
    log_notice("mupdate master stopping reason=<%s> connections=<%zu> "
               "commits=<%llu> changes=<%llu>", why, srv->nconns,
               srv->batch.commits, srv->batch.changes);
    master_shutdown(srv, why);
    mupdate_batch_free(srv);
    mupdate_loop_free(&srv->loop);
    return r;
}
