/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * testsvc.c - a tiny line service on the skeleton, for master's tests.
 *
 * On connect it greets
 *     * OK testsvc pid=<pid> gen=<generation> service=<CYRUS_SERVICE> uid=<uid>
 * then answers one line per line (CRLF or LF; case-insensitive words):
 *     PID      -> "<pid>"
 *     IDS      -> "uid=<u> gid=<g> groups=<g1,g2,...>"
 *     SLEEP n  -> sleeps n seconds (0..3600), then "OK slept"
 *     CRASH    -> abort() (a crash master must notice and repair)
 *     EXIT     -> exit(3) at once (an abnormal exit)
 *     QUIT     -> "* BYE" and close (the process serves the next client)
 *     other    -> the line itself
 * Lines longer than TESTSVC_LINE_MAX end the connection.  Not installed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "master/service.h"

#define TESTSVC_LINE_MAX 4096

/* say - write the whole text, then CRLF; -1 when the peer is gone */
static int say(int fd, const char *text)
{
    struct buf b = BUF_INIT;
    size_t off = 0;
    int r = 0;

    buf_appendcstr(&b, text);
    buf_appendcstr(&b, "\r\n");
    while (off < b.len) {
        ssize_t n = write(fd, b.s + off, b.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r = -1;
            break;
        }
        off += (size_t)n;
    }
    buf_free(&b);
    return r;
}

/* ids - the process's user and groups */
static void ids(struct buf *out)
{
    gid_t groups[256];
    int n = getgroups(256, groups);

    buf_printf(out, "uid=%d gid=%d groups=", (int)getuid(), (int)getgid());
    for (int i = 0; i < n; i++)
        buf_printf(out, "%s%d", i ? "," : "", (int)groups[i]);
}

/* command - answer one line; 0 to go on, 1 to close */
static int command(int fd, char *line)
{
    struct buf out = BUF_INIT;
    long secs;
    int r = 0;

    if (str_casecmp(line, "PID") == 0) {
        buf_printf(&out, "%d", (int)getpid());
    } else if (str_casecmp(line, "IDS") == 0) {
        ids(&out);
    } else if (str_has_caseprefix(line, "SLEEP ")) {
        if (str_parse_long(line + 6, 0, 3600, &secs) < 0) {
            buf_appendcstr(&out, "BAD sleep wants 0..3600");
        } else {
            sleep((unsigned)secs);
            buf_appendcstr(&out, "OK slept");
        }
    } else if (str_casecmp(line, "CRASH") == 0) {
        abort();
    } else if (str_casecmp(line, "EXIT") == 0) {
        _exit(3);
    } else if (str_casecmp(line, "QUIT") == 0) {
        buf_appendcstr(&out, "* BYE");
        r = 1;
    } else {
        buf_appendcstr(&out, line);
    }
    if (say(fd, buf_cstring(&out)) < 0)
        r = 1;
    buf_free(&out);
    return r;
}

/* testsvc_connection - greet, then one answer per line */
static void testsvc_connection(const struct service_conn *conn, void *rock)
{
    struct buf in = BUF_INIT, greet = BUF_INIT;
    char chunk[1024];

    buf_printf(&greet, "* OK testsvc pid=%d gen=%u service=%s uid=%d", (int)getpid(),
               service_generation(), service_name(), (int)getuid());
    if (say(conn->out_fd, buf_cstring(&greet)) < 0)
        goto done;
    for (;;) {
        char *nl;
        ssize_t n;
        while (in.len && (nl = memchr(in.s, '\n', in.len))) {
            size_t len = (size_t)(nl - in.s);
            char *line = xstrndup(in.s, len && nl[-1] == '\r' ? len - 1 : len);
            int stop;
            buf_remove_prefix(&in, len + 1);
            stop = command(conn->out_fd, line);
            free(line);
            if (stop)
                goto done;
        }
        if (in.len > TESTSVC_LINE_MAX)
            goto done;
        n = read(conn->in_fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto done;
        buf_appendmap(&in, chunk, (size_t)n);
    }
done:
    buf_free(&in);
    buf_free(&greet);
}

int main(int argc, char **argv)
{
    static const struct service_callbacks cb = {
        .name = "testsvc",
        .connection = testsvc_connection,
    };
    service_main(argc, argv, &cb);
}
