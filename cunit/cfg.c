/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/cfg.c - unit tests for lib/cfg.c and the generated option table.
 *
 * Each test writes an imapd.conf into the harness's private directory,
 * loads it and checks the typed values or the exact error message
 * (file:line: key: what is allowed).  Warnings are checked by pointing the
 * log at a file.  The last test checks that the generated man page
 * documents every option of the table.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* ASSERT_ERROR - the last load failed with exactly this message */
#define ASSERT_ERROR(want) do { \
        CU_ASSERT_PTR_NOT_NULL_FATAL(last_error); \
        CU_ASSERT_STRING_EQUAL(last_error, (want)); \
    } while (0)

static char conf_path[4096];
static char log_path[4096];
static const char *last_error;

/* write_file - create path (in the test dir) holding text */
static const char *write_file(const char *name, const char *text, size_t len)
{
    static char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", cunit_tmpdir(), name);
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

/* load - write text as imapd.conf and load it for service */
static int load(const char *text, const char *service)
{
    const char *p = write_file("imapd.conf", text, strlen(text));

    snprintf(conf_path, sizeof(conf_path), "%s", p);
    last_error = NULL;
    return cfg_load(conf_path, service, &last_error);
}

/* expect_error - load must fail with "<conf_path>:<msg>" exactly */
static void expect_error(const char *text, const char *service, const char *msg)
{
    char want[8192];

    CU_ASSERT_EQUAL(load(text, service), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(last_error);
    snprintf(want, sizeof(want), "%s:%s", conf_path, msg);
    if (strcmp(last_error, want) != 0)
        fprintf(stderr, "\n  got:  %s\n  want: %s\n", last_error, want);
    CU_ASSERT_STRING_EQUAL(last_error, want);
}

/* read_log - the contents of the captured log */
/* strrstr_last - the last occurrence of needle in hay, or NULL */
static const char *strrstr_last(const char *hay, const char *needle)
{
    const char *last = NULL;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        last = p;
    return last;
}

static char *read_log(void)
{
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    FILE *f = fopen(log_path, "r");

    if (f) {
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            buf_appendmap(&b, chunk, n);
        fclose(f);
    }
    buf_cstring(&b);
    return buf_release(&b);
}

/* capture_log - send log lines to a fresh file */
static void capture_log(void)
{
    snprintf(log_path, sizeof(log_path), "%s/log", cunit_tmpdir());
    unlink(log_path);
    CU_ASSERT_EQUAL(log_set_file(log_path), 0);
}

static void teardown(void)
{
    cfg_reset();
    log_set_file("/dev/null");
}

static void test_defaults(void)
{
    char host[256] = "";

    gethostname(host, sizeof(host));
    CU_ASSERT_PTR_NULL(cfg_path());
    CU_ASSERT_PTR_NULL(cfg_service());
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_SERVERNAME), host);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_CONFIGDIRECTORY), "/var/lib/cyrus");
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_DEFAULTPARTITION), "default");
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_LMTPSOCKET), "/var/lib/cyrus/socket/lmtp");
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_CYRUS_USER), "cyrus");
    CU_ASSERT_PTR_NULL(cfg_get_string(IMAPOPT_CYRUS_GROUP));
    CU_ASSERT_PTR_NULL(cfg_get_string(IMAPOPT_LOG_FILE));
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 32);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_POPTIMEOUT), 10);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_MUPDATE_PORT), 3905);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_MAXLINE_PREAUTH), 8192);
    CU_ASSERT(cfg_get_int(IMAPOPT_MAXLINE_PREAUTH) < cfg_get_int(IMAPOPT_MAXLINE));
    CU_ASSERT(cfg_get_int(IMAPOPT_MAXBADCOMMANDS_PREAUTH) < cfg_get_int(IMAPOPT_MAXBADCOMMANDS));
    CU_ASSERT(cfg_get_int(IMAPOPT_MAXLITERAL_PREAUTH) < cfg_get_int(IMAPOPT_MAXLITERAL));
    CU_ASSERT_EQUAL(cfg_get_switch(IMAPOPT_ALLOWPLAINTEXT), 0);
    CU_ASSERT_EQUAL(cfg_get_switch(IMAPOPT_ALTNAMESPACE), 1);
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_MUPDATE_CONFIG), IMAP_ENUM_MUPDATE_CONFIG_STANDARD);
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_MBOXLIST_DB), IMAP_ENUM_MBOXLIST_DB_TWOSKIP);
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_VIRTDOMAINS), IMAP_ENUM_VIRTDOMAINS_OFF);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_ADMINS), "");
    CU_ASSERT_EQUAL(cfg_get_list(IMAPOPT_ADMINS)->count, 0);
    CU_ASSERT_EQUAL(cfg_get_list(IMAPOPT_TLS_VERSIONS)->count, 2);
    CU_ASSERT_STRING_EQUAL(cfg_name(IMAPOPT_MAXLINE), "maxline");
}

