/* SPDX-License-Identifier: BSD-3-Clause */
/* imap_load_imap.c - imap_load's IMAP client: tagged commands (T<n>),
 * reading to the tagged reply while tracking EXISTS/EXPUNGE and counting
 * FETCH and LIST responses, connect, LOGIN and APPEND.  Every tagged
 * NO/BAD, untagged BYE (outside LOGOUT), BAD or NO, unexpected line, EOF
 * or timeout is a protocol error, counted in the client's stats
 * (note_error); functions return -1 (0 for do_append) after one. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/imap_load.h"

/* note_error - count the error; print the first few */
void note_error(struct client *cl, const char *what, const char *line)
{
    cl->st.errors++;
    if (opt_verbose || cl->st.errors <= 3)
        fprintf(stderr, "client %d: protocol error in %s: %.200s\n", cl->id,
                what, line ? line : "(EOF or timeout)");
}

/* read_reply - read to the tagged reply of tag T<cl->c.tag>. */
int read_reply(struct client *cl, const char *what, struct reply *r)
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

/* cmd - send "T<n> text" and read the reply; records the op on success */
int cmd(struct client *cl, int op, struct reply *r, const char *fmt, ...)
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

/* do_login - LOGIN, recorded */
int do_login(struct client *cl, const char *user, const char *pw)
{
    struct reply r;
    return cmd(cl, OP_LOGIN, &r, "LOGIN \"%s\" \"%s\"", user, pw);
}

/* do_connect - connect and expect "* OK" */
int do_connect(struct client *cl)
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
uint32_t do_append(struct client *cl, const char *mbox, const char *msg,
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

/* user_name - PREFIX<k+1> */
void user_name(char *buf, size_t cap, int k)
{
    snprintf(buf, cap, "%s%d", opt_prefix, k + 1);
}
