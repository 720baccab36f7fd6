/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/xsasl.c - unit tests for lib/xsasl_*.c: complete in-process SASL
 * exchanges between our client and server glue against a sasldb file made
 * in cunit_tmpdir() with saslpasswd2, proxy authorization through the
 * policy callback, LOGIN via checkpass, and the security layer installed
 * into a pair of struct prot over a socketpair.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/prot.h"
#include "lib/xsasl.h"

#define FQDN "test.example"

/* LeakSanitizer hook (ASan builds): Debian's DIGEST-MD5 plugin fetches its
 * security-layer cipher with EVP_CIPHER_fetch() and never frees it; that
 * leak is inside libdigestmd5.so, not in our glue. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libdigestmd5.so\n";
}
/* ... and the plugin frame is only seen with the slow unwinder, since
 * libcrypto has no frame pointers. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}

static char sasldb_path[600];
static char mech_list[] = "PLAIN LOGIN SCRAM-SHA-256 DIGEST-MD5 EXTERNAL";
static int ready;

/* test_getopt - what imapd.conf's sasl_* keys would say */
static const char *test_getopt(void *rock, const char *plugin, const char *option)
{
    if (!strcmp(option, "pwcheck_method"))
        return "auxprop";
    if (!strcmp(option, "auxprop_plugin"))
        return "sasldb";
    if (!strcmp(option, "sasldb_path"))
        return sasldb_path;
    if (!strcmp(option, "mech_list"))
        return mech_list;
    return NULL;
}

/* add_user - saslpasswd2 -f into our sasldb */
static int add_user(const char *user, const char *pass)
{
    char cmd[1200];

    snprintf(cmd, sizeof(cmd),
             "printf '%%s' '%s' | saslpasswd2 -p -c -a murdertest -u %s -f '%s' %s",
             pass, FQDN, sasldb_path, user);
    return system(cmd) == 0;
}

/* setup - once per process: the sasldb and the server library */
static void setup(void)
{
    const char *err = NULL;

    signal(SIGPIPE, SIG_IGN);
    if (ready)
        return;
    snprintf(sasldb_path, sizeof(sasldb_path), "%s/sasldb2", cunit_tmpdir());
    if (!add_user("alice", "secret") || !add_user("proxy", "proxypw") ||
        !add_user("bob", "bobpw")) {
        fprintf(stderr, "saslpasswd2 failed\n");
        abort();
    }
    if (xsasl_server_init("murdertest", test_getopt, NULL, &err) != 1) {
        fprintf(stderr, "xsasl_server_init: %s\n", err);
        abort();
    }
    ready = 1;
}

/* Records the policy callback's calls. */
static char policy_seen[200];

/* policy - only "proxy" may act as someone else */
static int policy(void *rock, const char *authid, const char *authzid)
{
    snprintf(policy_seen, sizeof(policy_seen), "%s->%s", authid, authzid);
    return !strcmp(authid, "proxy");
}

/* new_server_ext - a session; max_ssf 0 means no security layer;
 * ext_authid is the TLS client certificate's identity, or NULL */
static struct xsasl_server *new_server_ext(int allow_plaintext, int ext_ssf,
                                           int max_ssf, const char *ext_authid)
{
    struct xsasl_server_params sp = { 0 };
    const char *err = NULL;
    struct xsasl_server *s;

    sp.service = "imap";
    sp.server_fqdn = FQDN;
    sp.local_ipport = "127.0.0.1;143";
    sp.remote_ipport = "127.0.0.1;50000";
    sp.allow_plaintext = allow_plaintext;
    sp.ext_ssf = ext_ssf;
    sp.max_ssf = max_ssf;
    sp.ext_authid = ext_authid;
    sp.authorize = policy;
    s = xsasl_server_new(&sp, &err);
    if (!s)
        fprintf(stderr, "xsasl_server_new: %s\n", err);
    return s;
}

/* new_server - a session without a TLS client identity */
static struct xsasl_server *new_server(int allow_plaintext, int ext_ssf,
                                       int max_ssf)
{
    return new_server_ext(allow_plaintext, ext_ssf, max_ssf, NULL);
}