static void test_types(void)
{
    CU_ASSERT_EQUAL_FATAL(load("servername: mail.example.com\n"
                               "configdirectory:   /srv/cyrus   \n"
                               "timeout: 45\n"
                               "allowplaintext: yes\n"
                               "mupdate_config: Unified\n"
                               "admins:  alice  bob\tcarol \n"
                               "MBOXLIST_DB: berkeley-nosync\n", NULL), 1);
    CU_ASSERT_STRING_EQUAL(cfg_path(), conf_path);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_SERVERNAME), "mail.example.com");
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_CONFIGDIRECTORY), "/srv/cyrus");
    /* a {configdirectory} default follows the configured directory */
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_IDLESOCKET), "/srv/cyrus/socket/idle");
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 45);
    CU_ASSERT_EQUAL(cfg_get_switch(IMAPOPT_ALLOWPLAINTEXT), 1);
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_MUPDATE_CONFIG), IMAP_ENUM_MUPDATE_CONFIG_UNIFIED);
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_MBOXLIST_DB), IMAP_ENUM_MBOXLIST_DB_BERKELEY_NOSYNC);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_ADMINS), "alice  bob\tcarol");
    CU_ASSERT_EQUAL_FATAL(cfg_get_list(IMAPOPT_ADMINS)->count, 3);
    CU_ASSERT_STRING_EQUAL(cfg_get_list(IMAPOPT_ADMINS)->data[2], "carol");
    /* untouched options keep their defaults */
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_POPTIMEOUT), 10);
}

static void test_switch_spellings(void)
{
    static const char *const yes[] = { "1", "yes", "on", "true", "t", "YES", "On", "True", "T" };
    static const char *const no[] = { "0", "no", "off", "false", "f", "NO", "Off", "FALSE", "F" };
    char text[128];

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        snprintf(text, sizeof(text), "allowplaintext: %s\nduplicatesuppression: %s\n",
                 yes[i], no[i]);
        CU_ASSERT_EQUAL_FATAL(load(text, NULL), 1);
        CU_ASSERT_EQUAL(cfg_get_switch(IMAPOPT_ALLOWPLAINTEXT), 1);
        CU_ASSERT_EQUAL(cfg_get_switch(IMAPOPT_DUPLICATESUPPRESSION), 0);
    }
    CU_ASSERT_EQUAL(cfg_parse_switch("maybe"), -1);
    CU_ASSERT_EQUAL(cfg_parse_switch(""), -1);
    CU_ASSERT_EQUAL(cfg_parse_switch("yess"), -1);
    expect_error("\nallowplaintext: maybe\n", NULL,
                 "2: allowplaintext: 'maybe' is not a switch (allowed: 1, yes, on, "
                 "true, t, 0, no, off, false, f)");
}

static void test_int_bounds(void)
{
    expect_error("# x\n\ntimeout: 29\n", NULL,
                 "3: timeout: '29' is out of range (allowed: 30..1440 minutes)");
    expect_error("timeout: abc\n", NULL,
                 "1: timeout: 'abc' is not a number (allowed: 30..1440 minutes)");
    expect_error("maxbadcommands_preauth: 101\n", NULL,
                 "1: maxbadcommands_preauth: '101' is out of range (allowed: 1..100)");
    expect_error("quotawarn: -1\n", NULL,
                 "1: quotawarn: '-1' is out of range (allowed: 0..100)");
    expect_error("quotawarn: 99999999999999999999999\n", NULL,
                 "1: quotawarn: '99999999999999999999999' is not a number (allowed: 0..100)");
    expect_error("mupdate_port: 12x\n", NULL,
                 "1: mupdate_port: '12x' is not a number (allowed: 1..65535)");
    /* edges are inclusive */
    CU_ASSERT_EQUAL(load("timeout: 30\nquotawarn: 100\nmupdate_port: 65535\n", NULL), 1);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 30);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_QUOTAWARN), 100);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_MUPDATE_PORT), 65535);
}

