/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_slave.c - slave mode of mupdate (a frontend's copy of the
 * murder's mailbox list): the one poll loop over the master's UPDATE
 * stream, the local unix socket <configdirectory>/socket/mupdate.target,
 * the listener master gives, the local peers and master's status pipe.
 * It keeps the master connection up, reconnecting with a short backoff
 * (SLAVE_BACKOFF_START doubling to at most SLAVE_BACKOFF_MAX, or
 * mupdate_retry_delay if smaller) and keeps serving the last copy while
 * the master is away.  Called from the service skeleton's run callback;
 * returns on SIGTERM/SIGHUP or when master goes away.  Errors are logged.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imap/mboxlist.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/clock.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/startup.h"
#include "lib/unix_addr.h"
#include "master/service.h"
#include "mupdate/mupdate_slave.h"
#include "mupdate/mupdate_slave_internal.h"

/* Fixed poll slots before the peers. */
enum { SLOT_MASTER_PIPE, SLOT_LISTEN, SLOT_LOCAL, SLOT_UP, SLOT_PEERS };
/* local_socket_open - listen on <configdirectory>/socket/mupdate.target
 * (a path of any length: unix_addr.h) */
static int local_socket_open(struct buf *path)
{
    const char *dir = cfg_get_string(IMAPOPT_CONFIGDIRECTORY);
    struct unix_addr a;
    int fd;

    buf_printf(path, "%s/socket", dir);
    if (mkdir(buf_cstring(path), 0755) < 0 && errno != EEXIST)
        log_warning("IOERROR: cannot create directory path=<%s> "
                    "error=<%m>", buf_cstring(path));
    buf_printf(path, "/%s", strrchr(MUPDATE_SLAVE_SOCKET, '/') + 1);
    if (unix_addr_init(&a, buf_cstring(path)) < 0) {
        log_error("IOERROR: cannot listen on path=<%s> error=<%m>",
                  buf_cstring(path));
        return -1;
    }
    unlink(buf_cstring(path)); /* a stale socket of an earlier run */
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a.sun, a.len) < 0 ||
        listen(fd, 64) < 0) {
        log_error("IOERROR: cannot listen on path=<%s> error=<%m>",
                  buf_cstring(path));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    unix_addr_done(&a);
    return fd;
}

/* backoff_cap - the longest wait between reconnection attempts */
static long long backoff_cap(void)
{
    long long cap = cfg_get_int(IMAPOPT_MUPDATE_RETRY_DELAY) * 1000LL;

    return cap < SLAVE_BACKOFF_MAX ? cap : SLAVE_BACKOFF_MAX;
}

void slave_up_connect(struct mupdate_slave *s)
{
    struct mupdate_client_params params = { 0 };
    const char *err = NULL;

    s->last_try = clock_now_ms();
    params.timeout_s = SLAVE_CONNECT_TIMEOUT;
    if (mupdate_connect(&params, &s->up, &err) == MUPDATE_OK &&
        mupdate_update_start(s->up) == MUPDATE_OK) {
        log_info("mupdate slave connected server=<%s>",
                 mupdate_client_server(s->up));
        slave_sync_start(s);
        s->backoff = 0;
        return;
    }
    if (s->up)
        err = mupdate_client_error(s->up);
    if (s->backoff == 0)
        log_warning("mupdate slave cannot reach the master error=<%s>", err);
    mupdate_disconnect(&s->up);
    s->backoff = s->backoff ? 2 * s->backoff : SLAVE_BACKOFF_START;
    if (s->backoff > backoff_cap())
        s->backoff = backoff_cap();
    s->next_try = clock_now_ms() + s->backoff;
}

/* up_drop - forget the master connection (reconnect at once) */
static void up_drop(struct mupdate_slave *s)
{
    slave_sync_lost(s);
    mupdate_disconnect(&s->up);
    s->next_try = clock_now_ms();
}

/* accept_peers - take every waiting connection on a listener */
static void accept_peers(struct mupdate_slave *s, int lfd, int local)
{
    struct service_conn conn;
    int fd;

    while ((fd = service_accept(lfd, &conn)) >= 0)
        slave_peer_new(s, fd, local || conn.is_unix, &conn);
}

/* fill_poll - the poll set; returns its size */
static size_t fill_poll(const struct mupdate_slave *s, struct pollfd *pfd,
                        int listen_fd, int local_fd)
{
    size_t i;

    pfd[SLOT_MASTER_PIPE] = (struct pollfd){ service_master_fd(), 0, 0 };
    pfd[SLOT_LISTEN] = (struct pollfd){ listen_fd, POLLIN, 0 };
    pfd[SLOT_LOCAL] = (struct pollfd){ local_fd, POLLIN, 0 };
    pfd[SLOT_UP] = (struct pollfd){ s->up ? mupdate_update_fd(s->up) : -1,
                                    POLLIN, 0 };
    for (i = 0; i < s->npeers; i++)
        pfd[SLOT_PEERS + i] = (struct pollfd){
            slave_peer_fd(s->peers[i]), slave_peer_events(s->peers[i]), 0 };
    return SLOT_PEERS + s->npeers;
}

