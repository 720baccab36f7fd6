/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/prot.c - unit tests for lib/prot.c, lib/prot_util.c,
 * lib/prot_deflate.c and lib/tls_*.c.
 *
 * Streams run over socketpair()s.  Where both ends must make progress at
 * once (TLS handshakes, large transfers) the peer runs in a fork()ed child
 * that reports through its exit status; children _exit() so the harness's
 * atexit handlers run only in the parent.  No threads.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/limits.h"
#include "lib/prot.h"
#include "lib/prot_deflate.h"
#include "lib/tls.h"

static int sv[2];               /* sv[0]: the stream under test, sv[1]: peer */
static struct prot *p0;

/* setup - a fresh socketpair and a stream on one end */
static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        abort();
    p0 = prot_new(sv[0]);
}

/* teardown - free the stream, close both ends */
static void teardown(void)
{
    prot_free(&p0);
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    sv[0] = sv[1] = -1;
}

/* peer_write - write a C string to the raw peer end */
static void peer_write(const char *s)
{
    size_t n = strlen(s);
    CU_ASSERT_EQUAL_FATAL(write(sv[1], s, n), (ssize_t)n);
}

/* peer_read_all - read what the peer end has within ~200 ms */
static void peer_read_all(struct buf *b)
{
    char tmp[4096];
    ssize_t n;
    int fl = fcntl(sv[1], F_GETFL);

    fcntl(sv[1], F_SETFL, fl | O_NONBLOCK);
    for (int tries = 0; tries < 20; tries++) {
        while ((n = read(sv[1], tmp, sizeof(tmp))) > 0)
            buf_appendmap(b, tmp, (size_t)n);
        usleep(10000);
    }
    fcntl(sv[1], F_SETFL, fl);
}

/* run_child - fork fn(fd, arg) with a 15 s alarm; it reports by exit code.
 * The child closes close_fd; the parent closes fd (else EOF never comes). */
static pid_t run_child(int (*fn)(int fd, void *arg), int fd, int close_fd,
                       void *arg)
{
    pid_t pid = fork();

    if (pid == 0) {
        alarm(15);
        if (close_fd >= 0)
            close(close_fd);
        _exit(fn(fd, arg));
    }
    close(fd);
    if (fd == sv[1])
        sv[1] = -1;
    return pid;
}

/* child_status - wait for a child; 0 means it succeeded */
static int child_status(pid_t pid)
{
    int st;

    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* expect_line - prot_getline equals want */
static int expect_line(struct prot *p, const char *want)
{
    struct buf line = BUF_INIT;
    int ok = prot_getline(p, &line, 1000) == 1 && buf_equal_cstr(&line, want);
    buf_free(&line);
    return ok;
}

/* ---------------------------------------------------------------- */

static void test_getline_limits(void)
{
    struct buf line = BUF_INIT;

    peer_write("12345\r\n123456\r\n1234567\nnext\n"
               "abcdefghij\r\nafter\r\n123456\r\r\nlast\n");
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 6), 1);
    CU_ASSERT(buf_equal_cstr(&line, "12345"));
    buf_reset(&line);
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 6), 1);  /* exactly max */
    CU_ASSERT(buf_equal_cstr(&line, "123456"));
    buf_reset(&line);
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 6), PROT_TOOLONG); /* max + 1 */
    CU_ASSERT(line.len <= 8);
    CU_ASSERT_EQUAL(prot_skipline(p0), 1);
    buf_reset(&line);
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 6), 1);
    CU_ASSERT(buf_equal_cstr(&line, "next"));
    buf_reset(&line);
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 6), PROT_TOOLONG);
    CU_ASSERT(line.len <= 8);                         /* never more than max+2 */
    CU_ASSERT_EQUAL(prot_skipline(p0), 1);
    buf_reset(&line);
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 6), 1);
    CU_ASSERT(buf_equal_cstr(&line, "after"));
    buf_reset(&line);
    /* "123456\r" is 7 content bytes before the CRLF: too long */
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 6), PROT_TOOLONG);
    CU_ASSERT_EQUAL(prot_skipline(p0), 1);
    buf_reset(&line);
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 6), 1);
    CU_ASSERT(buf_equal_cstr(&line, "last"));
    CU_ASSERT_EQUAL(prot_state(p0), PROT_STATE_OK);
    buf_free(&line);
}