static void test_units(void)
{
    CU_ASSERT_EQUAL_FATAL(load("timeout: 1h\npoptimeout: 1h30m\n"
                               "prot_timeout_preauth: 2m\nmupdate_retry_delay: 45\n"
                               "maxliteral: 128K\nmaxword: 2MiB\nmaxquoted: 4096B\n"
                               "maxmessagesize: 1 G\n", NULL), 1);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 60);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_POPTIMEOUT), 90);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_PROT_TIMEOUT_PREAUTH), 120);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_MUPDATE_RETRY_DELAY), 45);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_MAXLITERAL), 131072);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_MAXWORD), 2 * 1024 * 1024);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_MAXQUOTED), 4096);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_MAXMESSAGESIZE), 1024L * 1024 * 1024);
    /* Cyrus 3's "32m" spelling of the default */
    CU_ASSERT_EQUAL_FATAL(load("timeout: 32m\n", NULL), 1);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 32);
    expect_error("timeout: 1801s\n", NULL,
                 "1: timeout: '1801s' is not a number (allowed: 30..1440 minutes)");
    expect_error("timeout: 2d\n", NULL,
                 "1: timeout: '2d' is out of range (allowed: 30..1440 minutes)");
    expect_error("maxline: 1T\n", NULL,
                 "1: maxline: '1T' is not a number (allowed: 1024..1048576 bytes)");
    expect_error("maxline: 99999999999G\n", NULL,
                 "1: maxline: '99999999999G' is not a number (allowed: 1024..1048576 bytes)");
}

static void test_enum(void)
{
    expect_error("mupdate_config: bogus\n", NULL,
                 "1: mupdate_config: 'bogus' is not an allowed value "
                 "(allowed: standard, unified, replicated)");
    expect_error("mboxlist_db: sql\n", NULL,
                 "1: mboxlist_db: 'sql' is not an allowed value (allowed: berkeley, "
                 "berkeley-nosync, berkeley-hash, skiplist, twoskip, flat)");
    /* on/off enums take the switch spellings, as in Cyrus */
    CU_ASSERT_EQUAL_FATAL(load("virtdomains: yes\n", NULL), 1);
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_VIRTDOMAINS), IMAP_ENUM_VIRTDOMAINS_ON);
    CU_ASSERT_EQUAL_FATAL(load("virtdomains: 0\n", NULL), 1);
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_VIRTDOMAINS), IMAP_ENUM_VIRTDOMAINS_OFF);
    CU_ASSERT_EQUAL_FATAL(load("virtdomains: userid\nquota_db: quotalegacy\n", NULL), 1);
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_VIRTDOMAINS), IMAP_ENUM_VIRTDOMAINS_USERID);
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_QUOTA_DB), IMAP_ENUM_QUOTA_DB_QUOTALEGACY);
    /* but an enum without on/off does not */
    expect_error("mupdate_config: yes\n", NULL,
                 "1: mupdate_config: 'yes' is not an allowed value "
                 "(allowed: standard, unified, replicated)");
}

static const char overrides[] =
    "lmtp_admins: lmtpadmin\n"
    "admins: root admin\n"
    "imap_timeout: 60\n"
    "timeout: 40\n"
    "pop3_poptimeout: 20\n"
    "lmtp_sasl_mech_list: EXTERNAL\n"
    "sasl_mech_list: PLAIN LOGIN\n";

