/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/cyrusconf.c - unit tests for lib/cyrusconf.c (the cyrus.conf reader) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cunit/harness.h"
#include "lib/cyrusconf.h"

/* parse - parse a NUL-terminated text; returns the conf or NULL */
static struct cyrusconf *parse(const char *text, const char **err_r)
{
    struct cyrusconf *conf = NULL;
    const char *err = NULL;
    if (cyrusconf_parse("t.conf", text, strlen(text), &conf, &err) < 0) {
        CU_ASSERT_PTR_NULL(conf);
        CU_ASSERT_PTR_NOT_NULL(err);
        if (err_r)
            *err_r = err;
        return NULL;
    }
    return conf;
}

/* expect_error - text must fail with a message containing want */
static void expect_error(const char *text, const char *want)
{
    const char *err = NULL;
    struct cyrusconf *conf = parse(text, &err);
    CU_ASSERT_PTR_NULL(conf);
    if (conf) {
        cyrusconf_free(&conf);
        return;
    }
    if (!strstr(err, want))
        fprintf(stderr, "\n  error '%s' lacks '%s'\n", err, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
}

static const char full[] =
    "# example cyrus.conf\n"
    "START {\n"
    "  recover cmd=\"ctl_cyrusdb -r\"\n"
    "}\n"
    "SERVICES {\n"
    "  imap   cmd=\"imapd -C '/etc/my imapd.conf'\" listen=\"imap\" prefork=1\n"
    "  imaps  cmd=\"imapd -s\" listen=\"127.0.0.1:993\"\n"
    "         prefork=0 maxchild=50   # wrapped entry\n"
    "         maxforkrate=5 maxfds=1024 babysit=yes proto=tcp4\n"
    "  lmtpunix cmd=\"lmtpd -a\" listen=\"/var/imap/socket/lmtp\"\n"
    "  v6 cmd=imapd listen=[::1]:1143 proto=tcp6\n"
    "}\n"
    "EVENTS {\n"
    "  checkpoint cmd=\"ctl_cyrusdb -c\" period=30\n"
    "  delprune cmd=\"cyr_expire -E 3\" at=0400\n"
    "}\n"
    "DAEMON {\n"
    "  idled cmd=\"idled\" wait=n\n"
    "}\n";

static void test_full(void)
{
    struct cyrusconf *conf = parse(full, NULL);
    const struct cyrusconf_entry *e;

    CU_ASSERT_PTR_NOT_NULL_FATAL(conf);
    CU_ASSERT_EQUAL(conf->count, 8);
    CU_ASSERT_EQUAL(conf->warnings.count, 0);

    e = cyrusconf_find(conf, CYRUSCONF_START, "recover");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->argv.count, 2);
    CU_ASSERT_STRING_EQUAL(e->argv.data[1], "-r");

    e = cyrusconf_find(conf, CYRUSCONF_SERVICES, "imap");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->line, 6);
    CU_ASSERT_EQUAL(e->argv.count, 3);
    CU_ASSERT_STRING_EQUAL(e->argv.data[2], "/etc/my imapd.conf");
    CU_ASSERT_STRING_EQUAL(e->cmdline, "imapd -C '/etc/my imapd.conf'");
    CU_ASSERT_EQUAL(e->prefork, 1);
    CU_ASSERT_EQUAL(e->maxchild, -1);
    CU_ASSERT_EQUAL(e->maxfds, 256);
    CU_ASSERT_EQUAL(e->proto, CYRUSCONF_PROTO_TCP);
    CU_ASSERT_PTR_NULL(e->listen.host);
    CU_ASSERT_STRING_EQUAL(e->listen.port, "imap");

    e = cyrusconf_find(conf, CYRUSCONF_SERVICES, "imaps");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->maxchild, 50);
    CU_ASSERT_EQUAL(e->maxforkrate, 5);
    CU_ASSERT_EQUAL(e->maxfds, 1024);
    CU_ASSERT_EQUAL(e->babysit, 1);
    CU_ASSERT_EQUAL(e->proto, CYRUSCONF_PROTO_TCP4);
    CU_ASSERT_STRING_EQUAL(e->listen.host, "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(e->listen.port, "993");

    e = cyrusconf_find(conf, CYRUSCONF_SERVICES, "lmtpunix");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT(e->listen.is_unix);
    CU_ASSERT_STRING_EQUAL(e->listen.path, "/var/imap/socket/lmtp");

    e = cyrusconf_find(conf, CYRUSCONF_SERVICES, "v6");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_STRING_EQUAL(e->listen.host, "::1");
    CU_ASSERT_EQUAL(e->proto, CYRUSCONF_PROTO_TCP6);

    e = cyrusconf_find(conf, CYRUSCONF_EVENTS, "checkpoint");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->period, 30);
    CU_ASSERT_EQUAL(e->at, -1);
    e = cyrusconf_find(conf, CYRUSCONF_EVENTS, "delprune");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->at, 240);
    CU_ASSERT_EQUAL(e->period, 1440);

    e = cyrusconf_find(conf, CYRUSCONF_DAEMON, "idled");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->wait, 0);
    CU_ASSERT_PTR_NULL(cyrusconf_find(conf, CYRUSCONF_SERVICES, "idled"));
    cyrusconf_free(&conf);
    CU_ASSERT_PTR_NULL(conf);
}

