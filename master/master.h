/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * master.h - master's internal state, shared by the master_*.c modules.
 *
 * master is single-threaded: one poll() loop in master.c drives everything.
 * Signal handlers only write to a self-pipe (master_signals.c); all work
 * happens in the loop.  Configuration entries are owned by the current
 * struct cyrusconf (master_state.conf); objects point into it and are
 * re-pointed on reload.  Not for use outside master/.
 */
#ifndef MASTER_MASTER_H
#define MASTER_MASTER_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "lib/cyrusconf.h"
#include "master/master_util.h"

/* Seconds a surplus idle child (beyond prefork) may wait for a connection
 * before master asks it to exit. */
#define MASTER_IDLE_TIMEOUT   60
/* Seconds between SIGTERM and SIGKILL at shutdown. */
#define MASTER_TERM_GRACE     5
/* Default listen(2) backlog (-l); Cyrus uses 32. */
#define MASTER_DEFAULT_BACKLOG 32
/* Seconds master waits for a wait=y DAEMON to say "ok". */
#define MASTER_DAEMON_WAIT    60
/* Seconds after which a child still busy after a reload is logged. */
#define MASTER_RECYCLE_WARN   30

enum mchild_kind { MCHILD_SERVICE, MCHILD_DAEMON, MCHILD_EVENT, MCHILD_START };

enum mchild_state {
    MCHILD_STARTING, /* forked, no status yet: counts as available */
    MCHILD_READY,
    MCHILD_BUSY,
    MCHILD_EXITING,
};

struct mservice;
struct mdaemon;
struct mevent;

struct mchild {
    struct mchild *next;
    pid_t pid;
    enum mchild_kind kind;
    struct mservice *service; /* MCHILD_SERVICE */
    struct mdaemon *daemon;   /* MCHILD_DAEMON */
    struct mevent *event;     /* MCHILD_EVENT */
    char *name;
    unsigned generation;
    enum mchild_state state;
    int64_t started_ms;
    int64_t state_ms;          /* when state last changed */
    int hup_sent;              /* asked to exit when idle */
    int warned;                /* MASTER_RECYCLE_WARN logged */
};

/* One listening socket of a SERVICES entry (an entry listening on both
 * IPv4 and IPv6 has two, each with its own children, as in Cyrus). */
struct mservice {
    struct mservice *next;
    char *name;
    char *addr;         /* printable address, for logs */
    char *unix_path;    /* unix socket we created (unlinked on close) */
    const struct cyrusconf_entry *e; /* NULL once retired */
    int listen_fd;      /* -1 once retired */
    int status_rd, status_wr;
    int lock_fd;
    unsigned generation;
    struct forkrate fr;
    struct backoff bo;
    int64_t not_before_ms;   /* crash backoff: no fork before this */
    int pending;             /* a connection waits and no child is free */
    /* recomputed by master_tally() */
    int n_avail;             /* current-generation STARTING + READY */
    int n_ready;             /* current-generation READY */
    int n_total;             /* children of any generation */
};

struct mdaemon {
    struct mdaemon *next;
    char *name;
    const struct cyrusconf_entry *e; /* NULL once removed */
    pid_t pid;                       /* 0 when not running */
    unsigned generation;
    struct backoff bo;
    int64_t not_before_ms;
};

struct mevent {
    struct mevent *next;
    char *name;
    const struct cyrusconf_entry *e;
    time_t next_run;
    pid_t pid;                       /* running instance, or 0 */
};

struct master_state {
    const char *imapd_conf;      /* -C */
    const char *cyrus_conf;      /* -M */
    const char *pidfile;         /* -p */
    int backlog;                 /* -l */
    struct cyrusconf *conf;      /* current cyrus.conf */
    unsigned generation;         /* 1, +1 per reload */
    int drop_privs;              /* started as root: children become run_as */
    struct run_as run_as;
    struct mservice *services;
    struct mdaemon *daemons;
    struct mevent *events;
    struct mchild *children;
    int shutting_down;
};

extern struct master_state master;

/* master.c */
/* master_deadline - lower *deadline_ms to t (0 means none yet). */
void master_deadline(int64_t *deadline_ms, int64_t t);

/* master_conf.c: apply a parsed cyrus.conf */
/* master_conf_start - first configuration: bind every listener (fatal on
 * failure), create daemons and events.  Takes ownership of conf. */
