/* SPDX-License-Identifier: BSD-3-Clause */
/* imap_load - a load generator for any IMAP/LMTP server (bench/README.md).
 *
 *   imap_load populate -p PORT [-h HOST] -n USERS -N MSGS [-A admin:pw]
 *   imap_load imap     -p PORT [-h HOST] -c CLIENTS -t SECS -n USERS
 *   imap_load lmtp     -p PORT [-h HOST] -M MSGS -S SIZE -K RCPTS -P CONNS -n USERS
 *   imap_load idle     -p PORT [-h HOST] -c CONNS -n USERS
 *   imap_load list     -p PORT [-h HOST] -r TIMES [-L 'LIST arguments']
 *
 * Users are PREFIX1..PREFIXn (-u PREFIX, default "bench") with one password
 * (-w, default "benchpw").  Each client thread uses blocking sockets and
 * plain C string handling; one thread per connection, so the generator
 * costs a few microseconds of CPU per command.  Every tagged NO/BAD,
 * untagged BYE/BAD/NO, unexpected reply, EOF or timeout is a protocol error.
 * The last line printed is "RESULT key=value ...", for scripts. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum { OP_CONNECT, OP_LOGIN, OP_SELECT, OP_FETCH_ENV, OP_FETCH_BODY,
       OP_STORE, OP_APPEND, OP_EXPUNGE, OP_LOGOUT, OP_NTYPES };
static const char *op_names[OP_NTYPES] = {
    "connect", "login", "select", "fetch-env-bs", "fetch-body", "store",
    "append", "store+expunge", "logout" };

static const char *opt_host = "127.0.0.1";
static const char *opt_port;
static const char *opt_prefix = "bench";
static const char *opt_pass = "benchpw";
static const char *opt_admin = "admin:admin-pw";
static const char *opt_mailbox = "INBOX";
static const char *opt_domain = "localhost";
static const char *opt_list = "\"\" \"*\"";
static int opt_clients = 10, opt_secs = 10, opt_users = 10, opt_msgs = 100;
static int opt_rounds = 3, opt_lmtp_msgs = 1000, opt_size = 4096;
static int opt_rcpts = 1, opt_conns = 4, opt_verbose = 0, opt_quickack = 0;
static unsigned opt_seed = 1;

static volatile int stop_flag;
static unsigned run_nonce;         /* unique Message-IDs across runs */

struct stats {
    uint64_t count[OP_NTYPES];
    double lat_sum[OP_NTYPES], lat_max[OP_NTYPES];
    uint64_t hist[64];          /* latency histogram, log2 microseconds */
    uint64_t errors, sessions, bytes;
};
static struct stats total;
static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("imap_load: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* ---------------------------------------------------------------- I/O */

struct conn {
    int fd;
    char rbuf[65536];
    size_t rstart, rend;
    char *line;                 /* current logical line (literals elided) */
    size_t line_len, line_alloc;
    int tag;
    int eof;
};

static int conn_open(struct conn *c)
{
    struct addrinfo hints = { 0 }, *res, *ai;
    int fd = -1, one = 1;
    struct timeval tv = { 60, 0 };

    memset(c, 0, sizeof(*c));
    c->fd = -1;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(opt_host, opt_port, &hints, &res) != 0)
        return -1;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    c->fd = fd;
    return 0;
}

static void conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->line);
    c->line = NULL;
    c->line_alloc = c->line_len = 0;
}

