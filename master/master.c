/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * master.c - main(): command line, startup order, the poll loop, shutdown.
 *
 *   master [-C imapd.conf] [-M cyrus.conf] [-p pidfile] [-l backlog]
 *          [-d | -D] [-L logfile]
 *
 * Startup: read imapd.conf (service name "master": cyrus_user, log_file,
 * syslog_prefix, debug), resolve the run-as user when root (missing user:
 * EX_NOUSER), read cyrus.conf (errors: EX_CONFIG), daemonize with -d, run
 * START, bind every SERVICES listener (failure: EX_CONFIG naming service
 * and address), start DAEMON entries, prefork, then write the pidfile and
 * log "ready".  The loop polls the signal self-pipe, the status pipes and
 * the listeners of services without a free child.  SIGHUP reloads
 * cyrus.conf; SIGTERM/SIGINT/SIGQUIT stop every child (SIGTERM, then
 * SIGKILL after MASTER_TERM_GRACE seconds), remove the pidfile and exit 0.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cfg.h"
#include "lib/clock.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "master/master.h"

#define MASTER_DEFAULT_CYRUS_CONF SYSCONFDIR "/cyrus.conf"
#define MASTER_DEFAULT_PIDFILE    "/var/run/master.pid"

struct master_state master;

static int ready_pipe = -1; /* -d: tells the waiting parent we are up */

void master_deadline(int64_t *deadline_ms, int64_t t)
{
    if (*deadline_ms == 0 || t < *deadline_ms)
        *deadline_ms = t;
}

/* usage - print the synopsis and exit EX_USAGE */
static void usage(void) __attribute__((noreturn));
static void usage(void)
{
    fprintf(stderr, "usage: master [-C imapd.conf] [-M cyrus.conf] [-p pidfile] "
                    "[-l backlog] [-d | -D] [-L logfile]\n");
    exit(EX_USAGE);
}

/* redirect_stdio - stdin from /dev/null; stdout/stderr to path or /dev/null */
static void redirect_stdio(const char *path)
{
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int out = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)
                   : open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (in < 0 || out < 0)
        fatal(EX_OSERR, "IOERROR: cannot redirect stdio file=<%s> error=<%m>",
              path ? path : "/dev/null");
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    close(in);
    close(out);
}

/* daemonize - fork; the parent exits 0 once the child reports ready, or
 * with the child's exit status if it dies first */
static void daemonize(void)
{
    int p[2], wstatus;
    char c;
    pid_t pid;

    if (pipe2(p, O_CLOEXEC) < 0)
        fatal(EX_OSERR, "IOERROR: pipe failed error=<%m>");
    pid = fork();
    if (pid < 0)
        fatal(EX_OSERR, "cannot fork error=<%m>");
    if (pid > 0) {
        close(p[1]);
        if (read(p[0], &c, 1) == 1)
            _exit(EX_OK);
        if (waitpid(pid, &wstatus, 0) == pid && WIFEXITED(wstatus))
            _exit(WEXITSTATUS(wstatus));
        _exit(EX_OSERR);
    }
    close(p[0]);
    ready_pipe = p[1];
    if (setsid() < 0)
        fatal(EX_OSERR, "setsid failed error=<%m>");
}

/* pidfile_read - the pid in a pidfile, or 0 when there is none */
static long pidfile_read(const char *path)
{
    char text[32];
    long pid;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return 0;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    return str_parse_long(str_trim(text), 1, 0x7fffffff, &pid) > 0 ? pid : 0;
}

/* pidfile_check - refuse to start over a live master's pidfile */
static void pidfile_check(const char *path)
{
    long pid = pidfile_read(path);

    if (pid && pid != getpid() && kill((pid_t)pid, 0) == 0)
        fatal(EX_TEMPFAIL, "another master is running pid=<%ld> pidfile=<%s>",
              pid, path);
}

/* pidfile_write - write our pid to a temporary file and rename it into
 * place, so a reader never sees an empty or partial pidfile */
static void pidfile_write(const char *path)
{
    char tmp[4096], text[32];
    int fd, n;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
        fatal(EX_CONFIG, "pidfile path too long pidfile=<%s>", path);
    n = snprintf(text, sizeof(text), "%d\n", (int)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, (size_t)n) != n || close(fd) < 0 ||
        rename(tmp, path) < 0)
        fatal(EX_IOERR, "IOERROR: cannot write pidfile pidfile=<%s> error=<%m>", path);
}

/* pidfile_remove - unlink the pidfile if it is still ours */
static void pidfile_remove(const char *path)
{
    if (pidfile_read(path) == getpid())
        unlink(path);
}