void master_conf_start(struct cyrusconf *conf);
/* master_conf_reload - SIGHUP: reread cyrus.conf and apply the changes;
 * on a parse error log it and keep the old configuration. */
void master_conf_reload(void);
/* master_conf_log_warnings - log conf->warnings. */
void master_conf_log_warnings(const struct cyrusconf *conf);

/* master_listen.c */
struct master_listener {
    int fd;
    char *addr;
    char *unix_path;
};
/* master_listen_open - bind and listen every address of a SERVICES entry
 * (non-blocking, close-on-exec, SO_REUSEADDR; IPV6_V6ONLY for IPv6; unix
 * sockets mode 0777 owned by the run-as user).  Returns the count (>= 1)
 * with a new array in *ls_r, or -1 with *error_r (static storage). */
int master_listen_open(const struct cyrusconf_entry *e, int backlog,
                       struct master_listener **ls_r, const char **error_r);
/* master_listen_close - stop listening for good (also in children that
 * share the socket), close fd and unlink the unix path if any. */
void master_listen_close(int fd, const char *unix_path);

/* master_spawn.c */
struct spawn_req {
    const char *name;
    const struct strarray *argv;
    unsigned generation;
    int status_fd, listen_fd, lock_fd; /* -1 when not passed */
    int ready_fd;                      /* wait=y daemon pipe, or -1 */
    int maxfds;                        /* 0: unchanged */
};
/* master_spawn - fork and exec a child as described; returns its pid, or
 * -1 when fork failed (logged). */
pid_t master_spawn(const struct spawn_req *req);
/* master_spawn_service - start one child of s and record it. */
int master_spawn_service(struct mservice *s);
/* master_child_add - record a child (the list owns it). */
struct mchild *master_child_add(pid_t pid, enum mchild_kind kind,
                                const char *name, unsigned generation);

/* master_status.c */
/* master_status_read - consume status records from s's pipe. */
void master_status_read(struct mservice *s);
/* master_reap - waitpid() every exited child and update state. */
void master_reap(void);
/* master_tally - recompute the per-service counters. */
void master_tally(void);
/* master_services_tend - fork what each service needs, ask surplus idle
 * children to leave; lowers *deadline_ms for the next check. */
void master_services_tend(int64_t now_ms, int64_t *deadline_ms);
/* master_service_retire - stop a service: close its listener, SIGHUP its
 * children; it is freed once the last child is gone. */
void master_service_retire(struct mservice *s);
/* master_service_recycle - SIGHUP every child of s not of its current
 * generation (they exit when idle or after their connection). */
void master_service_recycle(struct mservice *s);
/* master_service_free_unused - free retired services without children. */
void master_service_free_unused(void);

/* master_signals.c */
#define MASTER_SIG_CHLD 0x01
#define MASTER_SIG_HUP  0x02
#define MASTER_SIG_TERM 0x04
/* master_signals_init - install handlers; returns the self-pipe read fd. */
int master_signals_init(void);
/* master_signals_take - the MASTER_SIG_* bits raised since the last call
 * (the signal number that asked to stop in *termsig_r). */
int master_signals_take(int *termsig_r);

/* master_events.c */
/* master_run_start - run the START entries in order, each to completion
 * (SIGTERM meanwhile, read from sig_fd, stops it and exits);
 * fatal when one fails, except with EX_TEMPFAIL (75: logged, go on). */
void master_run_start(int sig_fd);
/* master_daemons_start - start the DAEMON entries (wait=y ones one by
 * one, waiting for "ok"). */
void master_daemons_start(void);
/* master_daemons_tend / master_events_tend - (re)start what is due;
 * lower *deadline_ms to the next time something is due. */
void master_daemons_tend(int64_t now_ms, int64_t *deadline_ms);
void master_events_tend(int64_t *deadline_ms);
/* master_daemon_exited / master_event_exited - a child of that kind died. */
void master_daemon_exited(struct mchild *c, int wstatus);
void master_event_exited(struct mchild *c, int wstatus);
/* master_events_reload / master_daemons_reload - apply a new conf. */
void master_events_reload(const struct cyrusconf *conf);
void master_daemons_reload(const struct cyrusconf *conf);

#endif /* MASTER_MASTER_H */
