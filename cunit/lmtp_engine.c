/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/lmtp_engine.c - unit tests for the LMTP engine: the dot-unstuffing
 * decoder (table-driven, fed whole and one byte at a time, leaving
 * pipelined bytes unconsumed), and whole sessions driven over a
 * socketpair against fake delivery hooks in a child process: pipelined
 * commands, one reply per recipient, state and syntax errors with enhanced
 * codes, the size limit and the bad-command limit.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/xmalloc.h"
#include "lmtpd/lmtp_engine.h"
#include "lmtpd/lmtp_recipient.h"
#include "master/service.h"

const char *cunit_suite_name = "lmtp_engine";

struct dot_case {
    const char *in;      /* the wire */
    const char *out;     /* the message */
    size_t used;         /* bytes consumed; 0: not ended */
};

static const struct dot_case dot_cases[] = {
    { ".\r\n", "", 3 },
    { "a\r\n.\r\n", "a\r\n", 6 },
    { "..a\r\n.\r\n", ".a\r\n", 8 },
    { "a\r\n..\r\n.\r\nNOOP\r\n", "a\r\n.\r\n", 10 },
    { "x\n.\n", "x\r\n", 4 },                  /* bare LF: made CRLF */
    { "a\rb\r\n.\r\n", "a\rb\r\n", 8 },       /* bare CR kept */
    { "a.\r\n.b\r\n.\r\n", "a.\r\nb\r\n", 11 },
    { ".\rx\r\n.\r\n", "\rx\r\n", 8 },
    { "a\r\n.", "a\r\n", 0 },                  /* not ended yet */
    { "a\r\n. \r\n.\r\n", "a\r\n \r\n", 10 },
};

static void test_dot_whole(void)
{
    size_t i;

    for (i = 0; i < sizeof(dot_cases) / sizeof(dot_cases[0]); i++) {
        const struct dot_case *c = &dot_cases[i];
        struct lmtp_dot d = { 0 };
        struct buf out = BUF_INIT;
        int done;
        size_t used = lmtp_dot_decode(&d, c->in, strlen(c->in), &out, &done);

        CU_ASSERT_EQUAL(done, c->used != 0);
        CU_ASSERT_EQUAL(used, c->used ? c->used : strlen(c->in));
        CU_ASSERT_STRING_EQUAL(buf_cstring(&out), c->out);
        buf_free(&out);
    }
}

static void test_dot_bytewise(void)
{
    size_t i, j;

    for (i = 0; i < sizeof(dot_cases) / sizeof(dot_cases[0]); i++) {
        const struct dot_case *c = &dot_cases[i];
        struct lmtp_dot d = { 0 };
        struct buf out = BUF_INIT;
        int done = 0;

        for (j = 0; j < strlen(c->in) && !done; j++)
            CU_ASSERT_EQUAL(lmtp_dot_decode(&d, c->in + j, 1, &out, &done), 1);
        CU_ASSERT_EQUAL(done, c->used != 0);
        if (c->used)
            CU_ASSERT_EQUAL(j, c->used);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&out), c->out);
        buf_free(&out);
    }
}

/* ---- a session against fake hooks ---- */

static char spoolfile[2048];

/* fake_rcpt - "unknown*" is unknown, everything else is accepted */
static int fake_rcpt(struct lmtp_session *s, const char *address,
                     struct lmtp_recipient **r_r)
{
    (void)s;
    if (strncmp(address, "unknown", 7) == 0)
        return LMTP_RCPT_UNKNOWN;
    *r_r = xzmalloc(sizeof(**r_r));
    (*r_r)->address = xstrdup(address);
    (*r_r)->mailbox = xstrdup(address);
    return LMTP_RCPT_OK;
}

static int fake_begin(struct lmtp_session *s, void **spool_r)
{
    (void)s;
    *spool_r = xzmalloc(sizeof(struct buf));
    return 0;
}

static int fake_write(void *spool, const void *p, size_t n)
{
    buf_appendmap(spool, p, n);
    return 0;
}

static int fake_finish(void *spool)
{
    (void)spool;
    return 0;
}

static void fake_free(void **spool)
{
    buf_free(*spool);
    free(*spool);
    *spool = NULL;
}

