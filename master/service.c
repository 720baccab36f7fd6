/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * service.c - main() of every service daemon: setup, privileges, and the
 * accept loop shared by imapd, proxyd, pop3d, lmtpd and the others.
 *
 * Runs in a child exec'd by master (or standalone with -i).  One process
 * serves one connection at a time.  The order of startup and the signal
 * semantics are documented in service.h.  Errors in setup are fatal()
 * with a sysexits code; errors in the loop are logged and end the process
 * cleanly, and master starts another.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/startup.h"
#include "lib/str.h"
#include "master/master_proto.h"
#include "master/master_util.h"
#include "master/service.h"

static struct {
    const struct service_callbacks *cb;
    const char *config;
    char name[64];
    unsigned generation;
    int tls, preauth, debug, standalone;
    unsigned long maxuse;
    int have_master;       /* STATUS_FD is master's pipe */
    int master_gone;
} svc = { .maxuse = SERVICE_DEFAULT_MAXUSE };

static volatile sig_atomic_t in_idle, hup_flag, term_flag;

int service_implicit_tls(void) { return svc.tls; }
int service_preauth(void) { return svc.preauth; }
int service_debug(void) { return svc.debug; }
const char *service_name(void) { return svc.name; }
const char *service_config_path(void) { return svc.config; }
unsigned service_generation(void) { return svc.generation; }
int service_standalone(void) { return svc.standalone; }
int service_term_requested(void) { return term_flag != 0; }
int service_hup_requested(void) { return hup_flag != 0; }

/* on_hup - leave now if idle, else after this connection */
static void on_hup(int sig)
{
    hup_flag = 1;
    if (in_idle)
        _exit(EX_OK);
}

/* on_term - leave now if idle; in a connection die of the signal unless
 * the daemon asked for graceful_term */
static void on_term(int sig)
{
    struct sigaction sa;
    term_flag = 1;
    if (in_idle)
        _exit(EX_OK);
    if (svc.cb->graceful_term)
        return;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigaction(SIGTERM, &sa, NULL);
    raise(SIGTERM);
}

/* setup_signals - install the handlers (see service.h) */
static void setup_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_hup;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_term;
    sa.sa_flags = svc.cb->graceful_term ? 0 : SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigaction(SIGPIPE, &sa, NULL);
}

/* usage - a bad flag */
static void usage(const char *prog) __attribute__((noreturn));
static void usage(const char *prog)
{
    fprintf(stderr, "usage: %s [-C imapd.conf] [-s] [-a] [-D] [-U maxuse] [-i]%s%s\n",
            prog, svc.cb->extra_opts ? " [-" : "",
            svc.cb->extra_opts ? "daemon flags]" : "");
    exit(EX_USAGE);
}

/* parse_args - the common flags, others to cb->getopt; returns optind */
static int parse_args(int argc, char **argv)
{
    char opts[128];
    const char *extra = svc.cb->extra_opts ? svc.cb->extra_opts : "";
    long n;
    int opt;

    snprintf(opts, sizeof(opts), ":C:saDU:i%s", extra);
    opterr = 0;
    while ((opt = getopt(argc, argv, opts)) != -1) {
        switch (opt) {
        case 'C': svc.config = optarg; break;
        case 's': svc.tls = 1; break;
        case 'a': svc.preauth = 1; break;
        case 'D': svc.debug = 1; break;
        case 'i': svc.standalone = 1; break;
        case 'U':
            if (str_parse_long(optarg, 0, 1000000000, &n) < 0)
                usage(argv[0]);
            svc.maxuse = (unsigned long)n;
            break;
        case '?':
        case ':':
            fprintf(stderr, "%s: bad or incomplete option -%c\n", argv[0], optopt);
            usage(argv[0]);
        default:
            if (!svc.cb->getopt || svc.cb->getopt(opt, optarg, svc.cb->rock) < 0)
                usage(argv[0]);
        }
    }
    return optind;
}

/* setup_identity - service name, generation, config, logging, umask */
static void setup_identity(void)
{
    const char *env = getenv(MASTER_ENV_SERVICE);
    long gen;

    str_lcpy(svc.name, env && *env ? env : svc.cb->name, sizeof(svc.name));
    env = getenv(MASTER_ENV_GENERATION);
    if (env && str_parse_long(env, 0, 0x7fffffff, &gen) > 0)
        svc.generation = (unsigned)gen;
    if (!svc.config)
        svc.config = CFG_DEFAULT_PATH;
    log_open(svc.name, NULL);
    cfg_load_or_die(svc.config, svc.name);
    startup_apply_config(svc.name, svc.debug);
}