static void test_getline_binary_and_eof(void)
{
    struct buf line = BUF_INIT;

    CU_ASSERT_EQUAL_FATAL(write(sv[1], "a\0b\r\npartial", 12), 12);
    close(sv[1]);
    sv[1] = -1;
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 100), 1);
    CU_ASSERT_EQUAL(line.len, 3);
    CU_ASSERT_EQUAL(memcmp(line.s, "a\0b", 3), 0);
    buf_reset(&line);
    /* an unterminated last line is not a line */
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 100), PROT_FAIL);
    CU_ASSERT_EQUAL(prot_state(p0), PROT_STATE_EOF);
    buf_free(&line);
}

static void test_getc_ungetc_eof_sticky(void)
{
    peer_write("ab");
    CU_ASSERT_EQUAL(prot_peek(p0), 'a');
    CU_ASSERT_EQUAL(prot_getc(p0), 'a');
    prot_ungetc(p0, 'a');
    CU_ASSERT_EQUAL(prot_available(p0), 2);
    CU_ASSERT_EQUAL(prot_getc(p0), 'a');
    CU_ASSERT_EQUAL(prot_getc(p0), 'b');
    prot_ungetc(p0, 'b');  /* after the buffer emptied */
    CU_ASSERT_EQUAL(prot_getc(p0), 'b');
    CU_ASSERT_PTR_NULL(prot_error(p0));
    close(sv[1]);
    sv[1] = -1;
    CU_ASSERT_EQUAL(prot_getc(p0), PROT_FAIL);
    CU_ASSERT_EQUAL(prot_state(p0), PROT_STATE_EOF);
    CU_ASSERT_PTR_NOT_NULL(prot_error(p0));
    CU_ASSERT_EQUAL(prot_getc(p0), PROT_FAIL); /* sticky */
    CU_ASSERT_EQUAL(prot_peek(p0), PROT_FAIL);
    CU_ASSERT_EQUAL(prot_state(p0), PROT_STATE_EOF);
}

/* writer_pattern - child: write n pattern bytes in odd-sized pieces */
static int writer_pattern(int fd, void *arg)
{
    size_t n = *(size_t *)arg, off = 0;
    char chunk[7001];

    while (off < n) {
        size_t k = n - off < sizeof(chunk) ? n - off : sizeof(chunk);
        for (size_t i = 0; i < k; i++)
            chunk[i] = (char)((off + i) * 31 % 251);
        if (write(fd, chunk, k) != (ssize_t)k)
            return 1;
        off += k;
    }
    return 0;
}

static void test_read_exact_refills(void)
{
    size_t n = 200000;
    char *got = malloc(n);
    pid_t pid = run_child(writer_pattern, sv[1], sv[0], &n);
    struct prot_stats st;
    int ok = 1;

    CU_ASSERT_EQUAL(prot_read(p0, got, 1), 1);
    CU_ASSERT_EQUAL(prot_read_exact(p0, got + 1, n - 1), 1);
    for (size_t i = 0; i < n; i++)
        if (got[i] != (char)(i * 31 % 251))
            ok = 0;
    CU_ASSERT(ok);
    prot_get_stats(p0, &st);
    CU_ASSERT_EQUAL(st.in, n);
    CU_ASSERT_EQUAL(st.wire_in, n);
    CU_ASSERT_EQUAL(child_status(pid), 0);
    /* the writer closed: reading one more is EOF */
    CU_ASSERT_EQUAL(prot_read_exact(p0, got, 1), PROT_FAIL);
    CU_ASSERT_EQUAL(prot_state(p0), PROT_STATE_EOF);
    free(got);
}

static void test_read_timeout(void)
{
    struct buf line = BUF_INIT;
    time_t t0 = time(NULL);

    prot_set_timeouts(p0, 1, 0);
    peer_write("half a li");
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 100), PROT_FAIL);
    CU_ASSERT_EQUAL(prot_state(p0), PROT_STATE_TIMEOUT);
    CU_ASSERT(time(NULL) - t0 >= 1);
    CU_ASSERT(time(NULL) - t0 <= 3);
    CU_ASSERT_PTR_NOT_NULL(prot_error(p0));
    peer_write("ne\r\n"); /* too late: the timeout is sticky */
    CU_ASSERT_EQUAL(prot_getc(p0), PROT_FAIL);
    buf_free(&line);
}

static void test_write_error_sticky(void)
{
    close(sv[1]);
    sv[1] = -1;
    CU_ASSERT_EQUAL(prot_puts(p0, "* BYE\r\n"), 1); /* buffered */
    CU_ASSERT_EQUAL(prot_flush(p0), PROT_FAIL);
    CU_ASSERT_PTR_NOT_NULL(prot_error(p0));
    CU_ASSERT_EQUAL(prot_puts(p0, "more"), PROT_FAIL);
    CU_ASSERT_EQUAL(prot_flush(p0), PROT_FAIL);
}