static void test_service_overrides(void)
{
    CU_ASSERT_EQUAL_FATAL(load(overrides, "lmtp"), 1);
    CU_ASSERT_STRING_EQUAL(cfg_service(), "lmtp");
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_ADMINS), "lmtpadmin");
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 40);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_POPTIMEOUT), 10);
    CU_ASSERT_STRING_EQUAL(cfg_get_raw("sasl_mech_list"), "EXTERNAL");
    CU_ASSERT_STRING_EQUAL(cfg_get_raw("admins"), "lmtpadmin");

    /* service names are case-insensitive like keys */
    CU_ASSERT_EQUAL_FATAL(load(overrides, "IMAP"), 1);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_ADMINS), "root admin");
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 60);
    CU_ASSERT_STRING_EQUAL(cfg_get_raw("sasl_mech_list"), "PLAIN LOGIN");

    CU_ASSERT_EQUAL_FATAL(load(overrides, NULL), 1);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 40);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_ADMINS), "root admin");
    /* other services' keys stay visible as written */
    CU_ASSERT_STRING_EQUAL(cfg_get_raw("lmtp_admins"), "lmtpadmin");

    /* a bad override value is reported under the name written */
    expect_error("timeout: 40\nimap_timeout: 3\n", "imap",
                 "2: imap_timeout: '3' is out of range (allowed: 30..1440 minutes)");
    /* an option whose name starts with the service name is not an override */
    CU_ASSERT_EQUAL_FATAL(load("mupdate_server: master.example.com\n", "mupdate"), 1);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_MUPDATE_SERVER), "master.example.com");
}

static void test_duplicates(void)
{
    expect_error("timeout: 40\n\ntimeout: 50\n", NULL,
                 "3: timeout: set twice (first on line 1)");
    expect_error("imap_timeout: 40\nimap_timeout: 50\n", "imap",
                 "2: imap_timeout: set twice (first on line 1)");
    expect_error("sasl_foo: a\nSASL_FOO: b\n", NULL,
                 "2: sasl_foo: set twice (first on line 1)");
    /* a deprecated spelling and the new one are the same option */
    expect_error("tls_cert_file: /a\ntls_server_cert: /b\n", NULL,
                 "2: tls_server_cert: set twice (first on line 1)");
}

static void test_aliases(void)
{
    char *log;

    capture_log();
    CU_ASSERT_EQUAL_FATAL(load("tls_cert_file: /etc/ssl/c.pem\n"
                               "tls_sessions_db: berkeley\n", NULL), 1);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_TLS_SERVER_CERT), "/etc/ssl/c.pem");
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_TLSCACHE_DB), IMAP_ENUM_TLSCACHE_DB_BERKELEY);
    cfg_log_warnings();
    log = read_log();
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "deprecated option key=<tls_cert_file> use=<tls_server_cert>"));
    free(log);
}

/* count_cb - cfg_foreach_prefix callback */
static int count_cb(const char *key, const char *value, void *rock)
{
    struct strarray *sa = rock;
    struct buf b = BUF_INIT;

    buf_printf(&b, "%s=%s", key, value);
    strarray_appendm(sa, buf_release(&b));
    return 0;
}

static void test_partitions(void)
{
    struct strarray sa = STRARRAY_INIT;

    CU_ASSERT_EQUAL_FATAL(load("partition-Default: /var/spool/cyrus/mail\n"
                               "partition-archive: /srv/archive\n"
                               "defaultpartition: default\n", NULL), 1);
    CU_ASSERT_STRING_EQUAL(cfg_get_partition("default"), "/var/spool/cyrus/mail");
    CU_ASSERT_STRING_EQUAL(cfg_get_partition("DEFAULT"), "/var/spool/cyrus/mail");
    CU_ASSERT_STRING_EQUAL(cfg_get_partition("archive"), "/srv/archive");
    CU_ASSERT_PTR_NULL(cfg_get_partition("nope"));
    CU_ASSERT_EQUAL(cfg_foreach_prefix("partition-", count_cb, &sa), 0);
    strarray_sort(&sa);
    CU_ASSERT_EQUAL_FATAL(sa.count, 2);
    CU_ASSERT_STRING_EQUAL(sa.data[0], "partition-archive=/srv/archive");
    CU_ASSERT_STRING_EQUAL(sa.data[1], "partition-default=/var/spool/cyrus/mail");
    strarray_fini(&sa);
}

/* stop_cb - stops the iteration */
static int stop_cb(const char *key, const char *value, void *rock)
{
    ++*(int *)rock;
    return 7;
}