/* poll_wait - how long poll may sleep: the next reconnection attempt
 * (while the master is away), the end of a peer's login-failure hold or
 * its deadline to authenticate, at most a second */
static int poll_wait(const struct mupdate_slave *s)
{
    long long now = clock_now_ms(), wait = s->up ? 1000 : s->next_try - now;
    size_t i;

    for (i = 0; i < s->npeers; i++) {
        long long hold = slave_peer_due(s->peers[i]);

        if (hold && hold - now < wait)
            wait = hold - now;
    }
    return wait < 0 ? 0 : wait > 1000 ? 1000 : (int)wait;
}

/* release_held - peers whose login-failure hold is over go on; idle
 * strangers are closed */
static void release_held(struct mupdate_slave *s)
{
    struct slave_peer *due[SLAVE_PEERS_MAX];
    long long now = clock_now_ms();
    size_t i, ndue = 0;

    for (i = 0; i < s->npeers; i++) {
        long long hold = slave_peer_due(s->peers[i]);

        if (hold && hold <= now)
            due[ndue++] = s->peers[i];
    }
    for (i = 0; i < ndue; i++)
        if (slave_peer_release(s, due[i], now) < 0)
            slave_peer_free(s, &due[i]);
}

/* serve_peers - output to and input from the peers that polled ready */
static void serve_peers(struct mupdate_slave *s, const struct pollfd *pfd,
                        size_t n)
{
    struct slave_peer *ready[SLAVE_PEERS_MAX];
    short revents[SLAVE_PEERS_MAX];
    size_t i, nready = 0;

    /* the peer array changes as peers leave: pick the ready ones first */
    for (i = SLOT_PEERS; i < n; i++) {
        if (pfd[i].revents) {
            revents[nready] = pfd[i].revents;
            ready[nready++] = s->peers[i - SLOT_PEERS];
        }
    }
    for (i = 0; i < nready; i++) {
        struct slave_peer *p = ready[i];
        int r = 0;

        if (slave_peer_hold(p))
            r = -1;             /* a held peer only reports hang-ups */
        if (r == 0 && (revents[i] & POLLOUT))
            r = slave_peer_output(s, p);
        if (r == 0 && (revents[i] & ~POLLOUT))
            r = slave_peer_input(s, p);
        if (r < 0)
            slave_peer_free(s, &p);
    }
}

/* slave_loop - until a signal or master's departure */
static void slave_loop(struct mupdate_slave *s, int listen_fd, int local_fd)
{
    struct pollfd pfd[SLOT_PEERS + SLAVE_PEERS_MAX];
    size_t n;
    int r;

    s->next_try = clock_now_ms();
    while (!service_term_requested() && !service_hup_requested()) {
        if (!s->up && clock_now_ms() >= s->next_try)
            slave_up_connect(s);
        n = fill_poll(s, pfd, listen_fd, local_fd);
        r = poll(pfd, n, poll_wait(s));
        if (r < 0 && errno != EINTR) {
            log_error("IOERROR: poll failed error=<%m>");
            return;
        }
        if (r > 0) {
            if (pfd[SLOT_MASTER_PIPE].revents & (POLLHUP | POLLERR))
                return; /* master is gone */
            if (pfd[SLOT_UP].revents && slave_sync_read(s) < 0)
                up_drop(s);
            if (pfd[SLOT_LISTEN].revents)
                accept_peers(s, listen_fd, 0);
            if (pfd[SLOT_LOCAL].revents)
                accept_peers(s, local_fd, 1);
            serve_peers(s, pfd, n);     /* pfd's slots match until here */
        }
        release_held(s);
    }
}

int mupdate_slave_run(int listen_fd, struct tls_ctx *tls)
{
    struct mupdate_slave s;
    struct buf path = BUF_INIT;
    int local_fd, r;

    memset(&s, 0, sizeof(s));
    s.tls_ctx = tls;
    if ((r = startup_db(0)) != DB_OK ||
        (r = mboxlist_open(MBOXLIST_CREATE)) != MBOXLIST_OK) {
        log_error("DBERROR: mupdate slave cannot open the mailbox list");
        return EX_IOERR;
    }
    if (!cfg_get_string(IMAPOPT_MUPDATE_SERVER))
        log_warning("mupdate slave: mupdate_server is not set; serving "
                    "the local copy only");
    local_fd = local_socket_open(&path);
    slave_loop(&s, listen_fd, local_fd);

    while (s.npeers) {
        struct slave_peer *p = s.peers[0];
        slave_peer_free(&s, &p);
    }
    slave_sync_lost(&s);
    mupdate_disconnect(&s.up);
    free(s.waiters);
    hash_free(&s.seen, NULL);
    if (local_fd >= 0) {
        close(local_fd);
        unlink(buf_cstring(&path));
    }
    buf_free(&path);
    mboxlist_close();
    db_done();
    return EX_OK;
}