static void test_warnings(void)
{
    struct cyrusconf *conf = parse("SERVICES {\n a cmd=x listen=1 bogus=1\n"
                                   " b cmd=y listen=2 period=3\n}\n", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(conf);
    CU_ASSERT_EQUAL_FATAL(conf->warnings.count, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(conf->warnings.data[0], "t.conf:2:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(conf->warnings.data[0], "unknown key bogus"));
    CU_ASSERT_PTR_NOT_NULL(strstr(conf->warnings.data[1], "t.conf:3:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(conf->warnings.data[1], "not used in section"));
    cyrusconf_free(&conf);
}

static void test_errors(void)
{
    expect_error("SERVICES {\n imap cmd=imapd\n}\n", "t.conf:2: entry imap: listen= is required");
    expect_error("SERVICES {\n imap listen=143\n}\n", "cmd= is required");
    expect_error("SERVICES {\n a cmd=x listen=1\n a cmd=y listen=2\n}\n",
                 "t.conf:3: entry a: duplicate name in section SERVICES (first at line 2)");
    expect_error("SERVICES {\n a cmd=x listen=1 prefork=abc\n}\n",
                 "t.conf:2: entry a: prefork: 'abc' is not a number in range (allowed: 0..10000)");
    expect_error("SERVICES {\n a cmd=x listen=1 maxchild=-2\n}\n", "allowed: -1..");
    expect_error("SERVICES {\n a cmd=x listen=1 proto=udp\n}\n",
                 "proto: 'udp' is not supported (allowed: tcp, tcp4, tcp6)");
    expect_error("SERVICES {\n a cmd=x listen=1 babysit=maybe\n}\n", "is not a switch");
    expect_error("SERVICES {\n a cmd=x listen=70000\n}\n", "port out of range");
    expect_error("SERVICES {\n a cmd=x listen=nosuchservicename\n}\n", "unknown service name");
    expect_error("SERVICES {\n a cmd=x listen=::1:143\n}\n", "must be in brackets");
    expect_error("SERVICES {\n a cmd=x listen=\"host:\"\n}\n", "missing port");
    expect_error("SERVICES {\n a-b cmd=x listen=1\n}\n", "letters and digits");
    expect_error("SERVICES {\n a cmd=\"x 'y\" listen=1\n}\n", "unterminated quote");
    expect_error("SERVICES {\n a cmd=\"\" listen=1\n}\n", "empty command");
    expect_error("SERVICES {\n a cmd=\"x listen=1\n}\n", "t.conf:2: unterminated quoted string");
    expect_error("SERVICES {\n a cmd=x listen=1\n", "t.conf:1: section SERVICES opened here is missing '}'");
    expect_error("SERVICS {\n}\n", "unknown section 'SERVICS'");
    expect_error("SERVICES\n a cmd=x\n", "expected '{' after SERVICES");
    expect_error("SERVICES {\n cmd=x\n}\n", "cmd= outside an entry");
    expect_error("EVENTS {\n e cmd=x at=2460\n}\n", "at: '2460' is not a time");
    expect_error("EVENTS {\n e cmd=x at=1260\n}\n", "is not a time");
    expect_error("SERVICES { { }\n", "unexpected '{'");
    expect_error("}\n", "expected a section name");
}

static void test_duplicates_other_sections(void)
{
    struct cyrusconf *conf;
    /* START may repeat a name; EVENTS may not; a name may be reused across sections */
    conf = parse("START { r cmd=a\n r cmd=b }\nSERVICES { r cmd=c listen=1 }\n", NULL);
    CU_ASSERT_PTR_NOT_NULL(conf);
    CU_ASSERT_EQUAL(conf ? conf->count : 0, 3);
    cyrusconf_free(&conf);
    expect_error("EVENTS { e cmd=a period=1\n e cmd=b period=2 }\n", "duplicate name");
}

static void test_switches(void)
{
    static const struct { const char *v; int want; } cases[] = {
        { "1", 1 }, { "0", 0 }, { "yes", 1 }, { "no", 0 }, { "y", 1 }, { "N", 0 },
        { "true", 1 }, { "false", 0 }, { "on", 1 }, { "off", 0 }, { "2", 1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[128];
        struct cyrusconf *conf;
        snprintf(text, sizeof(text), "DAEMON { d cmd=x wait=%s }", cases[i].v);
        conf = parse(text, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(conf);
        CU_ASSERT_EQUAL(conf->entries[0]->wait, cases[i].want);
        cyrusconf_free(&conf);
    }
    expect_error("DAEMON { d cmd=x wait=-1 }", "is not a switch");
}

static void test_split_cmd(void)
{
    struct strarray a = STRARRAY_INIT;
    const char *err;

    CU_ASSERT_EQUAL(cyrusconf_split_cmd("  prog  -x 'a b' \"c \\\" d\" e\\ f ''", &a, &err), 1);
    CU_ASSERT_EQUAL_FATAL(a.count, 6);
    CU_ASSERT_STRING_EQUAL(a.data[0], "prog");
    CU_ASSERT_STRING_EQUAL(a.data[1], "-x");
    CU_ASSERT_STRING_EQUAL(a.data[2], "a b");
    CU_ASSERT_STRING_EQUAL(a.data[3], "c \" d");
    CU_ASSERT_STRING_EQUAL(a.data[4], "e f");
    CU_ASSERT_STRING_EQUAL(a.data[5], "");
    CU_ASSERT_PTR_NULL(a.data[6]);
    strarray_fini(&a);
    CU_ASSERT_EQUAL(cyrusconf_split_cmd("   ", &a, &err), -1);
    CU_ASSERT_STRING_EQUAL(err, "empty command");
    CU_ASSERT_EQUAL(cyrusconf_split_cmd("a \"b", &a, &err), -1);
    CU_ASSERT_EQUAL(a.count, 0);
    CU_ASSERT_EQUAL(cyrusconf_split_cmd("a b\\", &a, &err), -1);
    CU_ASSERT_STRING_EQUAL(err, "trailing backslash");
    strarray_fini(&a);
}

static void test_listen(void)
{
    struct cyrusconf_listen l;
    const char *err;

    CU_ASSERT_EQUAL(cyrusconf_parse_listen("1143", &l, &err), 1);
    CU_ASSERT(!l.is_unix);
    CU_ASSERT_PTR_NULL(l.host);
    CU_ASSERT_STRING_EQUAL(l.port, "1143");
    cyrusconf_listen_fini(&l);
    CU_ASSERT_EQUAL(cyrusconf_parse_listen("localhost:imap", &l, &err), 1);
    CU_ASSERT_STRING_EQUAL(l.host, "localhost");
    CU_ASSERT_STRING_EQUAL(l.port, "imap");
    cyrusconf_listen_fini(&l);
    CU_ASSERT_EQUAL(cyrusconf_parse_listen("[2001:db8::1]:25", &l, &err), 1);
    CU_ASSERT_STRING_EQUAL(l.host, "2001:db8::1");
    CU_ASSERT_STRING_EQUAL(l.port, "25");
    cyrusconf_listen_fini(&l);
    CU_ASSERT_EQUAL(cyrusconf_parse_listen("sock/lmtp", &l, &err), 1);
    CU_ASSERT(l.is_unix);
    CU_ASSERT_STRING_EQUAL(l.path, "sock/lmtp");
    cyrusconf_listen_fini(&l);
    CU_ASSERT_EQUAL(cyrusconf_parse_listen("0", &l, &err), -1);
    CU_ASSERT_EQUAL(cyrusconf_parse_listen("[::1]", &l, &err), -1);
    CU_ASSERT_EQUAL(cyrusconf_parse_listen("[]:1", &l, &err), -1);
    CU_ASSERT_EQUAL(cyrusconf_parse_listen(":1", &l, &err), -1);
    CU_ASSERT_EQUAL(cyrusconf_parse_listen("", &l, &err), -1);
    {
        char longpath[200];
        memset(longpath, 'x', sizeof(longpath) - 1);
        longpath[0] = '/';
        longpath[sizeof(longpath) - 1] = '\0';
        CU_ASSERT_EQUAL(cyrusconf_parse_listen(longpath, &l, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "too long"));
    }
}

static void test_at(void)
{
    int m;
    CU_ASSERT_EQUAL(cyrusconf_parse_at("0000", &m), 1);
    CU_ASSERT_EQUAL(m, 0);
    CU_ASSERT_EQUAL(cyrusconf_parse_at("2359", &m), 1);
    CU_ASSERT_EQUAL(m, 23 * 60 + 59);
    CU_ASSERT_EQUAL(cyrusconf_parse_at("400", &m), 1);
    CU_ASSERT_EQUAL(m, 240);
    CU_ASSERT_EQUAL(cyrusconf_parse_at("2400", &m), -1);
    CU_ASSERT_EQUAL(cyrusconf_parse_at("0960", &m), -1);
    CU_ASSERT_EQUAL(cyrusconf_parse_at("12345", &m), -1);
    CU_ASSERT_EQUAL(cyrusconf_parse_at("-100", &m), -1);
    CU_ASSERT_EQUAL(cyrusconf_parse_at("", &m), -1);
}

static void test_same_listen(void)
{
    struct cyrusconf *a = parse("SERVICES { s cmd=x listen=1143 }", NULL);
    struct cyrusconf *b = parse("SERVICES { s cmd=y listen=1143 prefork=3 }", NULL);
    struct cyrusconf *c = parse("SERVICES { s cmd=x listen=1143 proto=tcp4 }", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT(cyrusconf_same_listen(a->entries[0], b->entries[0]));
    CU_ASSERT(!cyrusconf_same_listen(a->entries[0], c->entries[0]));
    cyrusconf_free(&a);
    cyrusconf_free(&b);
    cyrusconf_free(&c);
}

/* Every prefix of a valid file either parses or fails cleanly (no crash,
 * no leak under ASan), and a file cut inside a section always fails. */
static void test_prefixes(void)
{
    size_t len = strlen(full);
    for (size_t n = 0; n <= len; n++) {
        struct cyrusconf *conf = NULL;
        const char *err = NULL;
        int r = cyrusconf_parse("p", full, n, &conf, &err);
        CU_ASSERT(r == 1 || r == -1);
        if (r == 1)
            cyrusconf_free(&conf);
    }
}

static void test_limits(void)
{
    static char big[10000];
    const char *err = NULL;
    struct cyrusconf *conf = NULL;
    memset(big, ' ', sizeof(big));
    memcpy(big, "START {", 7);
    CU_ASSERT_EQUAL(cyrusconf_parse("big", big, sizeof(big), &conf, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "line too long"));
    CU_ASSERT_EQUAL(cyrusconf_parse("nul", "START {\0}", 9, &conf, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "NUL byte"));
}

static void test_load(void)
{
    char path[512];
    FILE *f;
    struct cyrusconf *conf = NULL;
    const char *err = NULL;

    snprintf(path, sizeof(path), "%s/cyrus.conf", cunit_tmpdir());
    CU_ASSERT_EQUAL(cyrusconf_load(path, &conf, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot open"));
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(full, f);
    fclose(f);
    CU_ASSERT_EQUAL(cyrusconf_load(path, &conf, &err), 1);
    CU_ASSERT_EQUAL(conf ? conf->count : 0, 8);
    CU_ASSERT_STRING_EQUAL(conf->path, path);
    cyrusconf_free(&conf);
}

const char *cunit_suite_name = "cyrusconf";
CU_TestInfo cunit_tests[] = {
    { "full", test_full },
    { "warnings", test_warnings },
    { "errors", test_errors },
    { "duplicates_other_sections", test_duplicates_other_sections },
    { "switches", test_switches },
    { "split_cmd", test_split_cmd },
    { "listen", test_listen },
    { "at", test_at },
    { "same_listen", test_same_listen },
    { "prefixes", test_prefixes },
    { "limits", test_limits },
    { "load", test_load },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