static void test_printf_and_literals(void)
{
    struct buf got = BUF_INIT;
    struct prot_stats st;

    CU_ASSERT_EQUAL(prot_printf(p0, "* %d EXISTS %s\r\n", 42, "x"), 1);
    CU_ASSERT_EQUAL(prot_pending_output(p0), 15);
    CU_ASSERT_EQUAL(prot_printstring(p0, "a \"q\" \\"), 1);
    CU_ASSERT_EQUAL(prot_puts(p0, " "), 1);
    CU_ASSERT_EQUAL(prot_printstring(p0, "two\r\nlines"), 1);
    CU_ASSERT_EQUAL(prot_puts(p0, " "), 1);
    CU_ASSERT_EQUAL(prot_printliteral(p0, "a\0b", 3), 1);
    CU_ASSERT_EQUAL(prot_flush(p0), 1);
    CU_ASSERT_EQUAL(prot_pending_output(p0), 0);
    peer_read_all(&got);
    CU_ASSERT_EQUAL(got.len, 15 + 12 + 1 + 16 + 1 + 8);
    CU_ASSERT_EQUAL(memcmp(got.s, "* 42 EXISTS x\r\n\"a \\\"q\\\" \\\\\" "
                                  "{10}\r\ntwo\r\nlines {3}\r\na\0b", got.len), 0);
    prot_get_stats(p0, &st);
    CU_ASSERT_EQUAL(st.out, got.len);
    CU_ASSERT_EQUAL(st.wire_out, got.len);
    buf_free(&got);
}

static void test_output_buffer_full_flushes(void)
{
    char big[LIMIT_PROT_BUFSIZE + 10];
    struct buf got = BUF_INIT;

    memset(big, 'x', sizeof(big));
    CU_ASSERT_EQUAL(prot_write(p0, big, sizeof(big)), 1);
    /* a full buffer went out without prot_flush; the rest waits */
    CU_ASSERT_EQUAL(prot_pending_output(p0), 10);
    peer_read_all(&got);
    CU_ASSERT_EQUAL(got.len, LIMIT_PROT_BUFSIZE);
    buf_free(&got);
}

/* reader_check_pattern - child: read n pattern bytes from fd, then EOF */
static int reader_check_pattern(int fd, void *arg)
{
    size_t n = *(size_t *)arg, off = 0;
    char chunk[65536];
    ssize_t k;

    while ((k = read(fd, chunk, sizeof(chunk))) > 0) {
        for (ssize_t i = 0; i < k; i++)
            if (chunk[i] != (char)((off + (size_t)i) * 31 % 251))
                return 2;
        off += (size_t)k;
    }
    return off == n ? 0 : 3;
}

static void test_relay_10mb(void)
{
    size_t n = 10 * 1024 * 1024;
    int out[2];
    struct prot *dst;
    const char *err = NULL;
    pid_t wpid, rpid;

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, out) == 0);
    wpid = run_child(writer_pattern, sv[1], sv[0], &n);
    rpid = run_child(reader_check_pattern, out[1], out[0], &n);
    dst = prot_new(out[0]);
    CU_ASSERT_EQUAL(prot_relay(p0, dst, n, &err), 1);
    CU_ASSERT_EQUAL(prot_flush(dst), 1);
    /* bounded memory: a few buffers, never the literal */
    CU_ASSERT(prot_mem_usage(p0) < 4 * LIMIT_PROT_BUFSIZE);
    CU_ASSERT(prot_mem_usage(dst) < 4 * LIMIT_PROT_BUFSIZE);
    prot_free(&dst);
    close(out[0]);
    CU_ASSERT_EQUAL(child_status(wpid), 0);
    CU_ASSERT_EQUAL(child_status(rpid), 0);
}

static void test_relay_short_source(void)
{
    int out[2];
    struct prot *dst;
    const char *err = NULL;

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, out) == 0);
    dst = prot_new(out[0]);
    peer_write("only 10 b.");
    close(sv[1]);
    sv[1] = -1;
    CU_ASSERT_EQUAL(prot_relay(p0, dst, 20, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "source"));
    prot_free(&dst);
    close(out[0]);
    close(out[1]);
}