/* new_client - a client session for authname[/authzid] */
static struct xsasl_client *new_client(const char *authname, const char *pass,
                                       const char *authzid, const char *mechs,
                                       int max_ssf)
{
    struct xsasl_client_params cp = { 0 };
    const char *err = NULL;
    struct xsasl_client *c;

    cp.service = "imap";
    cp.server_fqdn = FQDN;
    cp.local_ipport = "127.0.0.1;50000";
    cp.remote_ipport = "127.0.0.1;143";
    cp.authname = authname;
    cp.password = pass;
    cp.authzid = authzid;
    cp.mechs_allowed = mechs;
    cp.allow_plaintext = 1;
    cp.max_ssf = max_ssf;
    c = xsasl_client_new(&cp, &err);
    if (!c)
        fprintf(stderr, "xsasl_client_new: %s\n", err);
    return c;
}

/* exchange - drive both sides to the end; 1 success, -1 failure */
static int exchange(struct xsasl_server *s, struct xsasl_client *c,
                    const char **mech_r, const char **err_r)
{
    struct buf mechs = BUF_INIT, cout = BUF_INIT, sout = BUF_INIT;
    int initial = 0, rc, rs = -1;

    *err_r = NULL;
    xsasl_server_mechs(s, &mechs);
    rc = xsasl_client_start(c, buf_cstring(&mechs), mech_r, &initial, &cout, err_r);
    if (rc < 0)
        goto done;
    rs = xsasl_server_start(s, *mech_r, initial ? buf_cstring(&cout) : NULL,
                            cout.len, &sout, err_r);
    for (int round = 0; rs == 0 && round < 10; round++) {
        rc = xsasl_client_step(c, sout.s, sout.len, &cout, err_r);
        if (rc < 0) {
            rs = -1;
            goto done;
        }
        rs = xsasl_server_step(s, cout.s, cout.len, &sout, err_r);
    }
    /* success data (e.g. SCRAM's server signature) must satisfy the client */
    if (rs == 1 && sout.len && xsasl_client_step(c, sout.s, sout.len, &cout, err_r) != 1)
        rs = -1;
done:
    buf_free(&mechs);
    buf_free(&cout);
    buf_free(&sout);
    return rs;
}

static void test_mech_list(void)
{
    struct xsasl_server *s = new_server(0, 0, 0);
    struct buf m = BUF_INIT;

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(xsasl_server_mechs(s, &m), 1);
    /* no TLS, plaintext not allowed: no PLAIN, no LOGIN */
    CU_ASSERT_PTR_NULL(strstr(buf_cstring(&m), "PLAIN"));
    CU_ASSERT_PTR_NULL(strstr(buf_cstring(&m), "LOGIN"));
    xsasl_server_free(&s);
    CU_ASSERT_PTR_NULL(s);
    /* under TLS (external ssf) PLAIN is offered */
    s = new_server(0, 256, 0);
    CU_ASSERT_EQUAL(xsasl_server_mechs(s, &m), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf_cstring(&m), "PLAIN"));
    CU_ASSERT_PTR_NULL(strstr(buf_cstring(&m), "CRAM-MD5")); /* not in mech_list */
    xsasl_server_free(&s);
    buf_free(&m);
}

