/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/mupdate_client.c - unit tests for the MUPDATE client library
 * (mupdate/mupdate_client*.c): address parsing, and whole sessions
 * against a scripted fake server in a forked child on a unix socket in
 * cunit_tmpdir(): greeting, AUTHENTICATE PLAIN with an initial response,
 * FIND / LIST / NOOP / RESERVE answers (NO, BAD, literals, byte-at-a-time
 * delivery), and the UPDATE stream with its LISTED and PONG events.
 */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/str.h"
#include "mupdate/mupdate_client.h"
#include "mupdate/mupdate_client_internal.h"

#define GREETING "* AUTH \"PLAIN\"\r\n* PARTIAL-UPDATE\r\n" \
                 "* OK MUPDATE \"fake\" \"Cyrus Murder\" \"v3.6\" \"(master)\"\r\n"

/* One step of a fake server's script: wait for a line starting with
 * expect (NULL: expect nothing), then send reply. */
struct step {
    const char *expect;
    const char *reply;
};

static char sock_path[600];
static int slow_replies; /* write replies one byte at a time */

/* read_line - one CRLF line from fd into out (without CRLF); 0 at EOF */
static int read_line(int fd, char *out, size_t size)
{
    size_t n = 0;
    char ch;

    while (read(fd, &ch, 1) == 1) {
        if (ch == '\n') {
            if (n && out[n - 1] == '\r')
                n--;
            out[n] = '\0';
            return 1;
        }
        if (n + 1 < size)
            out[n++] = ch;
    }
    return 0;
}

/* send_all - the reply, at once or byte by byte */
static void send_all(int fd, const char *s)
{
    size_t len = strlen(s), i;

    if (!slow_replies) {
        if (write(fd, s, len) != (ssize_t)len)
            _exit(3);
        return;
    }
    for (i = 0; i < len; i++) {
        if (write(fd, s + i, 1) != 1)
            _exit(3);
        usleep(200);
    }
}

/* fake_server - fork a child that listens on sock_path and plays script;
 * its exit status is 0 when every expected line came */
static pid_t fake_server(const char *greeting, const struct step *script)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    char line[4096];
    int lfd, fd;
    pid_t pid;

    snprintf(sock_path, sizeof(sock_path), "%s/mupdate.sock", cunit_tmpdir());
    unlink(sock_path);
    str_lcpy(sun.sun_path, sock_path, sizeof(sun.sun_path));
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(lfd >= 0);
    CU_ASSERT_FATAL(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
    CU_ASSERT_FATAL(listen(lfd, 1) == 0);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid > 0) {
        close(lfd);
        return pid;
    }
    fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        _exit(2);
    send_all(fd, greeting);
    for (; script->expect || script->reply; script++) {
        if (script->expect) {
            if (!read_line(fd, line, sizeof(line)))
                _exit(4);
            if (!str_has_prefix(line, script->expect)) {
                fprintf(stderr, "fake server: got <%s> want <%s>\n", line,
                        script->expect);
                _exit(5);
            }
        }
        if (script->reply)
            send_all(fd, script->reply);
    }
    /* wait for the client to go away */
    while (read_line(fd, line, sizeof(line)))
        ;
    _exit(0);
}