static void test_wait_several(void)
{
    int sv2[2], pfd[2];
    struct prot *p1;
    struct prot_waitent set[3];
    const char *err = NULL;

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv2) == 0);
    CU_ASSERT_FATAL(pipe(pfd) == 0);
    p1 = prot_new(sv2[0]);
    memset(set, 0, sizeof(set));
    set[0].prot = p0;
    set[1].prot = p1;
    set[2].fd = pfd[0];

    CU_ASSERT_EQUAL(prot_wait(set, 3, 50, &err), 0); /* nothing */
    peer_write("x\r\ny\r\n");
    CU_ASSERT_EQUAL(prot_wait(set, 3, 1000, &err), 1);
    CU_ASSERT(set[0].ready && !set[1].ready && !set[2].ready);
    CU_ASSERT(expect_line(p0, "x"));
    /* "y" is buffered in p0; the fd itself is drained */
    CU_ASSERT_EQUAL(prot_wait(set, 3, 1000, &err), 1);
    CU_ASSERT(set[0].ready);
    CU_ASSERT(expect_line(p0, "y"));
    CU_ASSERT_EQUAL(prot_wait(set, 3, 50, &err), 0);
    /* the plain notification fd */
    CU_ASSERT_EQUAL(write(pfd[1], "!", 1), 1);
    CU_ASSERT_EQUAL(prot_wait(set, 3, 1000, &err), 1);
    CU_ASSERT(set[2].ready && !set[0].ready);
    /* waiting flushes pending output of the set */
    prot_puts(p1, "ping\r\n");
    CU_ASSERT_EQUAL(prot_wait(set, 2, 50, &err), 0);
    CU_ASSERT_EQUAL(prot_pending_output(p1), 0);
    /* a peer that hangs up is "ready" so the reader sees the EOF */
    close(sv2[1]);
    CU_ASSERT_EQUAL(prot_wait(set, 2, 1000, &err), 1);
    CU_ASSERT(set[1].ready);
    CU_ASSERT_EQUAL(prot_getc(p1), PROT_FAIL);
    prot_free(&p1);
    close(sv2[0]);
    close(pfd[0]);
    close(pfd[1]);
}

static void test_nonblocking(void)
{
    struct buf line = BUF_INIT;

    prot_set_nonblocking(p0, 1);
    CU_ASSERT_EQUAL(prot_fill_nb(p0), PROT_AGAIN);
    CU_ASSERT_EQUAL(prot_getc(p0), PROT_GETC_AGAIN);
    peer_write("A001 NOO");
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 100), PROT_AGAIN);
    CU_ASSERT(buf_equal_cstr(&line, "A001 NOO"));
    peer_write("P\r\n");
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 100), 1);
    CU_ASSERT(buf_equal_cstr(&line, "A001 NOOP"));
    CU_ASSERT_EQUAL(prot_state(p0), PROT_STATE_OK);
    buf_free(&line);
}

static void test_write_nonblocking(void)
{
    size_t n = 4 << 20, got = 0, bad = 0;
    char *blk = malloc(n), tmp[65536];
    ssize_t k;
    int r;

    for (size_t i = 0; i < n; i++)
        blk[i] = (char)(i * 31 % 251);
    prot_set_write_nonblocking(p0, 1);
    CU_ASSERT_EQUAL(prot_write(p0, blk, n), 1); /* queued, never waits */
    CU_ASSERT_EQUAL(prot_flush(p0), PROT_AGAIN);
    CU_ASSERT(prot_pending_output(p0) > 0);
    /* the event loop: each time the peer drains, flush more */
    while (got < n && (k = read(sv[1], tmp, sizeof(tmp))) > 0) {
        for (ssize_t i = 0; i < k; i++)
            bad += tmp[i] != (char)((got + (size_t)i) * 31 % 251);
        got += (size_t)k;
        r = prot_flush(p0);
        CU_ASSERT_FATAL(r == 1 || r == PROT_AGAIN);
    }
    CU_ASSERT_EQUAL(got, n);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(prot_flush(p0), 1);
    CU_ASSERT_EQUAL(prot_pending_output(p0), 0);
    free(blk);
}

/* xor_encode - a test codec: every byte XOR 0x5a (decode: unused) */
static int xor_encode(void *rock, const void *in, size_t n, int sync,
                      struct buf *out, const char **error_r)
{
    const unsigned char *c = in;

    (void)rock, (void)sync, (void)error_r;
    for (size_t i = 0; i < n; i++)
        buf_putc(out, (char)(c[i] ^ 0x5a));
    return 0;
}

