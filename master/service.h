/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * service.h - the skeleton that owns main() of every service daemon.
 *
 * A daemon fills a struct service_callbacks and calls service_main() from
 * main().  The skeleton, in order:
 *   1. parses the common flags (below); other flags listed in
 *      cb->extra_opts go to cb->getopt;
 *   2. log_open(CYRUS_SERVICE or cb->name), cfg_load_or_die(-C or the
 *      default imapd.conf, service name), then log_file, syslog_prefix,
 *      debug and umask from imapd.conf;
 *   3. cb->init (still privileged if started as root: open what needs it);
 *   4. if still root: switch to cyrus_user (with its groups) or exit
 *      EX_NOUSER; master normally did this already before exec;
 *   5. cb->post_drop_init;
 *   6. the accept loop: wait for a connection under the service's accept
 *      lock, tell master BUSY, set the log context (peer=<ip:port>,
 *      session=<id>), call cb->connection, then cb->reset and clear the
 *      context, tell master READY; until maxuse connections were served,
 *      SIGHUP arrived, master went away or the listener was shut down;
 *   7. tells master EXITING, calls cb->shutdown, exits 0.
 *
 * Common flags:
 *   -C file   imapd.conf to read (default SYSCONFDIR/imapd.conf)
 *   -s        implicit TLS on connect (service_implicit_tls())
 *   -a        peer is preauthorized, e.g. LMTP from the MTA (service_preauth())
 *   -D        debug logging
 *   -U n      serve at most n connections, then exit (default
 *             SERVICE_DEFAULT_MAXUSE; 0 = no limit); master starts another
 *   -i        standalone: serve one connection on stdin/stdout and exit,
 *             without master (for debugging: run it in a terminal or under
 *             inetd/socat); peer addresses come from stdin if a socket
 *
 * Signals: SIGHUP: exit now when idle, else after the current connection.
 * SIGTERM: exit now when idle (status 0); during a connection, by default
 * die of the signal; a daemon that sets cb->graceful_term instead gets
 * blocking calls interrupted (EINTR) and service_term_requested() true,
 * and must wind the connection down itself (master SIGKILLs after its
 * grace period).  SIGPIPE is ignored.
 *
 * Idle timeout: master, which alone knows how many children are idle,
 * sends SIGHUP to idle children beyond prefork= after its idle timeout;
 * a child never times itself out.  A child whose master is gone (status
 * pipe closed) exits when idle, and after the current connection if busy.
 */
#ifndef MASTER_SERVICE_H
#define MASTER_SERVICE_H

/* Connections a child serves before it exits and master starts a fresh
 * one (Cyrus's default). */
#define SERVICE_DEFAULT_MAXUSE 250

/* What the skeleton knows about the connection being served; valid during
 * cb->connection only. */
struct service_conn {
    int in_fd;                  /* read from here */
    int out_fd;                 /* write here (== in_fd for a socket) */
    int is_unix;                /* unix-domain peer (no IP addresses) */
    const char *local_ipport;   /* "1.2.3.4;143" (SASL iplocalport) or NULL */
    const char *remote_ipport;  /* "1.2.3.4;5678" (SASL ipremoteport) or NULL */
    const char *peer;           /* for logs: "1.2.3.4:5678", "[::1]:5678", "unix" */
    const char *peer_ip;        /* "1.2.3.4", "::1", or "unix" */
    const char *session_id;     /* unique per connection, also in the logs */
    unsigned long nth;          /* 1 for this process's first connection */
};

struct service_callbacks {
    const char *name;          /* log ident when CYRUS_SERVICE is unset */
    const char *extra_opts;    /* getopt(3) letters of the daemon's own flags */
    /* getopt - one of extra_opts (arg NULL when it takes none); return 0,
     * or -1 for a usage error (the skeleton exits EX_USAGE). */
    int (*getopt)(int opt, const char *arg, void *rock);
    /* init - before dropping privileges; argv holds the operands left after
     * the flags.  Return 0, or non-zero to exit with that code. */
    int (*init)(int argc, char **argv, void *rock);
    /* post_drop_init - after dropping privileges.  0 or an exit code. */
    int (*post_drop_init)(void *rock);
    /* connection - serve one client; close nothing, the skeleton closes
     * the fds afterwards.  Required. */
    void (*connection)(const struct service_conn *conn, void *rock);
    /* reset - forget the connection's state before the next one. */
    void (*reset)(void *rock);
    /* shutdown - last words before exit(code). */
    void (*shutdown)(int code, void *rock);
    /* run - for a daemon that serves many connections in one process (an
     * event loop: mupdate).  When set, the skeleton calls it instead of its
     * accept loop, once, after post_drop_init and with master told READY
     * (so master never forks a second child for a waiting connection):
     * the daemon accepts on listen_fd itself (non-blocking; use
     * service_accept) and returns when service_term_requested(),
     * service_hup_requested() or service_master_fd() says so, with an exit
     * code.  connection is then unused (may be NULL); -i still serves one
     * connection through it if set. */
    int (*run)(int listen_fd, void *rock);
    int graceful_term;         /* see SIGTERM above */
    void *rock;
};

/* service_main - run the daemon; never returns (exits 0 after maxuse or
 * SIGHUP, EX_* codes on bad configuration, EX_USAGE on a bad flag). */
int service_main(int argc, char **argv, const struct service_callbacks *cb)
    __attribute__((noreturn));

/* Accessors for the parsed common flags and identity. */
int service_implicit_tls(void);      /* -s */
int service_preauth(void);           /* -a */
int service_debug(void);             /* -D */
const char *service_name(void);      /* CYRUS_SERVICE or cb->name */
const char *service_config_path(void); /* -C or the default */
unsigned service_generation(void);   /* MASTER_GENERATION, 0 standalone */
int service_standalone(void);        /* 1 with -i */
/* service_term_requested - SIGTERM arrived (graceful_term daemons). */
int service_term_requested(void);
/* service_hup_requested - SIGHUP arrived: finish this connection soon. */
int service_hup_requested(void);

/* For run daemons.  service_master_fd - the status pipe to master, to
 * poll with events 0: POLLHUP/POLLERR means master is gone; -1 when
 * standalone.  service_accept - accept one connection on listen_fd
 * (non-blocking, close-on-exec, TCP_NODELAY) and describe it in *conn
 * (strings valid until the next call; session ids are unique): the fd,
 * or -1 with errno (EAGAIN: none waiting). */
int service_master_fd(void);
int service_accept(int listen_fd, struct service_conn *conn);

#endif /* MASTER_SERVICE_H */
