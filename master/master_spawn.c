/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * master_spawn.c - fork and exec children, and the child table.
 *
 * Between fork and exec the child: restores default signal handling,
 * marks every inherited descriptor close-on-exec, moves the descriptors
 * of the child contract to STATUS_FD/LISTEN_FD/LOCK_FD (master_proto.h),
 * points stdin at /dev/null, applies maxfds, drops to the run-as user when
 * master is root, sets CYRUS_SERVICE and MASTER_GENERATION, and execs the
 * cmd= argv verbatim (master adds no arguments).  A failure there is
 * logged and the child exits EX_OSERR, which master sees as a crash.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "master/master.h"
#include "master/master_proto.h"

/* Where the child parks descriptors while it lays out 3, 4 and 5. */
#define SPAWN_PARK_FD 100

/* child_fail - log why the child cannot exec and leave */
static void child_fail(const char *name, const char *what)
    __attribute__((noreturn));
static void child_fail(const char *name, const char *what)
{
    log_error("cannot start child name=<%s> step=<%s> error=<%m>", name, what);
    _exit(EX_OSERR);
}

/* child_signals - back to default dispositions and an empty mask */
static void child_signals(void)
{
    static const int sigs[] = { SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGPIPE };
    sigset_t none;
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* child_cloexec_all - make every descriptor from 3 up close-on-exec */
static void child_cloexec_all(void)
{
#ifdef CLOSE_RANGE_CLOEXEC
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = 3; fd < max; fd++)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* child_fds - lay out the contract descriptors */
static void child_fds(const struct spawn_req *req)
{
    int src[3], dst[3], parked[3], n = 0, devnull;

    if (req->ready_fd >= 0) {
        src[n] = req->ready_fd;
        dst[n++] = STATUS_FD;
    } else if (req->status_fd >= 0) {
        src[n] = req->status_fd;
        dst[n++] = STATUS_FD;
    }
    if (req->listen_fd >= 0) {
        src[n] = req->listen_fd;
        dst[n++] = LISTEN_FD;
    }
    if (req->lock_fd >= 0) {
        src[n] = req->lock_fd;
        dst[n++] = LOCK_FD;
    }
    child_cloexec_all();
    /* Park first so that no source is overwritten by an earlier dup2. */
    for (int i = 0; i < n; i++)
        if ((parked[i] = fcntl(src[i], F_DUPFD_CLOEXEC, SPAWN_PARK_FD)) < 0)
            child_fail(req->name, "dup");
    for (int i = 0; i < n; i++)
        if (dup2(parked[i], dst[i]) < 0) /* dup2 clears close-on-exec */
            child_fail(req->name, "dup2");
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0)
        child_fail(req->name, "stdin");
}

/* child_exec - exec argv[0]: as given when it has a '/', else from
 * LIBEXECDIR, else along PATH */
static void child_exec(const struct spawn_req *req) __attribute__((noreturn));
static void child_exec(const struct spawn_req *req)
{
    char *const *argv = req->argv->data;
    char path[4096];

    if (!strchr(argv[0], '/')) {
        snprintf(path, sizeof(path), "%s/%s", LIBEXECDIR, argv[0]);
        if (access(path, X_OK) == 0)
            execv(path, argv);
        execvp(argv[0], argv);
    } else {
        execv(argv[0], argv);
    }
    log_error("cannot exec child name=<%s> cmd=<%s> error=<%m>", req->name, argv[0]);
    _exit(EX_OSERR);
}

pid_t master_spawn(const struct spawn_req *req)
{
    char gen[32];
    const char *err;
    pid_t pid = fork();

    if (pid < 0) {
        log_error("cannot fork name=<%s> error=<%m>", req->name);
        return -1;
    }
    if (pid > 0)
        return pid;

    child_signals();
    child_fds(req);
    if (req->maxfds > 0) {
        struct rlimit rl = { (rlim_t)req->maxfds, (rlim_t)req->maxfds };
        struct rlimit cur;
        if (getrlimit(RLIMIT_NOFILE, &cur) == 0 && cur.rlim_max < rl.rlim_max &&
            geteuid() != 0)
            rl.rlim_max = rl.rlim_cur = cur.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            log_warning("cannot set maxfds name=<%s> maxfds=<%d> error=<%m>",
                        req->name, req->maxfds);
    }
    if (master.drop_privs && run_as_apply(&master.run_as, &err) < 0)
        child_fail(req->name, err);
    snprintf(gen, sizeof(gen), "%u", req->generation);
    if (setenv(MASTER_ENV_SERVICE, req->name, 1) < 0 ||
        setenv(MASTER_ENV_GENERATION, gen, 1) < 0)
        child_fail(req->name, "setenv");
    child_exec(req);
}

struct mchild *master_child_add(pid_t pid, enum mchild_kind kind,
                                const char *name, unsigned generation)
{
    struct mchild *c = xzmalloc(sizeof(*c));
    c->pid = pid;
    c->kind = kind;
    c->name = xstrdup(name);
    c->generation = generation;
    c->state = MCHILD_STARTING;
    c->started_ms = c->state_ms = clock_now_ms();
    c->next = master.children;
    master.children = c;
    return c;
}

int master_spawn_service(struct mservice *s)
{
    struct spawn_req req;
    struct mchild *c;
    pid_t pid;

    memset(&req, 0, sizeof(req));
    req.name = s->name;
    req.argv = &s->e->argv;
    req.generation = s->generation;
    req.status_fd = s->status_wr;
    req.listen_fd = s->listen_fd;
    req.lock_fd = s->lock_fd;
    req.ready_fd = -1;
    req.maxfds = s->e->maxfds;
    pid = master_spawn(&req);
    if (pid < 0)
        return -1;
    forkrate_take(&s->fr, clock_now_ms());
    c = master_child_add(pid, MCHILD_SERVICE, s->name, s->generation);
    c->service = s;
    s->n_avail++;
    s->n_total++;
    log_info("child started name=<%s> pid=<%d> gen=<%u> listen=<%s>", s->name,
             (int)pid, s->generation, s->addr);
    return 1;
}