static int xor_pending(void *rock)
{
    (void)rock;
    return 0;
}

static const struct prot_codec xor_codec = {
    "xor", xor_encode, NULL, xor_pending, NULL,
};

/* A codec installed on a write-non-blocking stream while output the
 * socket has not taken yet is queued (the SASL layer after an OK to a
 * peer that is not reading): that output still goes out as it was, in
 * order, never encoded, and installing does not wait. */
static void test_codec_after_queued_output(void)
{
    size_t n = 2 << 20, m = 100000, got = 0, bad = 0;
    char *blk = malloc(n), tmp[65536];
    const char *err = NULL;
    ssize_t k;

    for (size_t i = 0; i < n; i++)
        blk[i] = (char)(i * 31 % 251);
    prot_set_write_nonblocking(p0, 1);
    CU_ASSERT_EQUAL(prot_write(p0, blk, n), 1);
    CU_ASSERT_EQUAL(prot_flush(p0), PROT_AGAIN);    /* the socket is full */
    CU_ASSERT_EQUAL(prot_set_codec(p0, &xor_codec, NULL, &err), 1);
    CU_ASSERT_EQUAL(prot_write(p0, blk, m), 1);
    (void)prot_flush(p0);
    while (got < n + m && (k = read(sv[1], tmp, sizeof(tmp))) > 0) {
        for (ssize_t i = 0; i < k; i++) {
            size_t at = got + (size_t)i;
            char want = at < n ? blk[at] : (char)(blk[at - n] ^ 0x5a);
            bad += tmp[i] != want;
        }
        got += (size_t)k;
        CU_ASSERT_FATAL(prot_flush(p0) != PROT_FAIL);
    }
    CU_ASSERT_EQUAL(got, n + m);
    CU_ASSERT_EQUAL(bad, 0);
    free(blk);
}

/* ---------------------------------------------------------------- */
/* COMPRESS=DEFLATE                                                  */

static void test_deflate_interactive(void)
{
    struct prot *p1 = prot_new(sv[1]);
    const char *err = NULL;
    struct prot_stats st;
    char *zeros;
    size_t total = 0, nonzero = 0;
    char tmp[5000];
    ssize_t n;

    prot_set_timeouts(p0, 5, 5);
    prot_set_timeouts(p1, 5, 5);
    CU_ASSERT_EQUAL(prot_deflate_start(p0, -1, &err), 1);
    CU_ASSERT_EQUAL(prot_deflate_start(p1, -1, &err), 1);
    CU_ASSERT_EQUAL(prot_deflate_start(p1, -1, &err), -1); /* no stacking */
    CU_ASSERT_STRING_EQUAL(prot_codec_name(p0), "deflate");
    /* one short flushed line is readable at once, both directions */
    prot_puts(p0, "* OK hello\r\n");
    CU_ASSERT_EQUAL(prot_flush(p0), 1);
    CU_ASSERT(expect_line(p1, "* OK hello"));
    prot_puts(p1, "A1 NOOP\r\n");
    CU_ASSERT_EQUAL(prot_flush(p1), 1);
    CU_ASSERT(expect_line(p0, "A1 NOOP"));
    CU_ASSERT_EQUAL(prot_flush(p0), 1); /* an empty flush sends nothing */
    CU_ASSERT_EQUAL(prot_available(p1), 0);
    /* 8 MB of zeros: compresses to little; the reader's memory stays bounded */
    zeros = calloc(1, 8 << 20);
    CU_ASSERT_EQUAL(prot_write(p0, zeros, 8 << 20), 1);
    CU_ASSERT_EQUAL(prot_puts(p0, "END\r\n"), 1);
    CU_ASSERT_EQUAL(prot_flush(p0), 1);
    prot_get_stats(p0, &st);
    CU_ASSERT(st.wire_out < st.out / 100);
    while (total < (8u << 20) && (n = prot_read(p1, tmp, sizeof(tmp))) > 0) {
        for (ssize_t i = 0; i < n; i++)
            nonzero += tmp[i] != 0;
        total += (size_t)n;
    }
    CU_ASSERT_EQUAL(total, 8u << 20);
    CU_ASSERT_EQUAL(nonzero, 0);
    CU_ASSERT(expect_line(p1, "END"));
    CU_ASSERT(prot_mem_usage(p1) < 8 * LIMIT_PROT_BUFSIZE);
    free(zeros);
    prot_free(&p1);
}