/* server_status - the child's exit status (0: script played fully) */
static int server_status(pid_t pid)
{
    int st = 0;

    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

/* connect_fake - a client on the fake server without authentication */
static struct mupdate_client *connect_fake(const char *authname,
                                           const char *password)
{
    struct mupdate_client_params params = { 0 };
    struct mupdate_client *c = NULL;
    const char *err = NULL;
    int r;

    params.server = sock_path;
    params.authname = authname;
    params.password = password;
    params.timeout_s = 5;
    r = mupdate_connect(&params, &c, &err);
    if (r != MUPDATE_OK)
        fprintf(stderr, "connect: %s\n", err);
    return c;
}

static void test_parse_addr(void)
{
    static const struct {
        const char *in, *host, *port;
        int is_unix, ok;
    } cases[] = {
        { "master.example", "master.example", "3905", 0, 1 },
        { "master.example:4000", "master.example", "4000", 0, 1 },
        { "127.0.0.9:3905", "127.0.0.9", "3905", 0, 1 },
        { "[::1]:4001", "::1", "4001", 0, 1 },
        { "[::1]", "::1", "3905", 0, 1 },
        { "::1", "::1", "3905", 0, 1 },
        { "/var/run/mupdate.sock", "/var/run/mupdate.sock", "", 1, 1 },
        { "host:0", NULL, NULL, 0, 0 },
        { "host:70000", NULL, NULL, 0, 0 },
        { "host:12x", NULL, NULL, 0, 0 },
        { "host:", NULL, NULL, 0, 0 },
        { ":3905", NULL, NULL, 0, 0 },
        { "[::1", NULL, NULL, 0, 0 },
        { "[]:1", NULL, NULL, 0, 0 },
        { "", NULL, NULL, 0, 0 },
    };
    struct buf host = BUF_INIT, port = BUF_INIT;
    const char *err;
    size_t i;
    int is_unix, r;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        err = NULL;
        r = mupdate_client_parse_addr(cases[i].in, 3905, &host, &port,
                                      &is_unix, &err);
        CU_ASSERT_EQUAL(r, cases[i].ok ? 1 : -1);
        if (r != 1) {
            CU_ASSERT_PTR_NOT_NULL(err);
            continue;
        }
        CU_ASSERT_STRING_EQUAL(buf_cstring(&host), cases[i].host);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&port), cases[i].port);
        CU_ASSERT_EQUAL(is_unix, cases[i].is_unix);
    }
    CU_ASSERT_EQUAL(mupdate_client_parse_addr(NULL, 1, &host, &port,
                                              &is_unix, &err), -1);
    buf_free(&host);
    buf_free(&port);
}

static void test_connect_refused(void)
{
    struct mupdate_client_params params = { 0 };
    struct mupdate_client *c = NULL;
    const char *err = NULL;

    snprintf(sock_path, sizeof(sock_path), "%s/nobody.sock", cunit_tmpdir());
    params.server = sock_path;
    params.authname = "";
    CU_ASSERT_EQUAL(mupdate_connect(&params, &c, &err), MUPDATE_UNAVAILABLE);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "nobody.sock"));
}

/* The commands: FIND with a literal ACL, FIND miss, LIST filtered by
 * exact server, RESERVE refused, NOOP, then a BAD kills the connection. */
static const struct step cmd_script[] = {
    { "M1 FIND \"user.alice\"",
      "M1 MAILBOX \"user.alice\" \"be1!default\" {13}\r\nalice\tlrswipk\r\n"
      "M1 OK \"Search completed\"\r\n" },
    { "M2 FIND \"user.nobody\"", "M2 OK \"Search completed\"\r\n" },
    { "M3 LIST \"be1\"",
      "M3 MAILBOX \"user.a\" \"be1!p1\" \"a lrs\"\r\n"
      "M3 RESERVE \"user.b\" \"be1!p2\"\r\n"
      "M3 MAILBOX \"user.c\" \"be10!p1\" \"\"\r\n"
      "M3 OK \"List completed\"\r\n" },
    { "M4 RESERVE \"user.a\" \"be2!p\"",
      "M4 NO \"Mailbox already exists\"\r\n" },
    { "M5 NOOP", "* NOTICE ignored\r\nM5 OK \"NOOP Complete\"\r\n" },
    { "M6 DELETE \"user.a\"", "M6 BAD \"Need more arguments\"\r\n" },
    { NULL, NULL },
};

struct list_seen {
    struct buf text;
    int count;
};

/* list_collect - "kind name location acl;" per entry */
static int list_collect(void *rock, const struct mupdate_entry *e)
{
    struct list_seen *ls = rock;

    buf_printf(&ls->text, "%d %s %s %s;", (int)e->kind, e->name, e->location,
               e->acl ? e->acl : "-");
    ls->count++;
    return 0;
}

