/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/imap_capability.c - unit tests for the pure parts of the imapd
 * engine: the CAPABILITY list (imap/imap_capability.c), the command table
 * lookup and state checks (imap/imap_commands.c), ID argument checking
 * (imap/cmd-id.c) and ENABLE (imap/cmd-enable.c).  Arguments come from the
 * real parser, fed one byte at a time.
 */
#include "config.h"

#include <string.h>

#include "cunit/harness.h"
#include "imap/imap_capability.h"
#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "lib/buf.h"
#include "lib/imap_parser.h"

/* caps - the list for one situation (static storage) */
static const char *caps(bool tls_avail, bool tls, bool authed, bool plain,
                        const char *mechs)
{
    static struct buf out;
    struct imap_capability_input in = { tls_avail, tls, authed, plain, mechs, false };

    imap_capability_build(&in, &out);
    return buf_cstring(&out);
}

static void test_capability_preauth(void)
{
    CU_ASSERT_STRING_EQUAL(caps(true, false, false, false, "SCRAM-SHA-256"),
                           "IMAP4rev1 LITERAL- ID ENABLE NAMESPACE STARTTLS "
                           "LOGINDISABLED SASL-IR AUTH=SCRAM-SHA-256");
    /* after STARTTLS: STARTTLS and LOGINDISABLED go, PLAIN appears */
    CU_ASSERT_STRING_EQUAL(caps(true, true, false, false, "SCRAM-SHA-256 PLAIN"),
                           "IMAP4rev1 LITERAL- ID ENABLE NAMESPACE SASL-IR "
                           "AUTH=SCRAM-SHA-256 AUTH=PLAIN");
    /* no TLS configured, plaintext allowed */
    CU_ASSERT_STRING_EQUAL(caps(false, false, false, true, "PLAIN LOGIN"),
                           "IMAP4rev1 LITERAL- ID ENABLE NAMESPACE SASL-IR "
                           "AUTH=PLAIN AUTH=LOGIN");
    /* no TLS and no plaintext: LOGINDISABLED, never STARTTLS */
    CU_ASSERT_STRING_EQUAL(caps(false, false, false, false, NULL),
                           "IMAP4rev1 LITERAL- ID ENABLE NAMESPACE "
                           "LOGINDISABLED SASL-IR");
    CU_ASSERT_PTR_NULL(strstr(caps(true, false, false, true, ""), "LOGINDISABLED"));
}

static void test_capability_postauth(void)
{
    const char *c = caps(true, false, true, false, "PLAIN");

    CU_ASSERT_STRING_EQUAL(c, "IMAP4rev1 LITERAL+ ID ENABLE NAMESPACE IDLE "
                              "MOVE UIDPLUS CONDSTORE QRESYNC BINARY ESEARCH "
                              "SEARCHRES SORT "
                              "THREAD=ORDEREDSUBJECT THREAD=REFERENCES "
                              "LIST-EXTENDED LIST-STATUS CHILDREN SPECIAL-USE "
                              "CREATE-SPECIAL-USE ACL RIGHTS=texk QUOTA "
                              "MULTIAPPEND UNSELECT COMPRESS=DEFLATE");
    /* IMAP4rev2 only when the imap4rev2 option asks for it */
    {
        static struct buf out;
        struct imap_capability_input in = { true, false, true, false, "PLAIN", true };
        imap_capability_build(&in, &out);
        CU_ASSERT(strlen(buf_cstring(&out)) > 10 &&
                  strcmp(buf_cstring(&out) + out.len - 10, " IMAP4rev2") == 0);
        buf_free(&out);
    }
}

static void test_command_lookup(void)
{
    const struct imap_command *c;

    imap_commands_valid(&imapd_commands);
    c = imap_commands_find(&imapd_commands, "capability");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_STRING_EQUAL(c->name, "CAPABILITY");
    CU_ASSERT_PTR_NOT_NULL(imap_commands_find(&imapd_commands, "LoGiN"));
    CU_ASSERT_PTR_NULL(imap_commands_find(&imapd_commands, "XYZZY"));
    CU_ASSERT_PTR_NULL(imap_commands_find(&imapd_commands, "LOGI"));
    c = imap_commands_find(&imapd_commands, "FETCH");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT(c->flags & IMAP_CMD_UID);
    CU_ASSERT(!(imap_commands_find(&imapd_commands, "SELECT")->flags & IMAP_CMD_UID));
    CU_ASSERT(imap_commands_find(&imapd_commands, "LOGIN")->flags & IMAP_CMD_PLAINTEXT);
}