static void test_deflate_garbage(void)
{
    const char *err = NULL;

    CU_ASSERT_EQUAL(prot_deflate_start(p0, -1, &err), 1);
    peer_write("\xff\xff\xff\xff this is not deflate");
    CU_ASSERT_EQUAL(prot_getc(p0), PROT_FAIL);
    CU_ASSERT_EQUAL(prot_state(p0), PROT_STATE_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(prot_error(p0), "deflate"));
}

/* deflate_echo_child - child: compressed echo of lines and a big block */
static int deflate_echo_child(int fd, void *arg)
{
    struct prot *p = prot_new(fd);
    const char *err;
    size_t n = 300000;
    char *blk = malloc(n);

    prot_set_timeouts(p, 10, 10);
    if (prot_deflate_start(p, -1, &err) < 0)
        return 1;
    if (!expect_line(p, "A1 SELECT INBOX"))
        return 2;
    prot_puts(p, "A1 OK done\r\n");
    prot_flush(p);
    if (prot_read_exact(p, blk, n) < 0)
        return 3;
    for (size_t i = 0; i < n; i++)
        if (blk[i] != (char)(i * 7919 % 253))
            return 4;
    prot_write(p, blk, n); /* and back */
    prot_flush(p);
    free(blk);
    prot_free(&p);
    return 0;
}

static void test_deflate_both_directions(void)
{
    size_t n = 300000;
    char *blk = malloc(n), *back = malloc(n);
    const char *err = NULL;
    pid_t pid = run_child(deflate_echo_child, sv[1], sv[0], NULL);

    prot_set_timeouts(p0, 10, 10);
    CU_ASSERT_EQUAL(prot_deflate_start(p0, 6, &err), 1);
    prot_puts(p0, "A1 SELECT INBOX\r\n");
    prot_flush(p0);
    CU_ASSERT(expect_line(p0, "A1 OK done"));
    for (size_t i = 0; i < n; i++)
        blk[i] = (char)(i * 7919 % 253);
    CU_ASSERT_EQUAL(prot_write(p0, blk, n), 1);
    CU_ASSERT_EQUAL(prot_flush(p0), 1);
    CU_ASSERT_EQUAL(prot_read_exact(p0, back, n), 1);
    CU_ASSERT_EQUAL(memcmp(blk, back, n), 0);
    CU_ASSERT_EQUAL(child_status(pid), 0);
    free(blk);
    free(back);
}

/* ---------------------------------------------------------------- */
/* TLS                                                               */

static char cert_path[512], key_path[512];

/* make_cert - a self-signed P-256 certificate for "localhost" */
static int make_cert(void)
{
    EVP_PKEY *pkey;
    X509 *x;
    X509_NAME *name;
    X509_EXTENSION *ext;
    X509V3_CTX v3;
    FILE *f;
    int ok = 1;

    if (cert_path[0])
        return 1;
    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    x = X509_new();
    if (!pkey || !x)
        return 0;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, pkey);
    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               (const unsigned char *)"murder test", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:localhost");
    ok = ok && ext && X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
    ok = ok && ext && X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    ok = ok && X509_sign(x, pkey, EVP_sha256());
    snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", cunit_tmpdir());
    snprintf(key_path, sizeof(key_path), "%s/key.pem", cunit_tmpdir());
    if (ok && (f = fopen(cert_path, "w"))) {
        ok = PEM_write_X509(f, x);
        fclose(f);
    }
    if (ok && (f = fopen(key_path, "w"))) {
        ok = PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL);
        fclose(f);
    }
    X509_free(x);
    EVP_PKEY_free(pkey);
    if (!ok)
        cert_path[0] = '\0';
    return ok;
}

/* server_ctx - the server context from the generated files; with
 * client_certs it asks for a client certificate signed by the same cert */
static struct tls_ctx *server_ctx_opt(int client_certs)
{
    struct tls_server_config cfg = { 0 };
    const char *err = NULL;

    cfg.cert_file = cert_path;
    cfg.key_file = key_path;
    if (client_certs) {
        cfg.ca_file = cert_path;
        cfg.request_client_cert = 1;
    }
    return tls_server_ctx_new(&cfg, &err);
}

static struct tls_ctx *server_ctx(void)
{
    return server_ctx_opt(0);
}

/* client_ctx - a client context that verifies against the test cert and
 * optionally presents it as its own */
static struct tls_ctx *client_ctx_opt(int verify, int with_cert)
{
    struct tls_client_config cfg = { 0 };
    const char *err = NULL;