static void test_raw_sasl(void)
{
    struct strarray sa = STRARRAY_INIT;
    int calls = 0;

    CU_ASSERT_EQUAL_FATAL(load("sasl_pwcheck_method: saslauthd\n"
                               "sasl_saslauthd_path: /run/saslauthd/mux\n"
                               "imap_sasl_log_level: 5\n"
                               "servername: x\n", "imap"), 1);
    CU_ASSERT_STRING_EQUAL(cfg_get_raw("sasl_pwcheck_method"), "saslauthd");
    CU_ASSERT_STRING_EQUAL(cfg_get_raw("SASL_Saslauthd_Path"), "/run/saslauthd/mux");
    CU_ASSERT_STRING_EQUAL(cfg_get_raw("sasl_log_level"), "5");
    CU_ASSERT_STRING_EQUAL(cfg_get_raw("servername"), "x");
    CU_ASSERT_PTR_NULL(cfg_get_raw("sasl_mech_list"));
    /* the typed default is not a raw value */
    CU_ASSERT_PTR_NULL(cfg_get_raw("configdirectory"));
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_SASL_PWCHECK_METHOD), "saslauthd");
    cfg_foreach_prefix("SASL_", count_cb, &sa);
    strarray_sort(&sa);
    CU_ASSERT_EQUAL_FATAL(sa.count, 3);
    CU_ASSERT_STRING_EQUAL(sa.data[0], "sasl_log_level=5");
    CU_ASSERT_STRING_EQUAL(sa.data[1], "sasl_pwcheck_method=saslauthd");
    CU_ASSERT_STRING_EQUAL(sa.data[2], "sasl_saslauthd_path=/run/saslauthd/mux");
    strarray_fini(&sa);
    CU_ASSERT_EQUAL(cfg_foreach_prefix("sasl_", stop_cb, &calls), 7);
    CU_ASSERT_EQUAL(calls, 1);
}

static void test_unknown_key_warning(void)
{
    char *log;
    char want[4200];

    capture_log();
    CU_ASSERT_EQUAL_FATAL(load("servername: a\n"
                               "sasl_anything: 1\n"
                               "partition-p1: /x\n"
                               "pop3_admins: x\n"       /* another service */
                               "imaps_sasl_mech_list: x\n"
                               "\n"
                               "frobnicate: 12\n"
                               "imap_frobnicate: 13\n", "imap"), 1);
    /* held back until the caller's logging is set up... */
    log = read_log();
    CU_ASSERT_PTR_NULL(strstr(log, "frobnicate"));
    free(log);
    /* ...then logged once */
    cfg_log_warnings();
    cfg_log_warnings();
    log = read_log();
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "frobnicate"));
    CU_ASSERT_PTR_EQUAL(strstr(log, "key=<frobnicate>"), strrstr_last(log, "key=<frobnicate>"));
    free(log);
    log = read_log();
    snprintf(want, sizeof(want), "unknown option ignored key=<frobnicate> where=<%s:7>",
             conf_path);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, want));
    snprintf(want, sizeof(want), "unknown option ignored key=<imap_frobnicate> where=<%s:8>",
             conf_path);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, want));
    CU_ASSERT_PTR_NULL(strstr(log, "sasl_anything"));
    CU_ASSERT_PTR_NULL(strstr(log, "partition-p1"));
    CU_ASSERT_PTR_NULL(strstr(log, "pop3_admins"));
    CU_ASSERT_PTR_NULL(strstr(log, "imaps_sasl"));
    free(log);
    /* ignored, but a value as written all the same */
    CU_ASSERT_STRING_EQUAL(cfg_get_raw("frobnicate"), "12");
}