/* setup_logging - ident, prefix and destination from imapd.conf and -L */
static void setup_logging(const char *logfile)
{
    const char *dest = logfile ? logfile : cfg_get_string(IMAPOPT_LOG_FILE);

    log_open("master", cfg_get_string(IMAPOPT_SYSLOG_PREFIX));
    if (dest && *dest) {
        if (log_set_file(dest) < 0)
            fatal(EX_CONFIG, "IOERROR: cannot open log file file=<%s> error=<%m>", dest);
    } else {
        log_set_file(NULL); /* syslog */
    }
    log_set_debug(cfg_get_switch(IMAPOPT_DEBUG));
}

/* setup_run_as - as root, find the user (and group) children run as */
static void setup_run_as(void)
{
    const char *user = cfg_get_string(IMAPOPT_CYRUS_USER);
    const char *group = cfg_get_string(IMAPOPT_CYRUS_GROUP);
    const char *err;
    int r;

    if (geteuid() != 0) {
        log_notice("not started as root: children run as uid=<%d>", (int)geteuid());
        return;
    }
    if (!user || !*user)
        user = CYRUS_USER;
    r = run_as_lookup(user, &master.run_as, &err);
    if (r == 0)
        fatal(EX_NOUSER, "cyrus_user does not exist user=<%s> (create it, or set "
              "cyrus_user in %s)", user, master.imapd_conf);
    if (r < 0)
        fatal(EX_NOUSER, "cannot look up cyrus_user user=<%s> error=<%s>", user, err);
    if (master.run_as.uid == 0)
        fatal(EX_CONFIG, "cyrus_user must not be root user=<%s>", user);
    if (group && *group) {
        struct group *gr = getgrnam(group);
        if (!gr)
            fatal(EX_NOUSER, "cyrus_group does not exist group=<%s>", group);
        master.run_as.gid = gr->gr_gid;
    }
    master.drop_privs = 1;
}

/* share_log_file - children log to the same file as cyrus_user: hand it
 * over when master (as root) is the one that created or owns it */
static void share_log_file(const char *logfile)
{
    const char *dest = logfile ? logfile : cfg_get_string(IMAPOPT_LOG_FILE);

    if (!master.drop_privs || !dest || !*dest || strcmp(dest, "-") == 0)
        return;
    if (chown(dest, master.run_as.uid, master.run_as.gid) < 0)
        log_warning("IOERROR: cannot give the log file to cyrus_user file=<%s> "
                    "error=<%m>", dest);
}

/* shutdown_children - SIGTERM everyone, SIGKILL after the grace period,
 * and reap them all */
static void shutdown_children(int sig_fd)
{
    int64_t kill_at = clock_now_ms() + (int64_t)MASTER_TERM_GRACE * 1000;
    int termsig;

    for (struct mchild *c = master.children; c; c = c->next)
        kill(c->pid, SIGTERM);
    while (master.children) {
        int64_t left = kill_at - clock_now_ms();
        struct pollfd p = { sig_fd, POLLIN, 0 };
        if (left <= 0) {
            for (struct mchild *c = master.children; c; c = c->next) {
                log_warning("child did not stop, killing name=<%s> pid=<%d>",
                            c->name, (int)c->pid);
                kill(c->pid, SIGKILL);
            }
            kill_at = clock_now_ms() + 3600 * 1000;
            left = 1000;
        }
        poll(&p, 1, (int)(left > 1000 ? 1000 : left));
        master_signals_take(&termsig);
        master_reap();
    }
}

/* master_shutdown - stop everything and exit 0 */
static void master_shutdown(int sig_fd, int termsig) __attribute__((noreturn));
static void master_shutdown(int sig_fd, int termsig)
{
    log_info("shutting down signal=<%d>", termsig);
    master.shutting_down = 1;
    for (struct mservice *s = master.services; s; s = s->next)
        if (s->listen_fd >= 0) {
            master_listen_close(s->listen_fd, s->unix_path);
            s->listen_fd = -1;
        }
    shutdown_children(sig_fd);
    pidfile_remove(master.pidfile);
    log_info("exiting");
    exit(EX_OK);
}