/* run_cmd_session - play cmd_script (replies byte by byte when slow) */
static void run_cmd_session(int slow)
{
    struct list_seen ls = { BUF_INIT, 0 };
    struct mupdate_entry e;
    struct mupdate_client *c;
    pid_t pid;

    slow_replies = slow;
    pid = fake_server(GREETING, cmd_script);
    c = connect_fake("", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(mupdate_find(c, "user.alice", &e), MUPDATE_OK);
    CU_ASSERT_EQUAL(e.kind, MUPDATE_MAILBOX);
    CU_ASSERT_STRING_EQUAL(e.name, "user.alice");
    CU_ASSERT_STRING_EQUAL(e.location, "be1!default");
    CU_ASSERT_STRING_EQUAL(e.acl, "alice\tlrswipk");
    CU_ASSERT_EQUAL(mupdate_find(c, "user.nobody", &e), MUPDATE_NOTFOUND);
    CU_ASSERT_EQUAL(mupdate_list(c, "be1", list_collect, &ls), MUPDATE_OK);
    CU_ASSERT_EQUAL(ls.count, 2);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&ls.text),
                           "1 user.a be1!p1 a lrs;2 user.b be1!p2 -;");
    CU_ASSERT_EQUAL(mupdate_reserve(c, "user.a", "be2!p"), MUPDATE_NO);
    CU_ASSERT_STRING_EQUAL(mupdate_client_error(c), "Mailbox already exists");
    CU_ASSERT_EQUAL(mupdate_noop(c), MUPDATE_OK);
    CU_ASSERT_EQUAL(mupdate_delete(c, "user.a"), MUPDATE_UNAVAILABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(mupdate_client_error(c), "Need more"));
    CU_ASSERT_EQUAL(mupdate_noop(c), MUPDATE_UNAVAILABLE); /* dead now */
    mupdate_disconnect(&c);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_EQUAL(server_status(pid), 0);
    buf_free(&ls.text);
    slow_replies = 0;
}

static void test_commands(void)
{
    run_cmd_session(0);
}

static void test_commands_bytewise(void)
{
    run_cmd_session(1);
}

/* PLAIN with an initial response: base64("\0mupdate\0secret") */
static void test_auth_plain(void)
{
    static const struct step script[] = {
        { "M1 AUTHENTICATE \"PLAIN\" \"AG11cGRhdGUAc2VjcmV0\"",
          "M1 OK \"Authenticated\"\r\n" },
        { "M2 NOOP", "M2 OK \"NOOP Complete\"\r\n" },
        { NULL, NULL },
    };
    struct mupdate_client *c;
    pid_t pid;

    pid = fake_server(GREETING, script);
    c = connect_fake("mupdate", "secret");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(mupdate_noop(c), MUPDATE_OK);
    mupdate_disconnect(&c);
    CU_ASSERT_EQUAL(server_status(pid), 0);
}

static void test_auth_refused(void)
{
    static const struct step script[] = {
        { "M1 AUTHENTICATE \"PLAIN\"", "M1 NO \"Authentication failed\"\r\n" },
        { NULL, NULL },
    };
    struct mupdate_client_params params = { 0 };
    struct mupdate_client *c = NULL;
    const char *err = NULL;
    pid_t pid;

    pid = fake_server(GREETING, script);
    params.server = sock_path;
    params.authname = "mupdate";
    params.password = "wrong";
    CU_ASSERT_EQUAL(mupdate_connect(&params, &c, &err), MUPDATE_UNAVAILABLE);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "Authentication failed"));
    CU_ASSERT_EQUAL(server_status(pid), 0);
}

static void test_greeting_bye(void)
{
    static const struct step script[] = { { NULL, NULL } };
    struct mupdate_client_params params = { 0 };
    struct mupdate_client *c = NULL;
    const char *err = NULL;
    pid_t pid;

    pid = fake_server("* BYE \"Too many connections\"\r\n", script);
    params.server = sock_path;
    params.authname = "";
    CU_ASSERT_EQUAL(mupdate_connect(&params, &c, &err), MUPDATE_UNAVAILABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "Too many connections"));
    CU_ASSERT_EQUAL(server_status(pid), 0);
}