static void test_syntax(void)
{
    CU_ASSERT_EQUAL_FATAL(load("# comment\n"
                               "   # indented comment\n"
                               "\t\n"
                               "admins: a # not a comment\n"
                               "servername: \\\n"
                               "  continued.example.com\n"
                               "configdirectory: /crlf\r\n"
                               "  syslog_prefix:   lead   \n"
                               "sievedir: /no/newline/at/end", NULL), 1);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_ADMINS), "a # not a comment");
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_SERVERNAME), "continued.example.com");
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_CONFIGDIRECTORY), "/crlf");
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_SYSLOG_PREFIX), "lead");
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_SIEVEDIR), "/no/newline/at/end");

    expect_error("servername\n", NULL, "1: invalid option name (expected 'key: value')");
    expect_error("\nserver name: x\n", NULL, "2: invalid option name (expected 'key: value')");
    expect_error(": x\n", NULL, "1: invalid option name (expected 'key: value')");
    expect_error("servername:   \n", NULL, "1: servername: empty value");
    expect_error("@frob: x\n", NULL, "1: @frob: unknown directive (allowed: @include)");
    /* a continued line is reported at its first line */
    expect_error("a: 1\ntimeout: \\\n 3\n", NULL,
                 "2: timeout: '3' is out of range (allowed: 30..1440 minutes)");
    /* line numbers count physical lines after a continuation */
    expect_error("x_y: \\\nz\ntimeout: 3\n", NULL,
                 "3: timeout: '3' is out of range (allowed: 30..1440 minutes)");
}

static void test_nul_byte(void)
{
    static const char text[] = "servername: a\nadmins: b\0c\n";
    const char *p = write_file("nul.conf", text, sizeof(text) - 1);
    char want[4200];

    snprintf(conf_path, sizeof(conf_path), "%s", p);
    CU_ASSERT_EQUAL(cfg_load(conf_path, NULL, &last_error), -1);
    snprintf(want, sizeof(want), "%s:2: NUL byte in line", conf_path);
    ASSERT_ERROR(want);
}

static void test_long_line(void)
{
    struct buf b = BUF_INIT;
    size_t pad;

    /* exactly LIMIT_CONFIG_LINE bytes is accepted */
    buf_appendcstr(&b, "admins: ");
    pad = LIMIT_CONFIG_LINE - b.len;
    for (size_t i = 0; i < pad; i++)
        buf_putc(&b, 'a');
    buf_appendcstr(&b, "\n");
    CU_ASSERT_EQUAL_FATAL(load(buf_cstring(&b), NULL), 1);
    CU_ASSERT_EQUAL(strlen(cfg_get_string(IMAPOPT_ADMINS)), pad);

    /* one more is not */
    buf_truncate(&b, b.len - 1);
    buf_appendcstr(&b, "a\n");
    CU_ASSERT_EQUAL(load(buf_cstring(&b), NULL), -1);
    buf_reset(&b);
    buf_printf(&b, "%s:1: line too long (max %d bytes)", conf_path, LIMIT_CONFIG_LINE);
    ASSERT_ERROR(buf_cstring(&b));

    /* also when continuations build it */
    buf_reset(&b);
    buf_appendcstr(&b, "admins: ");
    for (int i = 0; i < 2 * LIMIT_CONFIG_LINE / 100; i++)
        buf_appendcstr(&b, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\\n");
    buf_appendcstr(&b, "end\n");
    CU_ASSERT_EQUAL(load(buf_cstring(&b), NULL), -1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(last_error);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_error, ":1: line too long"));
    buf_free(&b);
}

static void test_missing_file_keeps_old(void)
{
    char want[4200];
    char path[4096];

    CU_ASSERT_EQUAL_FATAL(load("timeout: 50\n", "imap"), 1);
    snprintf(path, sizeof(path), "%s/does-not-exist.conf", cunit_tmpdir());
    CU_ASSERT_EQUAL(cfg_load(path, "pop3", &last_error), -1);
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
    ASSERT_ERROR(want);
    /* the previous configuration stays in force */
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 50);
    CU_ASSERT_STRING_EQUAL(cfg_service(), "imap");
    /* and after a bad value too */
    CU_ASSERT_EQUAL(load("timeout: 60\nquotawarn: 101\n", NULL), -1);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 50);
    cfg_reset();
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 32);
    CU_ASSERT_PTR_NULL(cfg_path());
}