/* loop_once - one poll round: wait for something, then handle it */
static void loop_once(int sig_fd)
{
    struct pollfd *pfd;
    struct mservice **who;
    size_t n = 1, cap = 1;
    int64_t now = clock_now_ms(), deadline = 0;
    int timeout, r;

    master_services_tend(now, &deadline);
    master_daemons_tend(now, &deadline);
    master_events_tend(&deadline);
    master_service_free_unused();

    for (struct mservice *s = master.services; s; s = s->next)
        cap += 2;
    pfd = xcalloc(cap, sizeof(*pfd));
    who = xcalloc(cap, sizeof(*who));
    pfd[0].fd = sig_fd;
    pfd[0].events = POLLIN;
    for (struct mservice *s = master.services; s; s = s->next) {
        pfd[n].fd = s->status_rd;
        pfd[n].events = POLLIN;
        who[n++] = s;
        /* No free child: watch for a connection so one can be forked. */
        if (s->e && s->listen_fd >= 0 && s->n_avail == 0 && !s->pending &&
            (s->e->maxchild <= 0 || s->n_total < s->e->maxchild)) {
            pfd[n].fd = s->listen_fd;
            pfd[n].events = POLLIN;
            who[n++] = s;
        }
    }
    timeout = deadline ? (int)(deadline - now > 0 ? deadline - now : 0) : -1;
    r = poll(pfd, n, timeout);
    if (r < 0 && errno != EINTR)
        log_error("poll failed error=<%m>");
    for (size_t i = 1; r > 0 && i < n; i++) {
        if (!pfd[i].revents)
            continue;
        if (pfd[i].fd == who[i]->status_rd)
            master_status_read(who[i]);
        else
            who[i]->pending = 1;
    }
    free(pfd);
    free(who);
}

/* main_loop - run until a terminating signal */
static void main_loop(int sig_fd) __attribute__((noreturn));
static void main_loop(int sig_fd)
{
    for (;;) {
        int termsig = 0, bits;
        loop_once(sig_fd);
        bits = master_signals_take(&termsig);
        /* Read what children said before their exit is accounted. */
        for (struct mservice *s = master.services; s; s = s->next)
            master_status_read(s);
        if (bits & MASTER_SIG_CHLD)
            master_reap();
        if (bits & MASTER_SIG_TERM)
            master_shutdown(sig_fd, termsig);
        if (bits & MASTER_SIG_HUP)
            master_conf_reload();
    }
}

/* count_services - for the ready line */
static int count_services(void)
{
    int n = 0;
    for (struct mservice *s = master.services; s; s = s->next)
        n++;
    return n;
}

/* parse_args - the command line into master and the mode flags */
static void parse_args(int argc, char **argv, const char **logfile_r,
                       int *daemon_r, int *debug_r)
{
    long backlog;
    int opt;

    master.imapd_conf = CFG_DEFAULT_PATH;
    master.cyrus_conf = MASTER_DEFAULT_CYRUS_CONF;
    master.pidfile = MASTER_DEFAULT_PIDFILE;
    master.backlog = MASTER_DEFAULT_BACKLOG;
    while ((opt = getopt(argc, argv, "C:M:p:l:j:dDL:")) != -1) {
        switch (opt) {
        case 'C': master.imapd_conf = optarg; break;
        case 'M': master.cyrus_conf = optarg; break;
        case 'p': master.pidfile = optarg; break;
        case 'l':
            if (str_parse_long(optarg, 1, 65535, &backlog) < 0)
                usage();
            master.backlog = (int)backlog;
            break;
        case 'j': break; /* Cyrus's janitor rate: nothing to tune here */
        case 'd': *daemon_r = 1; break;
        case 'D': *debug_r = 1; break;
        case 'L': *logfile_r = optarg; break;
        default: usage();
        }
    }
    if (optind != argc || (*daemon_r && *debug_r))
        usage();
}

int main(int argc, char **argv)
{
    const char *logfile = NULL, *err;
    struct cyrusconf *conf;
    int daemon_mode = 0, debug_mode = 0, sig_fd;

    parse_args(argc, argv, &logfile, &daemon_mode, &debug_mode);
    log_open("master", NULL);
    log_set_file("-");
    cfg_load_or_die(master.imapd_conf, "master");
    setup_logging(logfile);
    cfg_log_warnings();
    setup_run_as();
    share_log_file(logfile);
    pidfile_check(master.pidfile);
    if (cyrusconf_load(master.cyrus_conf, &conf, &err) < 0)
        fatal(EX_CONFIG, "%s", err);
    master_conf_log_warnings(conf);

    if (daemon_mode)
        daemonize();
    sig_fd = master_signals_init();
    master.generation = 1;
    master.conf = conf;
    log_info("starting pid=<%d> imapd_conf=<%s> cyrus_conf=<%s>", (int)getpid(),
             master.imapd_conf, master.cyrus_conf);
    master_run_start(sig_fd);
    master_conf_start(conf);
    master_daemons_start();
    master_services_tend(clock_now_ms(), &(int64_t){ 0 });
    pidfile_write(master.pidfile);
    log_info("ready pid=<%d> services=<%d> pidfile=<%s>", (int)getpid(),
             count_services(), master.pidfile);
    if (!debug_mode)
        redirect_stdio(logfile);
    if (ready_pipe >= 0) {
        if (write(ready_pipe, "R", 1) < 0)
            log_warning("cannot notify the starting parent error=<%m>");
        close(ready_pipe);
        ready_pipe = -1;
    }
    main_loop(sig_fd);
}