struct update_seen {
    struct buf text;
    int listed, pongs;
};

/* upd_entry / upd_event - record the stream */
static int upd_entry(void *rock, const struct mupdate_entry *e)
{
    struct update_seen *us = rock;

    buf_printf(&us->text, "%d:%s;", (int)e->kind, e->name);
    return 0;
}

static int upd_event(void *rock, enum mupdate_event ev)
{
    struct update_seen *us = rock;

    if (ev == MUPDATE_EV_LISTED) {
        us->listed++;
        buf_appendcstr(&us->text, "LISTED;");
    } else {
        us->pongs++;
        buf_appendcstr(&us->text, "PONG;");
    }
    return 0;
}

static void test_update_stream(void)
{
    static const struct step script[] = {
        { "M1 UPDATE",
          "M1 MAILBOX \"user.a\" \"be1!p\" \"a lrs\"\r\n"
          "M1 RESERVE \"user.b\" \"be2!p\"\r\n"
          "M1 OK \"Streaming Begins\"\r\n"
          "M1 MAILBOX \"user.c\" \"be1!p\" {0}\r\n\r\nM1 DEL" },
        { NULL, "ETE \"user.a\"\r\n" },
        { "M2 NOOP", "M1 DELETE \"user.c\"\r\nM2 OK \"NOOP Complete\"\r\n" },
        { "M3 NOOP", "M3 OK \"NOOP Complete\"\r\n* BYE \"shutting down\"\r\n" },
        { NULL, NULL },
    };
    struct update_seen us = { BUF_INIT, 0, 0 };
    struct mupdate_client *c;
    struct pollfd pfd;
    pid_t pid;
    int r = MUPDATE_OK, pinged = 0;

    pid = fake_server(GREETING, script);
    c = connect_fake("", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(mupdate_update_start(c), MUPDATE_OK);
    pfd.fd = mupdate_update_fd(c);
    pfd.events = POLLIN;
    while (r == MUPDATE_OK) {
        CU_ASSERT_FATAL(poll(&pfd, 1, 5000) == 1);
        r = mupdate_update_read(c, upd_entry, upd_event, &us);
        if (r == MUPDATE_OK && us.listed && strstr(buf_cstring(&us.text),
                                                   "3:user.a;") &&
            pinged == us.pongs) {
            CU_ASSERT_EQUAL(mupdate_update_ping(c), MUPDATE_OK);
            pinged++;
        }
    }
    CU_ASSERT_EQUAL(r, MUPDATE_UNAVAILABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(mupdate_client_error(c), "shutting down"));
    CU_ASSERT_STRING_EQUAL(buf_cstring(&us.text),
                           "1:user.a;2:user.b;LISTED;1:user.c;3:user.a;"
                           "3:user.c;PONG;PONG;");
    mupdate_disconnect(&c);
    CU_ASSERT_EQUAL(server_status(pid), 0);
    buf_free(&us.text);
}

/* setup - SIGPIPE ignored, a minimal imapd.conf loaded */
static void setup(void)
{
    char path[700];
    FILE *f;

    signal(SIGPIPE, SIG_IGN);
    snprintf(path, sizeof(path), "%s/imapd.conf", cunit_tmpdir());
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "configdirectory: %s\n", cunit_tmpdir());
    fclose(f);
    cfg_load_or_die(path, "mupdate");
}

const char *cunit_suite_name = "mupdate_client";
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = NULL;
CU_TestInfo cunit_tests[] = {
    { "parse_addr", test_parse_addr },
    { "connect_refused", test_connect_refused },
    { "commands", test_commands },
    { "commands_bytewise", test_commands_bytewise },
    { "auth_plain", test_auth_plain },
    { "auth_refused", test_auth_refused },
    { "greeting_bye", test_greeting_bye },
    { "update_stream", test_update_stream },
    CU_TEST_INFO_NULL,
};