static void test_state_check(void)
{
    const struct imap_command *login = imap_commands_find(&imapd_commands, "LOGIN");
    const struct imap_command *select = imap_commands_find(&imapd_commands, "SELECT");
    const struct imap_command *fetch = imap_commands_find(&imapd_commands, "FETCH");
    const struct imap_command *enable = imap_commands_find(&imapd_commands, "ENABLE");
    const struct imap_command *noop = imap_commands_find(&imapd_commands, "NOOP");

    CU_ASSERT_PTR_NULL(imap_commands_check(login, IMAP_CMD_NONAUTH));
    CU_ASSERT_STRING_EQUAL(imap_commands_check(login, IMAP_CMD_AUTH), "Already logged in");
    CU_ASSERT_STRING_EQUAL(imap_commands_check(select, IMAP_CMD_NONAUTH), "Please login first");
    CU_ASSERT_PTR_NULL(imap_commands_check(select, IMAP_CMD_AUTH));
    CU_ASSERT_PTR_NULL(imap_commands_check(select, IMAP_CMD_SELECTED));
    CU_ASSERT_STRING_EQUAL(imap_commands_check(fetch, IMAP_CMD_NONAUTH), "Please login first");
    CU_ASSERT_STRING_EQUAL(imap_commands_check(fetch, IMAP_CMD_AUTH),
                           "Please select a mailbox first");
    CU_ASSERT_STRING_EQUAL(imap_commands_check(enable, IMAP_CMD_SELECTED),
                           "Command not allowed in this state");
    for (unsigned st = IMAP_CMD_NONAUTH; st <= IMAP_CMD_SELECTED; st <<= 1)
        CU_ASSERT_PTR_NULL(imap_commands_check(noop, st));
}

/* parse - feed line one byte at a time; the parser after DONE */
static struct imap_parser *parse(const char *line)
{
    struct imap_parser_limits l;
    struct imap_parser *p;
    int r = IMAP_PARSER_NEED_MORE;

    imap_parser_limits_preauth(&l);
    l.max_args = 1000;
    l.max_line = 65536;
    l.max_quoted = l.max_word = 0; /* the ID tests' long values */
    p = imap_parser_new(&l);
    for (size_t i = 0; line[i]; i++) {
        size_t used = 0;
        CU_ASSERT_EQUAL(r, IMAP_PARSER_NEED_MORE);
        r = imap_parser_feed(p, line + i, 1, &used);
        CU_ASSERT_EQUAL(used, 1);
    }
    CU_ASSERT_EQUAL(r, IMAP_PARSER_DONE);
    return p;
}

/* id - imap_id_parse on "a ID <args>": result and log text */
static int id(const char *args, const char **log_r)
{
    static struct buf out;
    struct buf line = BUF_INIT;
    struct imap_parser *p;
    const struct imap_arg *a;
    const char *err = NULL;
    size_t n;
    int r;

    buf_printf(&line, "a ID %s\r\n", args);
    p = parse(buf_cstring(&line));
    a = imap_parser_args(p, &n);
    r = imap_id_parse(a, n, &out, &err);
    if (r < 0)
        CU_ASSERT_PTR_NOT_NULL(err);
    *log_r = buf_cstring(&out);
    imap_parser_free(&p);
    buf_free(&line);
    return r;
}

static void test_id(void)
{
    const char *log;
    struct buf big = BUF_INIT;

    CU_ASSERT_EQUAL(id("NIL", &log), 1);
    CU_ASSERT_STRING_EQUAL(log, "");
    CU_ASSERT_EQUAL(id("(\"name\" \"Mutt\" \"version\" NIL)", &log), 1);
    CU_ASSERT_STRING_EQUAL(log, "name=<Mutt> version=<NIL>");
    CU_ASSERT_EQUAL(id("(\"name\" \"<evil>\")", &log), 1);
    CU_ASSERT_STRING_EQUAL(log, "name=<evil>");
    CU_ASSERT_EQUAL(id("(\"name\")", &log), -1);          /* odd count */
    CU_ASSERT_EQUAL(id("foo", &log), -1);                  /* not a list */
    CU_ASSERT_EQUAL(id("NIL NIL", &log), -1);              /* two args */
    CU_ASSERT_EQUAL(id("(name \"x\")", &log), -1);         /* atom field */
    CU_ASSERT_EQUAL(id("(\"0123456789012345678901234567890\" \"x\")", &log), -1);
    /* 30 pairs are fine, 31 exceed RFC 2971's bound */
    buf_putc(&big, '(');
    for (int i = 0; i < 30; i++)
        buf_printf(&big, "%s\"f%d\" \"v\"", i ? " " : "", i);
    buf_putc(&big, ')');
    CU_ASSERT_EQUAL(id(buf_cstring(&big), &log), 1);
    buf_truncate(&big, big.len - 1);
    buf_appendcstr(&big, " \"f30\" \"v\")");
    CU_ASSERT_EQUAL(id(buf_cstring(&big), &log), -1);
    /* a value of 1024 bytes is fine, 1025 is not */
    buf_reset(&big);
    buf_appendcstr(&big, "(\"name\" \"");
    for (int i = 0; i < 1024; i++)
        buf_putc(&big, 'x');
    buf_appendcstr(&big, "\")");
    CU_ASSERT_EQUAL(id(buf_cstring(&big), &log), 1);
    buf_truncate(&big, big.len - 2);
    buf_appendcstr(&big, "x\")");
    CU_ASSERT_EQUAL(id(buf_cstring(&big), &log), -1);
    buf_free(&big);
}