/* fake_deliver - write the spool to spoolfile; "tempfail*" recipients
 * fail with 451 */
static void fake_deliver(struct lmtp_session *s, void *spool)
{
    FILE *f = fopen(spoolfile, "w");
    size_t i;

    if (f) {
        fwrite(((struct buf *)spool)->s, 1, ((struct buf *)spool)->len, f);
        fclose(f);
    }
    for (i = 0; i < s->nrcpts; i++) {
        s->rcpts[i]->result = strncmp(s->rcpts[i]->address, "tempfail", 8)
                                  ? LMTP_RCPT_OK : LMTP_RCPT_TEMPFAIL;
        lmtp_session_rcpt_done(s, i);
    }
}

static const struct lmtp_hooks fake_hooks = {
    fake_rcpt, fake_begin, fake_write, fake_finish, fake_free, fake_deliver,
};

/* session - run one preauthorized session fed input in one write; the
 * whole output (until the server closes) into out */
static void session(const char *input, struct buf *out)
{
    struct lmtp_server srv = { &fake_hooks, NULL, NULL };
    int sv[2];
    char buf[4096];
    ssize_t n;
    pid_t pid;

    CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        struct service_conn c = { 0 };
        close(sv[0]);
        c.in_fd = c.out_fd = sv[1];
        c.is_unix = 1;
        c.peer = "unix";
        c.session_id = "test-1";
        lmtp_session_serve(&srv, &c, 1);
        _exit(0);
    }
    close(sv[1]);
    CU_ASSERT_EQUAL(write(sv[0], input, strlen(input)), (ssize_t)strlen(input));
    shutdown(sv[0], SHUT_WR);
    buf_reset(out);
    while ((n = read(sv[0], buf, sizeof(buf))) > 0)
        buf_appendmap(out, buf, (size_t)n);
    close(sv[0]);
    buf_cstring(out);
    waitpid(pid, NULL, 0);
}

/* load_conf - an imapd.conf with extra text */
static void load_conf(const char *extra)
{
    char conf[2048];
    const char *err = NULL;
    FILE *f;

    snprintf(conf, sizeof(conf), "%s/imapd.conf", cunit_tmpdir());
    snprintf(spoolfile, sizeof(spoolfile), "%s/spool", cunit_tmpdir());
    f = fopen(conf, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "servername: lmtp.test\n%s", extra);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(cfg_load(conf, NULL, &err), 1);
}

static void test_pipelined_transaction(void)
{
    struct buf out = BUF_INIT;
    char *spool;

    load_conf("");
    session("LHLO mta\r\nMAIL FROM:<s@x> BODY=8BITMIME\r\n"
            "RCPT TO:<a@x>\r\nRCPT TO:<unknown@x>\r\nRCPT TO:<tempfail@x>\r\n"
            "DATA\r\nSubject: hi\r\n\r\n..dot\r\n.\r\nQUIT\r\n", &out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "220 lmtp.test "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "250-PIPELINING\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "250-ENHANCEDSTATUSCODES\r\n"));
    CU_ASSERT_PTR_NULL(strstr(out.s, "AUTH"));          /* preauthorized */
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s,
        "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 User unknown\r\n"
        "250 2.1.5 Ok\r\n354 "));
    /* one reply per accepted recipient, in order, then QUIT's */
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s,
        "\r\n250 2.1.5 Ok\r\n451 4.3.0 Temporary failure, try again later\r\n"
        "221 2.0.0 Bye\r\n"));
    {
        FILE *f = fopen(spoolfile, "r");
        char b[4096];
        size_t n = f ? fread(b, 1, sizeof(b) - 1, f) : 0;
        b[n] = '\0';
        if (f)
            fclose(f);
        CU_ASSERT_PTR_NOT_NULL(strstr(b, "Return-Path: <s@x>\r\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(b, "\r\nSubject: hi\r\n\r\n.dot\r\n"));
        spool = strstr(b, ".dot\r\n");
        CU_ASSERT(spool && spool[6] == '\0');
    }
    buf_free(&out);
}

static void test_state_and_syntax(void)
{
    struct buf out = BUF_INIT;

    load_conf("");
    session("MAIL FROM:<a@x>\r\nLHLO\r\nLHLO mta\r\nRCPT TO:<a@x>\r\n"
            "MAIL FROM:a@x\r\nMAIL FROM:<a@x> FOO=1\r\nMAIL FROM:<>\r\n"
            "MAIL FROM:<b@x>\r\nRCPT TO:<>\r\nDATA\r\nBOGUS\r\nVRFY a\r\n"
            "RSET\r\nDATA\r\nNOOP\r\nQUIT\r\n", &out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s,
        "503 5.5.1 Send LHLO first\r\n501 5.5.4 Syntax: LHLO hostname\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "\r\n503 5.5.1 Need MAIL command\r\n"
                                         "501 5.5.4 "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "\r\n555 5.5.4 Unsupported parameter\r\n"
                                         "250 2.1.0 Ok\r\n503 5.5.1 Not allowed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "\r\n501 5.5.4 Null address not allowed here\r\n"
                                         "554 5.5.1 No valid recipients\r\n"
                                         "500 5.5.2 Unknown command\r\n252 2.5.2 "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "\r\n250 2.0.0 Ok\r\n503 5.5.1 Need MAIL"
                                         " command\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n"));
    buf_free(&out);
}

