/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_load.h - private header of the bench/imap_load load generator
 * (bench/imap_load*.c): the options, the statistics, the connection with
 * its line reader, the IMAP client and the modes.  Only imap_load's own
 * files include it.  Every file compiles without config.h, so that
 * bench/run-vs-cyrus can still build the program with plain gcc.
 *
 * Threads: one per connection; each owns its struct client.  Shared
 * state is the options (written by main before any thread starts),
 * stop_flag, and `total` (only through merge()).
 */
#ifndef BENCH_IMAP_LOAD_H
#define BENCH_IMAP_LOAD_H

#include <stddef.h>
#include <stdint.h>

/* ---- options (imap_load.c) ---- */

extern const char *opt_host, *opt_port, *opt_prefix, *opt_pass, *opt_admin;
extern const char *opt_mailbox, *opt_domain, *opt_list;
extern int opt_clients, opt_secs, opt_users, opt_msgs;
extern int opt_rounds, opt_lmtp_msgs, opt_size;
extern int opt_rcpts, opt_conns, opt_verbose, opt_quickack;
extern unsigned opt_seed;

extern volatile int stop_flag; /* imap mode: the run is over */
extern unsigned run_nonce;     /* unique Message-IDs across runs */

/* now - monotonic seconds */
double now(void);
/* die - print "imap_load: <message>" to stderr and exit 2 */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ---- statistics (imap_load_stats.c) ---- */

/* the measured operations; op_names[] are the report's row names */
enum { OP_CONNECT, OP_LOGIN, OP_SELECT, OP_FETCH_ENV, OP_FETCH_BODY,
       OP_STORE, OP_APPEND, OP_EXPUNGE, OP_LOGOUT, OP_NTYPES };
extern const char *op_names[OP_NTYPES];

struct stats {
    uint64_t count[OP_NTYPES];
    double lat_sum[OP_NTYPES], lat_max[OP_NTYPES];
    uint64_t hist[64];          /* latency histogram, log2 microseconds */
    uint64_t errors, sessions, bytes;
};
/* the sum of every thread's stats; read it after the threads are joined */
extern struct stats total;

/* record - count op in st with the latency since t0 (now()) */
void record(struct stats *st, int op, double t0);
/* merge - add a finished thread's st to `total` (locked) */
void merge(struct stats *st);
/* percentile - upper bound in ms of the bucket holding the p-th
 * percentile (0..1) of hist; 0 if it is empty */
double percentile(const uint64_t *hist, double p);

/* ---- connection (imap_load_conn.c) ---- */

struct conn {
    int fd;
    char rbuf[65536];
    size_t rstart, rend;
    char *line;                 /* current logical line (literals elided) */
    size_t line_len, line_alloc;
    int tag;
    int eof;
};

/* conn_open - clear c and connect to opt_host:opt_port (TCP_NODELAY,
 * 60 s send/receive timeouts); 0 or -1 */
int conn_open(struct conn *c);
/* conn_close - close the socket and free the line (c can be reopened) */
void conn_close(struct conn *c);
/* send_all - send p[0..n); 0 or -1 */
int send_all(struct conn *c, const char *p, size_t n);
/* sendf - send a formatted text of at most 4095 bytes; 0 or -1 */
int sendf(struct conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* read_line - one logical line into c->line (NUL-terminated, CRLF
 * removed): literals {n} are consumed and kept as "{n}".  Returns the
 * number of literal bytes skipped, -1 on EOF/timeout (c->eof set). */
int64_t read_line(struct conn *c);

/* ---- IMAP client (imap_load_imap.c) ---- */

struct reply {
    int ok;                     /* tagged OK */
    int fetches;                /* untagged FETCH responses */
    int lists;                  /* untagged LIST responses */
    int bye;
    int64_t lit;
    uint32_t appenduid;
    char text[256];             /* the tagged line (truncated) */
};

struct client {
    int id;
    struct conn c;
    struct stats st;
    unsigned rnd;
    uint32_t exists;
    int in_logout;
};

/* note_error - count a protocol error in what; the first three (all with
 * -v) are printed with line (NULL: EOF or timeout) */
void note_error(struct client *cl, const char *what, const char *line);
/* read_reply - read to the tagged reply of tag T<cl->c.tag>, tracking
 * EXISTS/EXPUNGE in cl->exists; 0 on tagged OK, else -1 (error noted) */
int read_reply(struct client *cl, const char *what, struct reply *r);
/* cmd - send "T<n> text" and read the reply into r; records op (unless
 * it is -1) on success; 0 or -1 */
int cmd(struct client *cl, int op, struct reply *r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* do_connect - connect and read the greeting (OP_CONNECT); 0 or -1 */
int do_connect(struct client *cl);
/* do_login - LOGIN user pw (OP_LOGIN); 0 or -1 */
int do_login(struct client *cl, const char *user, const char *pw);
/* do_append - APPEND with a synchronizing literal, recorded as OP_APPEND
 * when count_op; the new UID (1 without APPENDUID) or 0 on failure */
uint32_t do_append(struct client *cl, const char *mbox, const char *msg,
                   size_t len, int count_op);
/* user_name - the name of user k (0-based): PREFIX<k+1> */
void user_name(char *buf, size_t cap, int k);

/* ---- messages (imap_load_msg.c) ---- */

/* make_message - deterministic test message number i of about `size`
 * bytes into buf[cap]; its length */
size_t make_message(char *buf, size_t cap, unsigned i, size_t size,
                    const char *to, const char *tag);

/* ---- modes: each prints its RESULT line; exit status 0 or 1 ---- */

int run_imap(void);     /* imap_load_mix.c */
int run_populate(void); /* imap_load_fixture.c */
int run_idle(void);     /* imap_load_fixture.c */
int run_list(void);     /* imap_load_list.c */
int run_lmtp(void);     /* imap_load_lmtp.c */

#endif /* BENCH_IMAP_LOAD_H */