static void test_include(void)
{
    char text[8400];
    char want[8400];
    const char *inc = write_file("inc.conf", "timeout: 77\nsasl_x: y\n", 22);
    char incpath[4096];

    snprintf(incpath, sizeof(incpath), "%s", inc);
    snprintf(text, sizeof(text), "servername: a\n@include: %s\nquotawarn: 5\n", incpath);
    CU_ASSERT_EQUAL_FATAL(load(text, NULL), 1);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 77);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_QUOTAWARN), 5);
    CU_ASSERT_STRING_EQUAL(cfg_get_raw("sasl_x"), "y");

    /* errors inside name the included file */
    inc = write_file("inc.conf", "\ntimeout: 7\n", 12);
    CU_ASSERT_EQUAL(load(text, NULL), -1);
    snprintf(want, sizeof(want), "%s:2: timeout: '7' is out of range "
             "(allowed: 30..1440 minutes)", incpath);
    ASSERT_ERROR(want);

    /* a file included twice (here: itself) is an error, not a loop */
    snprintf(text, sizeof(text), "@include: %s/imapd.conf\n", cunit_tmpdir());
    CU_ASSERT_EQUAL(load(text, NULL), -1);
    snprintf(want, sizeof(want), "%s: included twice", conf_path);
    ASSERT_ERROR(want);
}

/* a Cyrus 3 murder frontend's imapd.conf, as an admin would have it */
static const char cyrus_frontend[] =
    "# Cyrus IMAP frontend\n"
    "configdirectory: /var/lib/cyrus\n"
    "proc_path: /run/cyrus/proc\n"
    "mboxname_lockpath: /run/cyrus/lock\n"
    "defaultpartition: default\n"
    "partition-default: /var/spool/cyrus/mail\n"
    "altnamespace: no\n"
    "unixhierarchysep: no\n"
    "lmtp_downcase_rcpt: yes\n"
    "admins: cyrus\n"
    "proxyservers: murder\n"
    "allowanonymouslogin: no\n"
    "popminpoll: 1\n"
    "autocreate_quota: 0\n"
    "umask: 077\n"
    "sieveusehomedir: false\n"
    "sievedir: /var/spool/sieve\n"
    "hashimapspool: true\n"
    "allowplaintext: yes\n"
    "sasl_mech_list: PLAIN\n"
    "sasl_pwcheck_method: saslauthd\n"
    "sasl_auto_transition: no\n"
    "tls_server_cert: /etc/ssl/certs/cyrus.pem\n"
    "tls_server_key: /etc/ssl/private/cyrus.key\n"
    "tls_client_ca_file: /etc/ssl/certs/ca.pem\n"
    "tls_versions: tls1_2 tls1_3\n"
    "tls_sessions_db: twoskip\n"
    "lmtpsocket: /run/cyrus/socket/lmtp\n"
    "idlesocket: /run/cyrus/socket/idle\n"
    "notifysocket: /run/cyrus/socket/notify\n"
    "syslog_prefix: cyrus\n"
    "mupdate_server: mupdate.example.com\n"
    "mupdate_port: 3905\n"
    "mupdate_username: mupduser\n"
    "mupdate_authname: mupduser\n"
    "mupdate_password: secret\n"
    "mupdate_config: standard\n"
    "proxy_authname: murder\n"
    "proxy_password: secret2\n"
    "serverlist: be1.example.com be2.example.com\n"
    "lmtp_admins: murder\n"
    "timeout: 30m\n"
    "poptimeout: 10\n"
    "maxmessagesize: 52428800\n"
    "maxword: 128K\n"
    "duplicate_db: twoskip\n"
    "mboxlist_db: skiplist\n"
    "seenstate_db: twoskip\n"
    "subscription_db: flat\n"
    "quota_db: quotalegacy\n"
    "annotation_db: twoskip\n"
    "statuscache_db: twoskip\n"
    "ptscache_db: twoskip\n"
    "virtdomains: userid\n"
    "defaultdomain: example.com\n";

/* test_cyrus_config - a Cyrus admin's file loads; known options are read,
 * Cyrus options this product lacks only warn */