/* drop_privileges - become cyrus_user when still root */
static void drop_privileges(void)
{
    struct run_as ra;
    const char *user = cfg_get_string(IMAPOPT_CYRUS_USER);
    const char *group = cfg_get_string(IMAPOPT_CYRUS_GROUP);
    const char *err;
    int r;

    if (geteuid() != 0)
        return;
    if (!user || !*user)
        user = CYRUS_USER;
    r = run_as_lookup(user, &ra, &err);
    if (r <= 0)
        fatal(EX_NOUSER, "cannot become cyrus_user user=<%s> error=<%s>", user, err);
    if (group && *group) {
        struct group *gr = getgrnam(group);
        if (!gr)
            fatal(EX_NOUSER, "cyrus_group does not exist group=<%s>", group);
        ra.gid = gr->gr_gid;
    }
    if (ra.uid == 0 || run_as_apply(&ra, &err) < 0)
        fatal(EX_OSERR, "cannot drop privileges user=<%s> step=<%s> error=<%m>",
              user, ra.uid == 0 ? "cyrus_user is root" : err);
}

/* report - tell master our state; notices a vanished master */
static void report(enum master_status status)
{
    struct master_status_msg m;

    if (!svc.have_master || svc.master_gone)
        return;
    memset(&m, 0, sizeof(m));
    m.magic = MASTER_STATUS_MAGIC;
    m.status = (uint32_t)status;
    m.pid = (int32_t)getpid();
    m.generation = svc.generation;
    while (write(STATUS_FD, &m, sizeof(m)) < 0) {
        if (errno == EINTR)
            continue;
        if (errno == EPIPE)
            svc.master_gone = 1;
        else
            log_error("IOERROR: cannot write to master error=<%m>");
        return;
    }
}

/* accept_lock - take (1) or release (0) the service's accept lock */
static void accept_lock(int take)
{
    struct flock fl;

    memset(&fl, 0, sizeof(fl));
    fl.l_type = take ? F_WRLCK : F_UNLCK;
    fl.l_whence = SEEK_SET;
    while (fcntl(LOCK_FD, take ? F_SETLKW : F_SETLK, &fl) < 0) {
        if (errno == EINTR)
            continue;
        if (errno != EBADF)
            log_error("IOERROR: accept lock failed error=<%m>");
        return;
    }
}

/* tune_socket - TCP_NODELAY on a TCP client: our streams buffer and flush
 * whole replies themselves, so Nagle's algorithm only adds a delayed-ACK
 * wait (~40 ms) whenever a daemon answers in two writes (LMTP's
 * per-recipient replies).  A unix socket refuses the option; harmless. */
static void tune_socket(int fd)
{
    int on = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* accept_one - accept with signals held, so that a signal cannot cut
 * between accepting a client and leaving the idle state */
static int accept_one(void)
{
    sigset_t block, old;
    int fd, saved;

    sigemptyset(&block);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    fd = accept4(LISTEN_FD, NULL, NULL, SOCK_CLOEXEC);
    saved = errno;
    if (fd >= 0) {
        in_idle = 0;
        tune_socket(fd);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return fd;
}

/* wait_for_client - the idle state: returns an accepted fd, or -1 when the
 * process should end (master gone, listener shut down, hard error) */
static int wait_for_client(void)
{
    struct pollfd p[2];
    int fd = -1;

    in_idle = 1;
    if (hup_flag || term_flag)
        _exit(EX_OK);
    accept_lock(1);
    for (;;) {
        p[0].fd = LISTEN_FD;
        p[0].events = POLLIN;
        p[1].fd = svc.have_master ? STATUS_FD : -1;
        p[1].events = 0;
        p[0].revents = p[1].revents = 0;
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            log_error("poll failed error=<%m>");
            break;
        }
        if (p[1].revents & (POLLERR | POLLHUP | POLLNVAL)) {
            log_info("master is gone, exiting");
            svc.master_gone = 1;
            break;
        }
        if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
            log_info("listener closed, exiting");
            break;
        }
        fd = accept_one();
        if (fd >= 0)
            break;
        if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EINVAL) { /* master shut the listener down */
            log_info("listener closed, exiting");
            break;
        }
        log_error("accept failed error=<%m>");
        if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM)
            break;
        sleep(1);
    }
    in_idle = 0;
    accept_lock(0);
    return fd;
}

/* describe_conn - fill *conn for in/out; strings live in static buffers
 * until the next call */
static void describe_conn(int in_fd, int out_fd, unsigned long nth,
                          struct service_conn *conn)
{
    static char lip[128], rip[128], peer[160], ip[128], sid[128];
    struct sockaddr_storage la, ra;
    socklen_t llen = sizeof(la), rlen = sizeof(ra);