    cfg.ca_file = cert_path;
    cfg.verify_peer = verify;
    if (with_cert) {
        cfg.cert_file = cert_path;
        cfg.key_file = key_path;
    }
    return tls_client_ctx_new(&cfg, &err);
}

static struct tls_ctx *client_ctx(int verify)
{
    return client_ctx_opt(verify, 0);
}

struct tls_child_opts {
    int starttls;     /* expect "STARTTLS" in plaintext first */
    int compress;     /* then COMPRESS inside TLS */
    int client_cert;  /* require a verified client cert (EXTERNAL) */
};

/* tls_server_child - child: a tiny server over TLS (and maybe deflate) */
static int tls_server_child(int fd, void *arg)
{
    const struct tls_child_opts *o = arg;
    struct tls_ctx *ctx = server_ctx_opt(o->client_cert);
    struct prot *p = prot_new(fd);
    const char *err = NULL;
    struct buf line = BUF_INIT;

    prot_set_timeouts(p, 10, 10);
    if (!ctx)
        return 1;
    if (o->starttls) {
        if (!expect_line(p, "S1 STARTTLS"))
            return 2;
        prot_puts(p, "S1 OK begin TLS\r\n"); /* flushed by tls_server_start */
    }
    if (tls_server_start(ctx, p, 10, &err) < 0)
        return 3;
    if (!tls_get_info(p) || tls_get_info(p)->ssf < 128)
        return 4;
    if (o->client_cert &&
        (!tls_get_info(p)->peer_verified || !tls_get_info(p)->peer_cn ||
         strcmp(tls_get_info(p)->peer_cn, "localhost") != 0))
        return 7;
    if (!o->client_cert && tls_get_info(p)->peer_subject)
        return 8;
    if (o->compress) {
        if (!expect_line(p, "C1 COMPRESS DEFLATE"))
            return 5;
        prot_puts(p, "C1 OK compressing\r\n");
        if (prot_deflate_start(p, -1, &err) < 0)
            return 6;
    }
    while (prot_getline(p, &line, 100000) == 1) {
        if (buf_equal_cstr(&line, "QUIT"))
            break;
        prot_printf(p, "echo %zu ", line.len);
        prot_write(p, line.s, line.len);
        prot_puts(p, "\r\n");
        prot_flush(p);
        buf_reset(&line);
    }
    prot_puts(p, "BYE\r\n");
    prot_flush(p);
    buf_free(&line);
    prot_free(&p);
    tls_ctx_free(&ctx);
    return 0;
}