static void test_cyrus_config(void)
{
    char *log;

    capture_log();
    CU_ASSERT_EQUAL_FATAL(load(cyrus_frontend, "imap"), 1);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_MUPDATE_SERVER), "mupdate.example.com");
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_MUPDATE_CONFIG), IMAP_ENUM_MUPDATE_CONFIG_STANDARD);
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_MBOXLIST_DB), IMAP_ENUM_MBOXLIST_DB_SKIPLIST);
    CU_ASSERT_EQUAL(cfg_get_enum(IMAPOPT_TLSCACHE_DB), IMAP_ENUM_TLSCACHE_DB_TWOSKIP);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_TIMEOUT), 30);
    CU_ASSERT_EQUAL(cfg_get_int(IMAPOPT_MAXWORD), 131072);
    CU_ASSERT_EQUAL(cfg_get_switch(IMAPOPT_ALTNAMESPACE), 0);
    CU_ASSERT_EQUAL(cfg_get_list(IMAPOPT_SERVERLIST)->count, 2);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_ADMINS), "cyrus");
    CU_ASSERT_STRING_EQUAL(cfg_get_partition("default"), "/var/spool/cyrus/mail");
    CU_ASSERT_STRING_EQUAL(cfg_get_raw("sasl_auto_transition"), "no");
    cfg_log_warnings();
    log = read_log();
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "key=<hashimapspool>"));
    CU_ASSERT_PTR_NULL(strstr(log, "key=<sasl_auto_transition>"));
    CU_ASSERT_PTR_NULL(strstr(log, "key=<lmtp_admins>"));
    free(log);
    /* the same file for lmtp */
    CU_ASSERT_EQUAL_FATAL(load(cyrus_frontend, "lmtp"), 1);
    CU_ASSERT_STRING_EQUAL(cfg_get_string(IMAPOPT_ADMINS), "murder");
}

/* test_wrong_type_panics - a getter of the wrong type aborts */
static void test_wrong_type_panics(void)
{
    int status;
    pid_t pid = fork();

    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        signal(SIGABRT, SIG_DFL);
        (void)cfg_get_int(IMAPOPT_SERVERNAME);
        _exit(0);
    }
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

/* test_table - the generated table is consistent */
static void test_table(void)
{
    for (int o = IMAPOPT_ZERO + 1; o < IMAPOPT_LAST; o++) {
        const struct imapopt_def *d = &imapopts[o];
        CU_ASSERT_PTR_NOT_NULL_FATAL(d->name);
        if (d->type == IMAPOPT_TYPE_INT) {
            CU_ASSERT(d->min <= d->def_num && d->def_num <= d->max);
        }
        if (d->type == IMAPOPT_TYPE_ENUM) {
            CU_ASSERT_PTR_NOT_NULL_FATAL(d->values);
        }
    }
}

/* test_man_page - man/imapd.conf.5 (in the build dir, where tests run)
 * documents every option */
static void test_man_page(void)
{
    FILE *f = fopen("man/imapd.conf.5", "r");
    struct buf b = BUF_INIT;
    char chunk[4096], want[256];
    size_t n;

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_appendmap(&b, chunk, n);
    fclose(f);
    buf_cstring(&b);
    for (int o = IMAPOPT_ZERO + 1; o < IMAPOPT_LAST; o++) {
        snprintf(want, sizeof(want), "\n.BI \"%s: \"", imapopts[o].name);
        if (!strstr(b.s, want))
            fprintf(stderr, "\n  man page lacks %s\n", imapopts[o].name);
        CU_ASSERT_PTR_NOT_NULL(strstr(b.s, want));
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "partition\\-"));
    buf_free(&b);
}

const char *cunit_suite_name = "cfg";
void (*cunit_setup)(void);
void (*cunit_teardown)(void) = teardown;
CU_TestInfo cunit_tests[] = {
    { "defaults", test_defaults },
    { "types", test_types },
    { "switch_spellings", test_switch_spellings },
    { "int_bounds", test_int_bounds },
    { "units", test_units },
    { "enum", test_enum },
    { "service_overrides", test_service_overrides },
    { "duplicates", test_duplicates },
    { "aliases", test_aliases },
    { "partitions", test_partitions },
    { "raw_sasl", test_raw_sasl },
    { "unknown_key_warning", test_unknown_key_warning },
    { "syntax", test_syntax },
    { "nul_byte", test_nul_byte },
    { "long_line", test_long_line },
    { "missing_file_keeps_old", test_missing_file_keeps_old },
    { "include", test_include },
    { "cyrus_config", test_cyrus_config },
    { "wrong_type_panics", test_wrong_type_panics },
    { "table", test_table },
    { "man_page", test_man_page },
    CU_TEST_INFO_NULL,
};