static void test_size_limit(void)
{
    struct buf out = BUF_INIT, in = BUF_INIT;
    int i;

    load_conf("maxmessagesize: 1000\n");
    buf_appendcstr(&in, "LHLO mta\r\nMAIL FROM:<s@x> SIZE=1001\r\n"
                        "MAIL FROM:<s@x> SIZE=99999999999999999999999\r\n"
                        "MAIL FROM:<s@x> SIZE=900\r\nRCPT TO:<a@x>\r\n"
                        "RCPT TO:<b@x>\r\nDATA\r\n");
    for (i = 0; i < 30; i++)
        buf_appendcstr(&in, "0123456789012345678901234567890123456789\r\n");
    buf_appendcstr(&in, ".\r\nNOOP\r\n");
    session(buf_cstring(&in), &out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "250 SIZE 1000\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "552 5.3.4 Message size exceeds fixed limit\r\n"
                                         "501 5.5.4 Syntax error in SIZE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "\r\n552 5.3.4 Message too big\r\n"
                                         "552 5.3.4 Message too big\r\n"
                                         "250 2.0.0 Ok\r\n"));
    buf_free(&in);
    buf_free(&out);
}

static void test_bad_command_limit(void)
{
    struct buf out = BUF_INIT, in = BUF_INIT;
    int i;

    load_conf("");
    for (i = 0; i < LMTP_MAX_BAD_COMMANDS + 5; i++)
        buf_appendcstr(&in, "XYZZY\r\n");
    session(buf_cstring(&in), &out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "421 4.7.0 Too many errors"));
    /* nothing is answered after the 421 */
    CU_ASSERT_STRING_EQUAL(strstr(out.s, "421 4.7.0") + strlen(
        "421 4.7.0 Too many errors, closing connection\r\n"), "");
    buf_free(&in);
    buf_free(&out);
}

static void test_long_line(void)
{
    struct buf out = BUF_INIT, in = BUF_INIT;
    int i;

    load_conf("");
    buf_appendcstr(&in, "NOOP ");
    for (i = 0; i < LMTP_LINE_MAX; i++)
        buf_putc(&in, 'x');
    buf_appendcstr(&in, "\r\nNOOP\r\n");
    session(buf_cstring(&in), &out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out.s, "500 5.5.2 Line too long\r\n"
                                         "250 2.0.0 Ok\r\n"));
    buf_free(&in);
    buf_free(&out);
}

/* setup - daemons ignore SIGPIPE (the skeleton does it) */
static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
}

CU_TestInfo cunit_tests[] = {
    { "dot_whole", test_dot_whole },
    { "dot_bytewise", test_dot_bytewise },
    { "pipelined_transaction", test_pipelined_transaction },
    { "state_and_syntax", test_state_and_syntax },
    { "size_limit", test_size_limit },
    { "bad_command_limit", test_bad_command_limit },
    { "long_line", test_long_line },
    CU_TEST_INFO_NULL
};
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = NULL;