/* tls_client_session - the parent's side of tls_server_child */
static void tls_client_session(const struct tls_child_opts *o)
{
    struct tls_ctx *ctx;
    const struct tls_info *info;
    const char *err = NULL;
    struct buf big = BUF_INIT, want = BUF_INIT, line = BUF_INIT;
    pid_t pid;

    CU_ASSERT_FATAL(make_cert());
    ctx = client_ctx_opt(1, o->client_cert);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
    pid = run_child(tls_server_child, sv[1], sv[0], (void *)o);
    prot_set_timeouts(p0, 10, 10);
    if (o->starttls) {
        prot_puts(p0, "S1 STARTTLS\r\n");
        prot_flush(p0);
        CU_ASSERT(expect_line(p0, "S1 OK begin TLS"));
    }
    CU_ASSERT_EQUAL(tls_client_start(ctx, p0, "localhost", 10, &err), 1);
    info = tls_get_info(p0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(info);
    CU_ASSERT(info->ssf >= 128);
    CU_ASSERT(info->peer_verified);
    CU_ASSERT_STRING_EQUAL(info->peer_cn, "localhost");
    CU_ASSERT_PTR_NOT_NULL(strstr(info->peer_subject, "murder test"));
    if (o->compress) {
        prot_puts(p0, "C1 COMPRESS DEFLATE\r\n");
        prot_flush(p0);
        CU_ASSERT(expect_line(p0, "C1 OK compressing"));
        CU_ASSERT_EQUAL(prot_deflate_start(p0, -1, &err), 1);
    }
    prot_puts(p0, "hello\r\n");
    prot_flush(p0);
    CU_ASSERT(expect_line(p0, "echo 5 hello"));
    for (int i = 0; i < 60000; i++)
        buf_putc(&big, (char)('a' + (i * 13) % 26));
    prot_write(p0, big.s, big.len);
    prot_puts(p0, "\r\nQUIT\r\n");
    prot_flush(p0);
    buf_printf(&want, "echo %zu ", big.len);
    buf_append(&want, &big);
    CU_ASSERT_EQUAL(prot_getline(p0, &line, 100000), 1);
    CU_ASSERT_EQUAL(buf_cmp(&line, &want), 0);
    CU_ASSERT(expect_line(p0, "BYE"));
    CU_ASSERT_EQUAL(child_status(pid), 0);
    buf_free(&big);
    buf_free(&want);
    buf_free(&line);
    tls_ctx_free(&ctx);
}

static void test_tls_starttls(void)
{
    struct tls_child_opts o = { 1, 0, 0 };
    tls_client_session(&o);
}

static void test_tls_implicit(void)
{
    struct tls_child_opts o = { 0, 0, 0 };
    tls_client_session(&o);
}

static void test_tls_with_deflate(void)
{
    struct tls_child_opts o = { 1, 1, 0 };
    tls_client_session(&o);
}

static void test_tls_client_cert(void)
{
    struct tls_child_opts o = { 0, 0, 1 };
    tls_client_session(&o);
}

static void test_starttls_buffered_plaintext(void)
{
    struct tls_ctx *ctx;
    const char *err = NULL;

    CU_ASSERT_FATAL(make_cert());
    ctx = server_ctx();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
    /* the attacker's command arrives in the same packet as STARTTLS */
    peer_write("S1 STARTTLS\r\nS2 DELETE INBOX\r\n");
    CU_ASSERT(expect_line(p0, "S1 STARTTLS"));
    prot_puts(p0, "S1 OK begin TLS\r\n");
    CU_ASSERT_EQUAL(tls_server_start(ctx, p0, 5, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "plaintext"));
    CU_ASSERT_PTR_NULL(tls_get_info(p0));
    tls_ctx_free(&ctx);
}

static void test_tls_wrong_name_rejected(void)
{
    struct tls_ctx *sctx, *cctx;
    struct prot *p1;
    const char *err = NULL;
    pid_t pid;

    CU_ASSERT_FATAL(make_cert());
    sctx = server_ctx();
    cctx = client_ctx(1);
    pid = fork();
    if (pid == 0) {
        alarm(10);
        close(sv[0]);
        p1 = prot_new(sv[1]);
        _exit(tls_server_start(sctx, p1, 5, &err) == 1 ? 1 : 0);
    }
    close(sv[1]);
    sv[1] = -1;
    CU_ASSERT_EQUAL(tls_client_start(cctx, p0, "imap.example.org", 5, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "handshake"));
    close(sv[0]); /* let the child's handshake end */
    sv[0] = -1;
    CU_ASSERT_EQUAL(child_status(pid), 0);
    tls_ctx_free(&sctx);
    tls_ctx_free(&cctx);
}

static void test_tls_bad_files(void)
{
    struct tls_server_config cfg = { 0 };
    const char *err = NULL;

    cfg.cert_file = "/nonexistent/cert.pem";
    cfg.key_file = "/nonexistent/key.pem";
    CU_ASSERT_PTR_NULL(tls_server_ctx_new(&cfg, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificate"));
}

const char *cunit_suite_name = "prot";
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
CU_TestInfo cunit_tests[] = {
    { "getline_limits", test_getline_limits },
    { "getline_binary_and_eof", test_getline_binary_and_eof },
    { "getc_ungetc_eof_sticky", test_getc_ungetc_eof_sticky },
    { "read_exact_refills", test_read_exact_refills },
    { "read_timeout", test_read_timeout },
    { "write_error_sticky", test_write_error_sticky },
    { "printf_and_literals", test_printf_and_literals },
    { "output_buffer_full_flushes", test_output_buffer_full_flushes },
    { "relay_10mb", test_relay_10mb },
    { "relay_short_source", test_relay_short_source },
    { "wait_several", test_wait_several },
    { "nonblocking", test_nonblocking },
    { "write_nonblocking", test_write_nonblocking },
    { "codec_after_queued_output", test_codec_after_queued_output },
    { "deflate_interactive", test_deflate_interactive },
    { "deflate_garbage", test_deflate_garbage },
    { "deflate_both_directions", test_deflate_both_directions },
    { "tls_starttls", test_tls_starttls },
    { "tls_implicit", test_tls_implicit },
    { "tls_with_deflate", test_tls_with_deflate },
    { "tls_client_cert", test_tls_client_cert },
    { "starttls_buffered_plaintext", test_starttls_buffered_plaintext },
    { "tls_wrong_name_rejected", test_tls_wrong_name_rejected },
    { "tls_bad_files", test_tls_bad_files },
    CU_TEST_INFO_NULL,
};