static void test_enable(void)
{
    unsigned enabled = 0;
    struct buf out = BUF_INIT;
    const char *names[] = { "CONDSTORE", "X-UNKNOWN", "IMAP4rev3" };

    /* CONDSTORE is enableable; unknown names are ignored */
    CU_ASSERT_EQUAL(imap_enable_apply(names, 3, ~0u, &enabled, &out), 1);
    CU_ASSERT_EQUAL(enabled, IMAP_ENABLED_CONDSTORE);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), " CONDSTORE");
    /* again: already on, nothing new */
    buf_reset(&out);
    CU_ASSERT_EQUAL(imap_enable_apply(names, 1, ~0u, &enabled, &out), 0);
    CU_ASSERT_EQUAL(out.len, 0);
    /* QRESYNC implies CONDSTORE (RFC 7162 3.2.3), any case */
    enabled = 0;
    names[0] = "qresync";
    CU_ASSERT_EQUAL(imap_enable_apply(names, 1, ~0u, &enabled, &out), 1);
    CU_ASSERT_EQUAL(enabled, IMAP_ENABLED_CONDSTORE | IMAP_ENABLED_QRESYNC);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), " QRESYNC");
    /* after CONDSTORE alone, QRESYNC is still new */
    enabled = IMAP_ENABLED_CONDSTORE;
    buf_reset(&out);
    CU_ASSERT_EQUAL(imap_enable_apply(names, 1, ~0u, &enabled, &out), 1);
    CU_ASSERT_EQUAL(enabled, IMAP_ENABLED_CONDSTORE | IMAP_ENABLED_QRESYNC);
    /* IMAP4rev2 (RFC 9051), echoed in its canonical spelling */
    enabled = 0;
    names[0] = "imap4REV2";
    buf_reset(&out);
    CU_ASSERT_EQUAL(imap_enable_apply(names, 1, ~0u, &enabled, &out), 1);
    CU_ASSERT_EQUAL(enabled, IMAP_ENABLED_IMAP4REV2);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), " IMAP4rev2");
    /* not offered (imap4rev2 option off): ignored like an unknown name */
    enabled = 0;
    buf_reset(&out);
    CU_ASSERT_EQUAL(imap_enable_apply(names, 1, IMAP_ENABLED_CONDSTORE | IMAP_ENABLED_QRESYNC,
                                      &enabled, &out), 0);
    CU_ASSERT_EQUAL(enabled, 0);
    buf_free(&out);
}

static void test_suppress(void)
{
    struct buf caps = BUF_INIT;

    buf_setcstr(&caps, "IMAP4rev1 LITERAL+ IDLE MULTIAPPEND MOVE");
    imap_capability_suppress(&caps, NULL);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&caps),
                           "IMAP4rev1 LITERAL+ IDLE MULTIAPPEND MOVE");
    imap_capability_suppress(&caps, "MULTIAPPEND  idle NOSUCH");
    /* exact case: "idle" does not remove IDLE */
    CU_ASSERT_STRING_EQUAL(buf_cstring(&caps), "IMAP4rev1 LITERAL+ IDLE MOVE");
    imap_capability_suppress(&caps, "MOVE IMAP4rev1");
    CU_ASSERT_STRING_EQUAL(buf_cstring(&caps), "LITERAL+ IDLE");
    imap_capability_suppress(&caps, "LITERAL+ IDLE");
    CU_ASSERT_STRING_EQUAL(buf_cstring(&caps), "");
    buf_free(&caps);
}

const char *cunit_suite_name = "imap_capability";
CU_TestInfo cunit_tests[] = {
    { "capability_preauth", test_capability_preauth },
    { "capability_postauth", test_capability_postauth },
    { "command_lookup", test_command_lookup },
    { "state_check", test_state_check },
    { "id", test_id },
    { "enable", test_enable },
    { "suppress", test_suppress },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