static void test_plain_ok_and_wrong_password(void)
{
    struct xsasl_server *s = new_server(1, 0, 0);
    struct xsasl_client *c = new_client("alice", "secret", NULL, "PLAIN", 0);
    const char *mech = NULL, *err = NULL;

    CU_ASSERT_EQUAL(exchange(s, c, &mech, &err), 1);
    CU_ASSERT_STRING_EQUAL(mech, "PLAIN");
    CU_ASSERT_STRING_EQUAL(xsasl_server_username(s), "alice");
    CU_ASSERT_STRING_EQUAL(xsasl_server_authid(s), "alice");
    CU_ASSERT_EQUAL(xsasl_server_ssf(s), 0);
    xsasl_server_free(&s);
    xsasl_client_free(&c);
    CU_ASSERT_PTR_NULL(c);

    s = new_server(1, 0, 0);
    c = new_client("alice", "wrong", NULL, "PLAIN", 0);
    CU_ASSERT_EQUAL(exchange(s, c, &mech, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(err);
    CU_ASSERT_PTR_NULL(xsasl_server_username(s));
    xsasl_server_free(&s);
    xsasl_client_free(&c);
}

static void test_scram_sha256(void)
{
    struct xsasl_server *s = new_server(0, 0, 0);
    struct xsasl_client *c = new_client("alice", "secret", NULL, "SCRAM-SHA-256", 0);
    struct buf m = BUF_INIT;
    const char *mech = NULL, *err = NULL;

    xsasl_server_mechs(s, &m);
    if (!strstr(buf_cstring(&m), "SCRAM-SHA-256")) {
        fprintf(stderr, "(SCRAM-SHA-256 plugin not installed: skipped) ");
    } else {
        CU_ASSERT_EQUAL(exchange(s, c, &mech, &err), 1);
        CU_ASSERT_STRING_EQUAL(mech, "SCRAM-SHA-256");
        CU_ASSERT_STRING_EQUAL(xsasl_server_username(s), "alice");
        xsasl_server_free(&s);
        xsasl_client_free(&c);
        s = new_server(0, 0, 0);
        c = new_client("alice", "wrong", NULL, "SCRAM-SHA-256", 0);
        CU_ASSERT_EQUAL(exchange(s, c, &mech, &err), -1);
    }
    xsasl_server_free(&s);
    xsasl_client_free(&c);
    buf_free(&m);
}

static void test_proxy_authorization(void)
{
    struct xsasl_server *s = new_server(1, 0, 0);
    struct xsasl_client *c = new_client("proxy", "proxypw", "alice", "PLAIN", 0);
    const char *mech = NULL, *err = NULL;

    policy_seen[0] = '\0';
    CU_ASSERT_EQUAL(exchange(s, c, &mech, &err), 1);
    CU_ASSERT_STRING_EQUAL(policy_seen, "proxy->alice");
    CU_ASSERT_STRING_EQUAL(xsasl_server_username(s), "alice");
    CU_ASSERT_STRING_EQUAL(xsasl_server_authid(s), "proxy");
    xsasl_server_free(&s);
    xsasl_client_free(&c);

    /* bob has valid credentials but is not a proxy server */
    s = new_server(1, 0, 0);
    c = new_client("bob", "bobpw", "alice", "PLAIN", 0);
    policy_seen[0] = '\0';
    CU_ASSERT_EQUAL(exchange(s, c, &mech, &err), -1);
    CU_ASSERT_STRING_EQUAL(policy_seen, "bob->alice");
    CU_ASSERT_PTR_NULL(xsasl_server_username(s));
    xsasl_server_free(&s);
    xsasl_client_free(&c);

    /* authzid equal to authid needs no policy */
    s = new_server(1, 0, 0);
    c = new_client("bob", "bobpw", "bob", "PLAIN", 0);
    policy_seen[0] = '\0';
    CU_ASSERT_EQUAL(exchange(s, c, &mech, &err), 1);
    CU_ASSERT_STRING_EQUAL(policy_seen, "");
    xsasl_server_free(&s);
    xsasl_client_free(&c);
}

static void test_checkpass(void)
{
    struct xsasl_server *s = new_server(1, 0, 0);
    const char *err = NULL;

    CU_ASSERT_EQUAL(xsasl_server_checkpass(s, "alice", "wrong", &err), -1);
    CU_ASSERT_PTR_NULL(xsasl_server_username(s));
    CU_ASSERT_EQUAL(xsasl_server_checkpass(s, "alice", "secret", &err), 1);
    CU_ASSERT_STRING_EQUAL(xsasl_server_username(s), "alice");
    xsasl_server_free(&s);
    /* plaintext LOGIN refused without TLS unless allowed */
    s = new_server(0, 0, 0);
    CU_ASSERT_EQUAL(xsasl_server_checkpass(s, "alice", "secret", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "plaintext"));
    xsasl_server_free(&s);
}

static void test_external_from_tls(void)
{
    struct xsasl_server *s = new_server_ext(0, 256, 0, "alice");
    struct xsasl_client_params cp = { 0 };
    struct xsasl_client *c;
    struct buf m = BUF_INIT;
    const char *mech = NULL, *err = NULL;

    xsasl_server_mechs(s, &m);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf_cstring(&m), "EXTERNAL"));
    cp.service = "imap";
    cp.server_fqdn = FQDN;
    cp.mechs_allowed = "EXTERNAL";
    cp.ext_ssf = 256;
    cp.ext_authid = "alice";
    c = xsasl_client_new(&cp, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(exchange(s, c, &mech, &err), 1);
    CU_ASSERT_STRING_EQUAL(mech, "EXTERNAL");
    CU_ASSERT_STRING_EQUAL(xsasl_server_username(s), "alice");
    xsasl_server_free(&s);
    xsasl_client_free(&c);
    /* without a certificate identity EXTERNAL is not offered */
    s = new_server(0, 256, 0);
    xsasl_server_mechs(s, &m);
    CU_ASSERT_PTR_NULL(strstr(buf_cstring(&m), "EXTERNAL"));
    xsasl_server_free(&s);
    buf_free(&m);
}

static void test_no_common_mech(void)
{
    struct xsasl_server *s = new_server(1, 0, 0);
    struct xsasl_client *c = new_client("alice", "secret", NULL, "GSSAPI", 0);
    const char *mech = NULL, *err = NULL;

    CU_ASSERT_EQUAL(exchange(s, c, &mech, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(err);
    xsasl_server_free(&s);
    xsasl_client_free(&c);
}

static void test_security_layer(void)
{
    struct xsasl_server *s = new_server(0, 0, 256);
    struct xsasl_client *c = new_client("alice", "secret", NULL, "DIGEST-MD5", 256);
    const char *mech = NULL, *err = NULL;
    struct buf m = BUF_INIT, line = BUF_INIT, big = BUF_INIT;
    struct prot *ps, *pc;
    struct prot_stats st;
    int sv[2];

    xsasl_server_mechs(s, &m);
    if (!strstr(buf_cstring(&m), "DIGEST-MD5")) {
        fprintf(stderr, "(DIGEST-MD5 plugin not installed: skipped) ");
        goto out;
    }
    CU_ASSERT_EQUAL_FATAL(exchange(s, c, &mech, &err), 1);
    CU_ASSERT(xsasl_server_ssf(s) > 1);
    CU_ASSERT(xsasl_client_ssf(c) > 1);
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    ps = prot_new(sv[0]);
    pc = prot_new(sv[1]);
    prot_set_timeouts(ps, 5, 5);
    prot_set_timeouts(pc, 5, 5);
    CU_ASSERT_EQUAL(xsasl_server_install_layer(s, ps, &err), 1);
    CU_ASSERT_EQUAL(xsasl_client_install_layer(c, pc, &err), 1);
    CU_ASSERT_STRING_EQUAL(prot_codec_name(ps), "sasl");
    prot_puts(pc, "A1 NOOP\r\n");
    prot_flush(pc);
    CU_ASSERT_EQUAL(prot_getline(ps, &line, 100), 1);
    CU_ASSERT(buf_equal_cstr(&line, "A1 NOOP"));
    /* a write larger than the peer's maxbuf is cut into packets */
    for (int i = 0; i < 100000; i++)
        buf_putc(&big, (char)('A' + i % 23));
    prot_write(ps, big.s, big.len);
    prot_puts(ps, "\r\n");
    CU_ASSERT_EQUAL(prot_flush(ps), 1);
    buf_reset(&line);
    CU_ASSERT_EQUAL(prot_getline(pc, &line, 200000), 1);
    CU_ASSERT_EQUAL(buf_cmp(&line, &big), 0);
    prot_get_stats(ps, &st);
    CU_ASSERT(st.wire_out > st.out); /* framing and MACs were added */
    prot_free(&ps);
    prot_free(&pc);
    close(sv[0]);
    close(sv[1]);
out:
    /* the sessions stay usable after handing their connection to a layer */
    CU_ASSERT_PTR_NOT_NULL(xsasl_server_authid(s));
    xsasl_server_free(&s);
    xsasl_client_free(&c);
    buf_free(&m);
    buf_free(&line);
    buf_free(&big);
}

static void test_base64(void)
{
    struct buf enc = BUF_INIT, dec = BUF_INIT;
    const char *err = NULL;

    xsasl_encode64("\0alice\0secret", 13, &enc);
    CU_ASSERT(buf_equal_cstr(&enc, "AGFsaWNlAHNlY3JldA=="));
    CU_ASSERT_EQUAL(xsasl_decode64(enc.s, enc.len, &dec, &err), 1);
    CU_ASSERT_EQUAL(dec.len, 13);
    CU_ASSERT_EQUAL(memcmp(dec.s, "\0alice\0secret", 13), 0);
    CU_ASSERT_EQUAL(xsasl_decode64("!!!!", 4, &dec, &err), -1);
    CU_ASSERT_EQUAL(xsasl_decode64("abc", 3, &dec, &err), -1);
    xsasl_encode64("", 0, &enc);
    CU_ASSERT_EQUAL(enc.len, 0);
    buf_free(&enc);
    buf_free(&dec);
}

const char *cunit_suite_name = "xsasl";
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "mech_list", test_mech_list },
    { "plain_ok_and_wrong_password", test_plain_ok_and_wrong_password },
    { "scram_sha256", test_scram_sha256 },
    { "proxy_authorization", test_proxy_authorization },
    { "checkpass", test_checkpass },
    { "external_from_tls", test_external_from_tls },
    { "no_common_mech", test_no_common_mech },
    { "security_layer", test_security_layer },
    { "base64", test_base64 },
    CU_TEST_INFO_NULL,
};