static int send_all(struct conn *c, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sendf(struct conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int sendf(struct conn *c, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return -1;
    return send_all(c, buf, (size_t)n);
}

static int fill(struct conn *c)
{
    ssize_t r;
    if (c->rstart == c->rend)
        c->rstart = c->rend = 0;
    else if (c->rstart > 0 && c->rend == sizeof(c->rbuf)) {
        memmove(c->rbuf, c->rbuf + c->rstart, c->rend - c->rstart);
        c->rend -= c->rstart;
        c->rstart = 0;
    }
    do
        r = recv(c->fd, c->rbuf + c->rend, sizeof(c->rbuf) - c->rend, 0);
    while (r < 0 && errno == EINTR);
    if (r <= 0) {
        c->eof = 1;
        return -1;
    }
    c->rend += (size_t)r;
#ifdef TCP_QUICKACK
    if (opt_quickack) {
        /* ACK at once (Linux clears the flag again by itself): a server
         * writing a reply in several small writes with Nagle on is then
         * not held up by this side's delayed ACK */
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
    }
#endif
    return 0;
}

static void line_add(struct conn *c, const char *p, size_t n)
{
    if (c->line_len + n + 1 > c->line_alloc) {
        c->line_alloc = (c->line_len + n + 1) * 2;
        c->line = realloc(c->line, c->line_alloc);
        if (!c->line)
            die("out of memory");
    }
    memcpy(c->line + c->line_len, p, n);
    c->line_len += n;
    c->line[c->line_len] = '\0';
}

/* read_raw_line - append one physical line (without CRLF) to c->line */
static int read_raw_line(struct conn *c)
{
    for (;;) {
        char *s = c->rbuf + c->rstart;
        char *nl = memchr(s, '\n', c->rend - c->rstart);
        if (nl) {
            size_t n = (size_t)(nl - s);
            line_add(c, s, n > 0 && s[n - 1] == '\r' ? n - 1 : n);
            c->rstart += n + 1;
            return 0;
        }
        line_add(c, s, c->rend - c->rstart);
        c->rstart = c->rend;
        if (fill(c) < 0)
            return -1;
    }
}

/* skip_bytes - consume n bytes of a literal */
static int skip_bytes(struct conn *c, uint64_t n)
{
    while (n > 0) {
        size_t have = c->rend - c->rstart;
        if (have == 0) {
            if (fill(c) < 0)
                return -1;
            continue;
        }
        if (have > n)
            have = (size_t)n;
        c->rstart += have;
        n -= have;
    }
    return 0;
}

/* read_line - one logical line: literals {n} are consumed and replaced by
 * "{n}" in c->line.  Returns the number of literal bytes skipped, -1 on
 * EOF/timeout. */
static int64_t read_line(struct conn *c)
{
    int64_t lit = 0;
    c->line_len = 0;
    line_add(c, "", 0);
    for (;;) {
        size_t start = c->line_len;
        if (read_raw_line(c) < 0)
            return -1;
        char *e = c->line + c->line_len;
        if (c->line_len > start && e[-1] == '}') {
            char *b = e - 1;
            while (b > c->line + start && b[-1] >= '0' && b[-1] <= '9')
                b--;
            if (b > c->line + start && b[-1] == '{' && b < e - 1) {
                uint64_t n = strtoull(b, NULL, 10);
                if (skip_bytes(c, n) < 0)
                    return -1;
                lit += (int64_t)n;
                continue;
            }
        }
        return lit;
    }
}

/* ---------------------------------------------------------------- IMAP */

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

static unsigned rnd_next(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

static void note_error(struct client *cl, const char *what, const char *line)
{
    cl->st.errors++;
    if (opt_verbose || cl->st.errors <= 3)
        fprintf(stderr, "client %d: protocol error in %s: %.200s\n", cl->id,
                what, line ? line : "(EOF or timeout)");
}

/* read_reply - read to the tagged reply of tag T<cl->c.tag>. */
static int read_reply(struct client *cl, const char *what, struct reply *r)
{
    char tag[32];
    int tl = snprintf(tag, sizeof(tag), "T%d ", cl->c.tag);
    memset(r, 0, sizeof(*r));
    for (;;) {
        int64_t lit = read_line(&cl->c);
        if (lit < 0) {
            note_error(cl, what, NULL);
            return -1;
        }
        r->lit += lit;
        char *l = cl->c.line;
        if (strncmp(l, tag, (size_t)tl) == 0) {
            snprintf(r->text, sizeof(r->text), "%s", l);
            r->ok = strncmp(l + tl, "OK", 2) == 0;
            char *a = strstr(l, "[APPENDUID ");
            if (a) {
                char *p = strchr(a + 11, ' ');
                if (p)
                    r->appenduid = (uint32_t)strtoul(p + 1, NULL, 10);
            }
            if (!r->ok)
                note_error(cl, what, l);
            return r->ok ? 0 : -1;
        }
        if (l[0] == '*' && l[1] == ' ') {
            char *p = l + 2;
            if (strncmp(p, "BYE", 3) == 0) {
                r->bye = 1;
                if (!cl->in_logout) {
                    note_error(cl, what, l);
                    return -1;
                }
            } else if (strncmp(p, "BAD", 3) == 0 || strncmp(p, "NO ", 3) == 0) {
                note_error(cl, what, l);
            } else if (strncmp(p, "LIST ", 5) == 0) {
                r->lists++;
            } else if (*p >= '0' && *p <= '9') {
                char *q;
                unsigned long n = strtoul(p, &q, 10);
                if (strncmp(q, " EXISTS", 7) == 0)
                    cl->exists = (uint32_t)n;
                else if (strncmp(q, " EXPUNGE", 8) == 0 && cl->exists > 0)
                    cl->exists--;
                else if (strncmp(q, " FETCH", 6) == 0)
                    r->fetches++;
            }
        } else if (l[0] == '+') {
            /* continuation: only expected by the callers that wait for it */
            note_error(cl, what, l);
            return -1;
        } else {
            note_error(cl, what, l);
            return -1;
        }
    }
}

static void record(struct stats *st, int op, double t0)
{
    double d = now() - t0;
    uint64_t us = (uint64_t)(d * 1e6);
    int b = 0;
    while (us > 1 && b < 63) {
        us >>= 1;
        b++;
    }
    st->count[op]++;
    st->lat_sum[op] += d;
    if (d > st->lat_max[op])
        st->lat_max[op] = d;
    st->hist[b]++;
}

/* cmd - send "T<n> text" and read the reply; records the op on success */
static int cmd(struct client *cl, int op, struct reply *r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int cmd(struct client *cl, int op, struct reply *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    double t0 = now();
    int n = snprintf(buf, sizeof(buf), "T%d ", ++cl->c.tag);
    va_start(ap, fmt);
    n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 2, fmt, ap);
    va_end(ap);
    buf[n++] = '\r';
    buf[n++] = '\n';
    if (send_all(&cl->c, buf, (size_t)n) < 0) {
        note_error(cl, op >= 0 ? op_names[op] : buf, "(send failed)");
        return -1;
    }
    if (read_reply(cl, op >= 0 ? op_names[op] : "command", r) < 0)
        return -1;
    if (op >= 0)
        record(&cl->st, op, t0);
    return 0;
}

/* make_message - deterministic test message number i of about `size`
 * bytes; every third one is multipart (text + base64 attachment). */
static size_t make_message(char *buf, size_t cap, unsigned i, size_t size,
                           const char *to, const char *tag)
{
    size_t n;
    static const char words[] = "lorem ipsum dolor sit amet consectetur "
        "adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore "
        "magna aliqua ut enim ad minim veniam quis nostrud exercitation ";
    n = (size_t)snprintf(buf, cap,
        "Return-Path: <sender%u@example.org>\r\n"
        "From: Sender %u <sender%u@example.org>\r\n"
        "To: %s\r\n"
        "Subject: bench message %u %s\r\n"
        "Date: Mon, 2 Nov 2026 10:%02u:%02u +0000\r\n"
        "Message-ID: <%s.%u.%u@bench.example.org>\r\n"
        "MIME-Version: 1.0\r\n",
        i % 97, i % 97, i % 97, to, i, tag, (i / 60) % 60, i % 60, tag, i,
        run_nonce);
    int multi = i % 3 == 0;
    if (multi)
        n += (size_t)snprintf(buf + n, cap - n,
            "Content-Type: multipart/mixed; boundary=\"b%u\"\r\n\r\n"
            "--b%u\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n",
            i, i);
    else
        n += (size_t)snprintf(buf + n, cap - n,
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
    size_t body_end = size > n + 200 ? size - (multi ? 120 : 0) : n + 80;
    size_t half = multi ? n + (body_end - n) / 2 : body_end;
    size_t col = 0, w = i;
    while (n < half && n + 80 < cap) {
        const char *p = words + (w++ * 7) % (sizeof(words) - 12);
        int k = 6;
        while (k-- > 0 && n < half)
            buf[n++] = *p++;
        if (++col % 12 == 0) {
            buf[n++] = '\r';
            buf[n++] = '\n';
        }
    }
    n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    if (multi) {
        n += (size_t)snprintf(buf + n, cap - n,
            "--b%u\r\nContent-Type: application/octet-stream; name=\"a%u.bin\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n", i, i);
        static const char b64[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        while (n < body_end && n + 80 < cap) {
            for (int k = 0; k < 76; k++)
                buf[n++] = b64[(w++ * 13 + (unsigned)k) % 64];
            buf[n++] = '\r';
            buf[n++] = '\n';
        }
        n += (size_t)snprintf(buf + n, cap - n, "--b%u--\r\n", i);
    }
    return n;
}

static int do_login(struct client *cl, const char *user, const char *pw)
{
    struct reply r;
    return cmd(cl, OP_LOGIN, &r, "LOGIN \"%s\" \"%s\"", user, pw);
}

static int do_connect(struct client *cl)
{
    double t0 = now();
    if (conn_open(&cl->c) < 0) {
        note_error(cl, "connect", "(connect failed)");
        return -1;
    }
    if (read_line(&cl->c) < 0 || strncmp(cl->c.line, "* OK", 4) != 0) {
        note_error(cl, "greeting", cl->c.eof ? NULL : cl->c.line);
        conn_close(&cl->c);
        return -1;
    }
    record(&cl->st, OP_CONNECT, t0);
    return 0;
}

/* do_append - APPEND with a synchronizing literal; the new UID or 0 */
static uint32_t do_append(struct client *cl, const char *mbox, const char *msg,
                          size_t len, int count_op)
{
    struct reply r;
    double t0 = now();
    if (sendf(&cl->c, "T%d APPEND \"%s\" (\\Seen) {%zu}\r\n", ++cl->c.tag,
              mbox, len) < 0) {
        note_error(cl, "append", "(send failed)");
        return 0;
    }
    if (read_line(&cl->c) < 0 || cl->c.line[0] != '+') {
        note_error(cl, "append continuation", cl->c.eof ? NULL : cl->c.line);
        return 0;
    }
    if (send_all(&cl->c, msg, len) < 0 || send_all(&cl->c, "\r\n", 2) < 0) {
        note_error(cl, "append", "(send failed)");
        return 0;
    }
    if (read_reply(cl, "append", &r) < 0)
        return 0;
    if (count_op)
        record(&cl->st, OP_APPEND, t0);
    return r.appenduid ? r.appenduid : 1;
}

static void user_name(char *buf, size_t cap, int k)
{
    snprintf(buf, cap, "%s%d", opt_prefix, k + 1);
}

/* session - one client session of the mixed workload; 0 if it ran clean */
static int session(struct client *cl, char *msgbuf, size_t msgcap)
{
    char user[128];
    struct reply r;
    int rc = -1;

    user_name(user, sizeof(user), cl->id % opt_users);
    if (do_connect(cl) < 0)
        return -1;
    cl->in_logout = 0;
    if (do_login(cl, user, opt_pass) < 0)
        goto out;
    cl->exists = 0;
    if (cmd(cl, OP_SELECT, &r, "SELECT \"%s\"", opt_mailbox) < 0)
        goto out;
    for (int i = 0; i < opt_rounds && !stop_flag; i++) {
        if (cl->exists == 0) {
            note_error(cl, "select", "(mailbox empty: populate first)");
            goto out;
        }
        uint32_t lo = 1 + rnd_next(&cl->rnd) % cl->exists;
        uint32_t hi = lo + 9 > cl->exists ? cl->exists : lo + 9;
        if (cmd(cl, OP_FETCH_ENV, &r, "FETCH %u:%u (FLAGS ENVELOPE BODYSTRUCTURE)",
                lo, hi) < 0)
            goto out;
        if (r.fetches < 1) {
            note_error(cl, "fetch-env-bs", "(no FETCH response)");
            goto out;
        }
        uint32_t x = 1 + rnd_next(&cl->rnd) % cl->exists;
        if (cmd(cl, OP_FETCH_BODY, &r, "FETCH %u (BODY.PEEK[])", x) < 0)
            goto out;
        if (r.fetches < 1 || r.lit < 1) {
            note_error(cl, "fetch-body", "(no FETCH BODY[] literal)");
            goto out;
        }
        cl->st.bytes += (uint64_t)r.lit;
        if (cmd(cl, OP_STORE, &r, "STORE %u +FLAGS (\\Flagged $Bench)", x) < 0)
            goto out;
        if (cmd(cl, OP_STORE, &r, "STORE %u -FLAGS (\\Flagged $Bench)", x) < 0)
            goto out;
    }
    if (!stop_flag) {
        char tag[64];
        snprintf(tag, sizeof(tag), "c%d", cl->id);
        size_t len = make_message(msgbuf, msgcap, rnd_next(&cl->rnd) % 1000,
                                  2000 + rnd_next(&cl->rnd) % 8000,
                                  user, tag);
        uint32_t uid = do_append(cl, opt_mailbox, msgbuf, len, 1);
        if (!uid)
            goto out;
        double t0 = now();
        if (cmd(cl, -1, &r, "UID STORE %u +FLAGS.SILENT (\\Deleted)", uid) < 0)
            goto out;
        if (cmd(cl, -1, &r, "EXPUNGE") < 0)
            goto out;
        record(&cl->st, OP_EXPUNGE, t0);
    }
    cl->in_logout = 1;
    if (cmd(cl, OP_LOGOUT, &r, "LOGOUT") < 0)
        goto out;
    if (!r.bye) {
        note_error(cl, "logout", "(no BYE)");
        goto out;
    }
    rc = 0;
out:
    conn_close(&cl->c);
    return rc;
}

static void merge(struct stats *st)
{
    pthread_mutex_lock(&total_lock);
    for (int i = 0; i < OP_NTYPES; i++) {
        total.count[i] += st->count[i];
        total.lat_sum[i] += st->lat_sum[i];
        if (st->lat_max[i] > total.lat_max[i])
            total.lat_max[i] = st->lat_max[i];
    }
    for (int i = 0; i < 64; i++)
        total.hist[i] += st->hist[i];
    total.errors += st->errors;
    total.sessions += st->sessions;
    total.bytes += st->bytes;
    pthread_mutex_unlock(&total_lock);
}

static void *imap_thread(void *arg)
{
    struct client *cl = arg;
    size_t cap = 64 * 1024;
    char *msg = malloc(cap);
    while (!stop_flag) {
        if (session(cl, msg, cap) == 0)
            cl->st.sessions++;
        else if (!stop_flag)
            usleep(10000);      /* do not spin on a dead server */
    }
    free(msg);
    return NULL;
}

static double percentile(const uint64_t *hist, double p)
{
    uint64_t n = 0, acc = 0;
    for (int i = 0; i < 64; i++)
        n += hist[i];
    if (!n)
        return 0;
    for (int i = 0; i < 64; i++) {
        acc += hist[i];
        if ((double)acc >= p * (double)n)
            return (double)(1ull << (i + 1)) / 1000.0;  /* upper bound, ms */
    }
    return 0;
}

static int run_imap(void)
{
    pthread_t *th = calloc((size_t)opt_clients, sizeof(*th));
    struct client *cl = calloc((size_t)opt_clients, sizeof(*cl));
    uint64_t ops = 0;
    double t0 = now(), el;

    for (int i = 0; i < opt_clients; i++) {
        cl[i].id = i;
        cl[i].rnd = opt_seed * 7919u + (unsigned)i;
        if (pthread_create(&th[i], NULL, imap_thread, &cl[i]) != 0)
            die("pthread_create failed");
    }
    while (now() - t0 < opt_secs)
        usleep(20000);
    stop_flag = 1;
    el = now() - t0;
    for (int i = 0; i < opt_clients; i++) {
        pthread_join(th[i], NULL);
        merge(&cl[i].st);
    }
    printf("%-14s %10s %10s %10s %10s\n", "op", "count", "per_s", "avg_ms",
           "max_ms");
    for (int i = 0; i < OP_NTYPES; i++) {
        ops += total.count[i];
        printf("%-14s %10llu %10.1f %10.2f %10.1f\n", op_names[i],
               (unsigned long long)total.count[i], total.count[i] / el,
               total.count[i] ? 1000 * total.lat_sum[i] / total.count[i] : 0,
               1000 * total.lat_max[i]);
    }
    printf("RESULT mode=imap clients=%d secs=%.1f ops=%llu ops_per_s=%.1f "
           "sessions=%llu sessions_per_s=%.1f errors=%llu p50_ms=%.2f "
           "p99_ms=%.2f body_bytes=%llu\n", opt_clients, el,
           (unsigned long long)ops, ops / el,
           (unsigned long long)total.sessions, total.sessions / el,
           (unsigned long long)total.errors, percentile(total.hist, 0.5),
           percentile(total.hist, 0.99), (unsigned long long)total.bytes);
    free(th);
    free(cl);
    return total.errors ? 1 : 0;
}

/* ------------------------------------------------------------ populate */

static int run_populate(void)
{
    struct client cl = { 0 };
    struct reply r;
    char admin[256], *pw, user[128], mbox[160];
    size_t cap = 64 * 1024;
    char *msg = malloc(cap);

    snprintf(admin, sizeof(admin), "%s", opt_admin);
    pw = strchr(admin, ':');
    if (!pw)
        die("-A wants user:password");
    *pw++ = '\0';
    if (do_connect(&cl) < 0 || do_login(&cl, admin, pw) < 0)
        die("admin login failed");
    for (int k = 0; k < opt_users; k++) {
        user_name(user, sizeof(user), k);
        snprintf(mbox, sizeof(mbox), "user/%s", user);
        cmd(&cl, -1, &r, "CREATE \"%s\"", mbox);  /* may exist: ignored */
    }
    cl.st.errors = 0;
    cl.in_logout = 1;
    cmd(&cl, -1, &r, "LOGOUT");
    conn_close(&cl.c);
    for (int k = 0; k < opt_users; k++) {
        user_name(user, sizeof(user), k);
        cl.in_logout = 0;
        if (do_connect(&cl) < 0 || do_login(&cl, user, opt_pass) < 0)
            die("login %s failed", user);
        cl.exists = 0;
        if (cmd(&cl, -1, &r, "SELECT INBOX") < 0)
            die("select failed for %s", user);
        for (unsigned i = cl.exists; i < (unsigned)opt_msgs; i++) {
            size_t len = make_message(msg, cap, i, 1000 + (i * 7919) % 15000,
                                      user, "pre");
            if (!do_append(&cl, "INBOX", msg, len, 0))
                die("append failed for %s", user);
        }
        cl.in_logout = 1;
        cmd(&cl, -1, &r, "LOGOUT");
        conn_close(&cl.c);
    }
    free(msg);
    printf("RESULT mode=populate users=%d msgs=%d errors=%llu\n", opt_users,
           opt_msgs, (unsigned long long)cl.st.errors);
    return cl.st.errors ? 1 : 0;
}

/* ---------------------------------------------------------------- idle */

static int run_idle(void)
{
    struct client *cl = calloc((size_t)opt_clients, sizeof(*cl));
    struct reply r;
    char user[128];
    uint64_t errors = 0;
    int open = 0;

    for (int i = 0; i < opt_clients; i++) {
        cl[i].id = i;
        user_name(user, sizeof(user), i % opt_users);
        if (do_connect(&cl[i]) < 0)
            continue;
        if (do_login(&cl[i], user, opt_pass) < 0 ||
            cmd(&cl[i], OP_SELECT, &r, "SELECT \"%s\"", opt_mailbox) < 0) {
            conn_close(&cl[i].c);
            continue;
        }
        open++;
    }
    for (int i = 0; i < opt_clients; i++)
        errors += cl[i].st.errors;
    printf("READY open=%d errors=%llu\n", open, (unsigned long long)errors);
    fflush(stdout);
    char b[64];
    while (fgets(b, sizeof(b), stdin))  /* hold until stdin closes */
        ;
    for (int i = 0; i < opt_clients; i++) {
        if (cl[i].c.fd < 0)
            continue;
        cl[i].in_logout = 1;
        cmd(&cl[i], -1, &r, "LOGOUT");
        conn_close(&cl[i].c);
        errors += cl[i].st.errors;
    }
    printf("RESULT mode=idle conns=%d open=%d errors=%llu\n", opt_clients, open,
           (unsigned long long)errors);
    free(cl);
    return errors ? 1 : 0;
}

/* ---------------------------------------------------------------- list */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* run_list - LIST latency: user PREFIX1 logs in and sends `LIST <-L>`
 * -r times on one connection, one after the other; exact p50/p99/max
 * of the round trip (to the tagged OK) and the LIST lines per reply. */
static int run_list(void)
{
    struct client cl = { 0 };
    struct reply r;
    char user[128];
    double *lat = calloc((size_t)opt_rounds, sizeof(*lat)), sum = 0;
    int n = 0, lines = -1;

    if (!lat)
        die("out of memory");
    user_name(user, sizeof(user), 0);
    if (do_connect(&cl) < 0 || do_login(&cl, user, opt_pass) < 0)
        die("login %s failed", user);
    for (int i = 0; i < opt_rounds; i++) {
        double t0 = now();
        if (cmd(&cl, -1, &r, "LIST %s", opt_list) < 0)
            break;
        lat[n] = now() - t0;
        sum += lat[n++];
        if (lines >= 0 && r.lists != lines)
            note_error(&cl, "list", "(number of LIST lines changed)");
        lines = r.lists;
    }
    cl.in_logout = 1;
    cmd(&cl, -1, &r, "LOGOUT");
    conn_close(&cl.c);
    qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
    printf("RESULT mode=list user=%s times=%d lines=%d avg_ms=%.2f p50_ms=%.2f "
           "p99_ms=%.2f max_ms=%.2f errors=%llu\n", user, n, lines,
           n ? 1000 * sum / n : 0, n ? 1000 * lat[n / 2] : 0,
           n ? 1000 * lat[(size_t)(0.99 * (n - 1))] : 0,
           n ? 1000 * lat[n - 1] : 0, (unsigned long long)cl.st.errors);
    free(lat);
    return cl.st.errors || n < opt_rounds ? 1 : 0;
}

/* ---------------------------------------------------------------- LMTP */

static int next_msg;
static pthread_mutex_t msg_lock = PTHREAD_MUTEX_INITIALIZER;

/* lmtp_reply - read one (multi-line) reply; its code or -1 */
static int lmtp_reply(struct conn *c)
{
    for (;;) {
        if (read_line(c) < 0)
            return -1;
        if (c->line_len < 3)
            return -1;
        if (c->line_len == 3 || c->line[3] != '-')
            return atoi(c->line);
    }
}

struct lmtp_worker {
    int id;
    struct client cl;
    uint64_t delivered, msgs;
};

static void *lmtp_thread(void *arg)
{
    struct lmtp_worker *w = arg;
    struct client *cl = &w->cl;
    size_t cap = (size_t)opt_size + 64 * 1024;
    char *msg = malloc(cap), *out = malloc(2 * cap);
    char rcpt[160];
    int code;

    if (conn_open(&cl->c) < 0 || lmtp_reply(&cl->c) != 220) {
        note_error(cl, "lmtp greeting", NULL);
        goto done;
    }
    if (sendf(&cl->c, "LHLO bench.example.org\r\n") < 0 ||
        lmtp_reply(&cl->c) != 250) {
        note_error(cl, "LHLO", cl->c.line);
        goto done;
    }
    for (;;) {
        pthread_mutex_lock(&msg_lock);
        int i = next_msg < opt_lmtp_msgs ? next_msg++ : -1;
        pthread_mutex_unlock(&msg_lock);
        if (i < 0)
            break;
        char tag[32];
        snprintf(tag, sizeof(tag), "lmtp%d", w->id);
        user_name(rcpt, sizeof(rcpt), i % opt_users);
        size_t len = make_message(msg, cap, (unsigned)i, (size_t)opt_size,
                                  rcpt, tag);
        /* dot-stuff (lines never start with '.' here, but be correct) */
        size_t o = 0;
        for (size_t k = 0; k < len; k++) {
            if (msg[k] == '.' && (k == 0 || msg[k - 1] == '\n'))
                out[o++] = '.';
            out[o++] = msg[k];
        }
        memcpy(out + o, ".\r\n", 3);
        o += 3;
        double t0 = now();
        if (sendf(&cl->c, "MAIL FROM:<sender@example.org>\r\n") < 0 ||
            (code = lmtp_reply(&cl->c)) != 250) {
            note_error(cl, "MAIL", cl->c.eof ? NULL : cl->c.line);
            break;
        }
        int ok_rcpts = 0;
        for (int k = 0; k < opt_rcpts; k++) {
            user_name(rcpt, sizeof(rcpt), (i + k) % opt_users);
            if (sendf(&cl->c, "RCPT TO:<%s@%s>\r\n", rcpt, opt_domain) < 0 ||
                (code = lmtp_reply(&cl->c)) < 0) {
                note_error(cl, "RCPT", NULL);
                goto done;
            }
            if (code == 250)
                ok_rcpts++;
            else
                note_error(cl, "RCPT", cl->c.line);
        }
        if (!ok_rcpts) {
            sendf(&cl->c, "RSET\r\n");
            lmtp_reply(&cl->c);
            continue;
        }
        if (sendf(&cl->c, "DATA\r\n") < 0 || lmtp_reply(&cl->c) != 354) {
            note_error(cl, "DATA", cl->c.eof ? NULL : cl->c.line);
            break;
        }
        if (send_all(&cl->c, out, o) < 0)
            break;
        for (int k = 0; k < ok_rcpts; k++) {
            code = lmtp_reply(&cl->c);
            if (code == 250)
                w->delivered++;
            else {
                note_error(cl, "DATA reply", cl->c.eof ? NULL : cl->c.line);
                if (code < 0)
                    goto done;
            }
        }
        w->msgs++;
        record(&cl->st, OP_APPEND, t0);
    }
    sendf(&cl->c, "QUIT\r\n");
    lmtp_reply(&cl->c);
done:
    conn_close(&cl->c);
    free(msg);
    free(out);
    return NULL;
}

static int run_lmtp(void)
{
    pthread_t *th = calloc((size_t)opt_conns, sizeof(*th));
    struct lmtp_worker *w = calloc((size_t)opt_conns, sizeof(*w));
    uint64_t delivered = 0, msgs = 0;
    double t0 = now(), el;

    for (int i = 0; i < opt_conns; i++) {
        w[i].id = i;
        w[i].cl.id = i;
        if (pthread_create(&th[i], NULL, lmtp_thread, &w[i]) != 0)
            die("pthread_create failed");
    }
    for (int i = 0; i < opt_conns; i++) {
        pthread_join(th[i], NULL);
        delivered += w[i].delivered;
        msgs += w[i].msgs;
        merge(&w[i].cl.st);
    }
    el = now() - t0;
    printf("RESULT mode=lmtp conns=%d msgs=%llu size=%d rcpts=%d secs=%.2f "
           "msgs_per_s=%.1f deliveries_per_s=%.1f avg_ms=%.2f p99_ms=%.2f "
           "errors=%llu\n", opt_conns, (unsigned long long)msgs, opt_size,
           opt_rcpts, el, msgs / el, delivered / el,
           total.count[OP_APPEND] ? 1000 * total.lat_sum[OP_APPEND] /
               total.count[OP_APPEND] : 0,
           percentile(total.hist, 0.99), (unsigned long long)total.errors);
    free(th);
    free(w);
    return total.errors || msgs < (uint64_t)opt_lmtp_msgs ? 1 : 0;
}

/* ---------------------------------------------------------------- main */

static void usage(void)
{
    fputs(
"usage: imap_load MODE -p PORT [options]\n"
"modes: populate | imap | lmtp | idle | list\n"
"  -h HOST      server address (127.0.0.1)\n"
"  -p PORT      server port (required)\n"
"  -u PREFIX    user names PREFIX1..PREFIXn (bench)\n"
"  -n USERS     number of users (10); client i uses user i mod n\n"
"  -w PASS      password of every user (benchpw)\n"
"  -A USER:PW   admin for populate's CREATE user/NAME (admin:admin-pw)\n"
"  -N MSGS      populate: messages per INBOX (100)\n"
"  -m MAILBOX   imap/idle: mailbox to SELECT (INBOX)\n"
"  -c CLIENTS   imap: concurrent clients; idle: connections (10)\n"
"  -t SECS      imap: duration (10)\n"
"  -r ROUNDS    imap: fetch/store rounds per session (3); list: LISTs\n"
"  -L ARGS      list: the LIST arguments (\"\" \"*\"), as user PREFIX1\n"
"  -s SEED      random seed (1)\n"
"  -M MSGS -S SIZE -K RCPTS -P CONNS -d DOMAIN   lmtp parameters\n"
"  -q           TCP_QUICKACK after every read (no delayed ACKs; see README)\n"
"  -v           print every protocol error\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *mode;
    int o;

    if (argc < 2)
        usage();
    mode = argv[1];
    optind = 2;
    while ((o = getopt(argc, argv, "h:p:u:n:w:A:N:m:c:t:r:s:M:S:K:P:d:L:qv")) != -1) {
        switch (o) {
        case 'h': opt_host = optarg; break;
        case 'p': opt_port = optarg; break;
        case 'u': opt_prefix = optarg; break;
        case 'n': opt_users = atoi(optarg); break;
        case 'w': opt_pass = optarg; break;
        case 'A': opt_admin = optarg; break;
        case 'N': opt_msgs = atoi(optarg); break;
        case 'm': opt_mailbox = optarg; break;
        case 'c': opt_clients = atoi(optarg); break;
        case 't': opt_secs = atoi(optarg); break;
        case 'r': opt_rounds = atoi(optarg); break;
        case 's': opt_seed = (unsigned)atoi(optarg); break;
        case 'M': opt_lmtp_msgs = atoi(optarg); break;
        case 'S': opt_size = atoi(optarg); break;
        case 'K': opt_rcpts = atoi(optarg); break;
        case 'P': opt_conns = atoi(optarg); break;
        case 'd': opt_domain = optarg; break;
        case 'L': opt_list = optarg; break;
        case 'q': opt_quickack = 1; break;
        case 'v': opt_verbose = 1; break;
        default: usage();
        }
    }
    if (!opt_port || opt_users < 1 || opt_clients < 1 || opt_conns < 1)
        usage();
    run_nonce = (unsigned)getpid() ^ (unsigned)time(NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(mode, "imap") == 0)
        return run_imap();
    if (strcmp(mode, "populate") == 0)
        return run_populate();
    if (strcmp(mode, "lmtp") == 0)
        return run_lmtp();
    if (strcmp(mode, "idle") == 0)
        return run_idle();
    if (strcmp(mode, "list") == 0)
        return run_list();
    usage();
    return 2;
}