    memset(conn, 0, sizeof(*conn));
    conn->in_fd = in_fd;
    conn->out_fd = out_fd;
    conn->nth = nth;
    if (getsockname(in_fd, (struct sockaddr *)&la, &llen) == 0 &&
        getpeername(in_fd, (struct sockaddr *)&ra, &rlen) == 0 &&
        ra.ss_family != AF_UNIX) {
        char *semi;
        conn->local_ipport = master_sockaddr_str((struct sockaddr *)&la, llen, 1, lip, sizeof(lip));
        conn->remote_ipport = master_sockaddr_str((struct sockaddr *)&ra, rlen, 1, rip, sizeof(rip));
        conn->peer = master_sockaddr_str((struct sockaddr *)&ra, rlen, 0, peer, sizeof(peer));
        str_lcpy(ip, rip, sizeof(ip));
        if ((semi = strrchr(ip, ';')))
            *semi = '\0';
        conn->peer_ip = ip;
    } else {
        conn->is_unix = 1;
        conn->peer = conn->peer_ip = svc.standalone && rlen == sizeof(ra) ? "stdin" : "unix";
    }
    snprintf(sid, sizeof(sid), "%s-%d-%lld-%lu", svc.name, (int)getpid(),
             (long long)time(NULL), nth);
    conn->session_id = sid;
}

/* serve - describe in/out and call the daemon */
static void serve(int in_fd, int out_fd, unsigned long nth)
{
    struct service_conn conn;

    describe_conn(in_fd, out_fd, nth, &conn);
    log_ctx_set("peer", conn.peer);
    log_ctx_set("session", conn.session_id);
    log_info("accepted connection");
    svc.cb->connection(&conn, svc.cb->rock);
    if (svc.cb->reset)
        svc.cb->reset(svc.cb->rock);
    log_ctx_clear();
}

int service_master_fd(void)
{
    return svc.have_master && !svc.master_gone ? STATUS_FD : -1;
}

int service_accept(int listen_fd, struct service_conn *conn)
{
    static unsigned long nth;
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (fd < 0)
        return -1;
    tune_socket(fd);
    describe_conn(fd, fd, ++nth, conn);
    return fd;
}

/* finish - report, last words, exit */
static void finish(int code) __attribute__((noreturn));
static void finish(int code)
{
    report(MASTER_STATUS_EXITING);
    if (svc.cb->shutdown)
        svc.cb->shutdown(code, svc.cb->rock);
    exit(code);
}

/* accept_loop - serve connections until maxuse, SIGHUP or master leaves */
static void accept_loop(void) __attribute__((noreturn));
static void accept_loop(void)
{
    unsigned long nth = 0;

    while (!hup_flag && !term_flag && !svc.master_gone &&
           (svc.maxuse == 0 || nth < svc.maxuse)) {
        int fd;
        report(MASTER_STATUS_READY);
        fd = wait_for_client();
        if (fd < 0)
            break;
        report(MASTER_STATUS_BUSY);
        serve(fd, fd, ++nth);
        close(fd);
    }
    finish(EX_OK);
}

/* check_listener - LISTEN_FD must be a listening socket */
static void check_listener(void)
{
    int on = 0;
    socklen_t len = sizeof(on);
    if (getsockopt(LISTEN_FD, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) < 0 || !on)
        fatal(EX_USAGE, "no listening socket on fd %d: start %s from master "
              "(cyrus.conf), or with -i to serve stdin/stdout", LISTEN_FD, svc.name);
    svc.have_master = fcntl(STATUS_FD, F_GETFD) >= 0;
}

int service_main(int argc, char **argv, const struct service_callbacks *cb)
{
    int first, r;

    svc.cb = cb;
    first = parse_args(argc, argv);
    setup_identity();
    if (!svc.standalone)
        check_listener();
    if (cb->init && (r = cb->init(argc - first, argv + first, cb->rock)) != 0)
        exit(r);
    drop_privileges();
    if (cb->post_drop_init && (r = cb->post_drop_init(cb->rock)) != 0)
        exit(r);
    setup_signals();
    if (svc.standalone) {
        if (!cb->connection)
            fatal(EX_USAGE, "%s cannot serve stdin/stdout (-i)", svc.name);
        serve(STDIN_FILENO, STDOUT_FILENO, 1);
        finish(EX_OK);
    }
    if (cb->run) {
        report(MASTER_STATUS_READY);
        finish(cb->run(LISTEN_FD, cb->rock));
    }
    accept_loop();
}
