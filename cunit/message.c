/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/message.c - unit tests for the message parser (imap/message*.c):
 * golden ENVELOPE/BODY/BODYSTRUCTURE files, addresses, sections, BINARY,
 * the cache record, limits and truncated input.
 *
 * Golden files: cunit/data/message/NAME.eml -> NAME.ref.  An .eml is
 * stored with LF line ends and turned into CRLF (as the store holds it)
 * unless its name contains "-lf".  MESSAGE_REGEN=1 rewrites the .ref
 * files from the current code; review every change against RFC 3501.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit/harness.h"
#include "imap/message.h"
#include "imap/message_section.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

#ifndef MESSAGE_DATADIR
#define MESSAGE_DATADIR "cunit/data/message"
#endif

static const char *const golden[] = {
    "plain", "alternative", "mixed-attach", "nested-rfc822", "encoded-headers",
    "rfc2231", "groups", "broken-noboundary", "broken-missing-close",
    "broken-boundary-never", "empty", "headers-only", "junk-headers",
    "digest-lf", "rfc822-base64",
};

/* read_file - the whole file into b; 0 when missing */
static int read_file(const char *path, struct buf *b)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;

    if (!f)
        return 0;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_appendmap(b, chunk, n);
    fclose(f);
    return 1;
}

/* load_eml - the test message NAME, with CRLF unless NAME has "-lf" */
static void load_eml(const char *name, struct buf *msg)
{
    char path[512];
    struct buf raw = BUF_INIT;

    snprintf(path, sizeof(path), "%s/%s.eml", MESSAGE_DATADIR, name);
    CU_ASSERT_FATAL(read_file(path, &raw));
    buf_reset(msg);
    for (size_t i = 0; i < raw.len; i++) {
        if (raw.s[i] == '\n' && !strstr(name, "-lf") && (i == 0 || raw.s[i - 1] != '\r'))
            buf_putc(msg, '\r');
        buf_putc(msg, raw.s[i]);
    }
    buf_free(&raw);
}

/* escape - printable form of s for .ref files */
static void escape(struct buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r')
            buf_appendcstr(out, "\\r");
        else if (c == '\n')
            buf_appendcstr(out, "\\n");
        else if (c < ' ' || c >= 0x7F)
            buf_printf(out, "\\x%02X", c);
        else
            buf_putc(out, (char)c);
    }
}

/* describe - the golden text of a parsed message */
static void describe(const struct message *m, struct buf *out)
{
    struct buf s = BUF_INIT;

    buf_appendcstr(out, "ENVELOPE: ");
    escape(out, m->root->envelope, strlen(m->root->envelope));
    message_body_write(m->root, 0, &s);
    buf_appendcstr(out, "\nBODY: ");
    escape(out, s.s, s.len);
    buf_reset(&s);
    message_body_write(m->root, 1, &s);
    buf_appendcstr(out, "\nBODYSTRUCTURE: ");
    escape(out, s.s, s.len);
    for (int i = 0; i < MESSAGE_FIELD_COUNT; i++) {
        if (!m->fields[i])
            continue;
        buf_printf(out, "\nSEARCH %s: ", message_field_name(i));
        escape(out, m->fields[i], strlen(m->fields[i]));
    }
    buf_putc(out, '\n');
    buf_free(&s);
}

/* check_ranges - every part lies inside the message, in order */
static void check_ranges(const struct message_part *p, uint64_t len)
{
    CU_ASSERT(p->header_offset + p->header_size == p->body_offset);
    CU_ASSERT(p->body_offset + p->body_size <= len);
    CU_ASSERT(p->type != NULL && p->subtype != NULL);
    for (size_t i = 0; i < p->nchildren; i++) {
        CU_ASSERT(p->children[i]->header_offset >= p->body_offset);
        CU_ASSERT(p->children[i]->body_offset + p->children[i]->body_size <=
                  p->body_offset + p->body_size);
        check_ranges(p->children[i], len);
    }
}

/* roundtrip - the cache record gives back the same strings and record */
static void roundtrip(const struct message *m)
{
    struct buf rec = BUF_INIT, rec2 = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
    const char *err = NULL;

    message_cache_encode(m, &rec);
    struct message *d = message_cache_decode(rec.s, rec.len, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    describe(m, &a);
    describe(d, &b);
    CU_ASSERT_EQUAL(a.len, b.len);
    CU_ASSERT(buf_cmp(&a, &b) == 0);
    message_cache_encode(d, &rec2);
    CU_ASSERT(buf_cmp(&rec, &rec2) == 0);
    message_free(&d);
    buf_free(&rec);
    buf_free(&rec2);
    buf_free(&a);
    buf_free(&b);
}

static void test_golden(void)
{
    int regen = getenv("MESSAGE_REGEN") != NULL;

    for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
        struct buf msg = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
        char path[512];
        load_eml(golden[i], &msg);
        struct message *m = message_parse(msg.s, msg.len);
        CU_ASSERT_EQUAL(m->size, msg.len);
        check_ranges(m->root, msg.len);
        describe(m, &got);
        snprintf(path, sizeof(path), "%s/%s.ref", MESSAGE_DATADIR, golden[i]);
        if (regen) {
            FILE *f = fopen(path, "wb");
            CU_ASSERT_FATAL(f != NULL);
            fwrite(got.s, 1, got.len, f);
            fclose(f);
        }
        CU_ASSERT_FATAL(read_file(path, &want));
        if (buf_cmp(&got, &want)) {
            fprintf(stderr, "\n%s differs:\n--- want\n%s--- got\n%s", golden[i],
                    buf_cstring(&want), buf_cstring(&got));
            CU_FAIL("golden file differs");
        }
        roundtrip(m);
        message_free(&m);
        CU_ASSERT_PTR_NULL(m);
        buf_free(&msg);
        buf_free(&got);
        buf_free(&want);
    }
}

static void test_addresses(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        { "a@b.c", "((NIL NIL \"a\" \"b.c\"))" },
        { "Joe <j@x.org>", "((\"Joe\" NIL \"j\" \"x.org\"))" },
        { "\"Doe, Jane\" <jd@x>, k@y", "((\"Doe, Jane\" NIL \"jd\" \"x\")(NIL NIL \"k\" \"y\"))" },
        { "k@y (Kay Why)", "((\"Kay Why\" NIL \"k\" \"y\"))" },
        { "undisclosed-recipients:;",
          "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))" },
        { "G: a@b, c@d; e@f",
          "((NIL NIL \"G\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")(NIL NIL NIL NIL)"
          "(NIL NIL \"e\" \"f\"))" },
        { "G: a@b", "((NIL NIL \"G\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL NIL NIL))" },
        { "<@r1,@r2:m@h>", "((NIL \"@r1,@r2\" \"m\" \"h\"))" },
        { "\"a b\"@c", "((NIL NIL \"\\\"a b\\\"\" \"c\"))" },
        { "John Q. Public <jqp@e>", "((\"John Q. Public\" NIL \"jqp\" \"e\"))" },
        { "a . b @ c . d", "((NIL NIL \"a.b\" \"c.d\"))" },
        { "nobody", "((NIL NIL \"nobody\" \"MISSING_DOMAIN\"))" },
        { "@host", "((NIL NIL \"MISSING_MAILBOX\" \"host\"))" },
        { "<>", "((NIL NIL \"\" \"\"))" },
        { "Unterminated <a@b", "((\"Unterminated\" NIL \"a\" \"b\"))" },
        { "\"open quote <a@b>", "((NIL NIL \"\\\"open quote <a@b>\\\"\" \"MISSING_DOMAIN\"))" },
        { "a@b c@d", "((NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\"))" },
        { ",,, ;;; >>", "NIL" },
        { "", "NIL" },
        { "(only a comment)", "NIL" },
        { "=?utf-8?q?J=C3=B6rg?= <j@x>", "((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"x\"))" },
        { "J\xc3\xb6rg <j@x>", "(({5}\r\nJ\xc3\xb6rg NIL \"j\" \"x\"))" },
    };
    struct buf out = BUF_INIT;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_reset(&out);
        message_address_write(cases[i].in, strlen(cases[i].in), &out);
        if (strcmp(buf_cstring(&out), cases[i].want))
            fprintf(stderr, "\naddress <%s>: got %s want %s\n", cases[i].in,
                    buf_cstring(&out), cases[i].want);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&out), cases[i].want);
    }
    buf_free(&out);
}

static void test_nstring(void)
{
    struct buf out = BUF_INIT;

    message_nstring_write(&out, NULL, 0);
    message_nstring_write(&out, "a\"b\\c", 5);
    message_nstring_write(&out, "x\0y", 3);
    message_nstring_write(&out, "l\r\n", 3);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "NIL\"a\\\"b\\\\c\"\"xy\"{3}\r\nl\r\n");
    buf_free(&out);
}

/* section - resolve spec on m; returns the result code and the bytes */
static int section(const struct message *m, const struct buf *msg, const char *spec,
                   struct buf *data)
{
    struct message_section sec = MESSAGE_SECTION_INIT;
    const char *err = NULL, *p;
    size_t n;
    int r = message_section_resolve(m->root, msg->s, msg->len, spec, strlen(spec), &sec, &err);

    buf_reset(data);
    if (r == 1) {
        message_section_data(&sec, msg->s, msg->len, &p, &n);
        buf_appendmap(data, p, n);
    } else if (r < 0) {
        CU_ASSERT_PTR_NOT_NULL(err);
    }
    message_section_fini(&sec);
    return r;
}

static void test_sections(void)
{
    struct buf msg = BUF_INIT, d = BUF_INIT;

    load_eml("nested-rfc822", &msg);
    struct message *m = message_parse(msg.s, msg.len);
    CU_ASSERT_EQUAL(section(m, &msg, "", &d), 1);
    CU_ASSERT_EQUAL(d.len, msg.len);
    CU_ASSERT_EQUAL(section(m, &msg, "1", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "Forwarded below.\r\n");
    CU_ASSERT_EQUAL(section(m, &msg, "1.MIME", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
    CU_ASSERT_EQUAL(section(m, &msg, "2.HEADER.FIELDS (SUBJECT \"From\")", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d),
                           "From: Inner Author <inner@example.org>\r\nSubject: inner\r\n\r\n");
    CU_ASSERT_EQUAL(section(m, &msg, "header.fields.not (From To Subject Date Content-Type)", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "MIME-Version: 1.0\r\n\r\n");
    CU_ASSERT_EQUAL(section(m, &msg, "HEADER.FIELDS (X-None)", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "\r\n");
    CU_ASSERT_EQUAL(section(m, &msg, "2.1", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "inner plain");
    CU_ASSERT_EQUAL(section(m, &msg, "2.2.MIME", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "Content-Type: text/html\r\n\r\n");
    CU_ASSERT_EQUAL(section(m, &msg, "2.TEXT", &d), 1);
    CU_ASSERT(!strncmp(buf_cstring(&d), "--b2\r\n", 6));
    CU_ASSERT(!strcmp(d.s + d.len - 8, "--b2--\r\n"));
    CU_ASSERT_EQUAL(section(m, &msg, "2.HEADER", &d), 1);
    CU_ASSERT(!strncmp(buf_cstring(&d), "From: Inner", 11));
    {
        static const char tail[] = "boundary=\"b2\"\r\n\r\n";
        CU_ASSERT(d.len > sizeof(tail) &&
                  !strcmp(buf_cstring(&d) + d.len - (sizeof(tail) - 1), tail));
    }
    /* 2 is message/rfc822: BODY[2] is the whole encapsulated message */
    CU_ASSERT_EQUAL(section(m, &msg, "2", &d), 1);
    CU_ASSERT(!strncmp(buf_cstring(&d), "From: Inner", 11));
    CU_ASSERT(!strcmp(d.s + d.len - 8, "--b2--\r\n"));
    /* missing parts */
    CU_ASSERT_EQUAL(section(m, &msg, "3", &d), 0);
    CU_ASSERT_EQUAL(section(m, &msg, "1.1", &d), 0);
    CU_ASSERT_EQUAL(section(m, &msg, "2.3", &d), 0);
    CU_ASSERT_EQUAL(section(m, &msg, "1.HEADER", &d), 0);
    CU_ASSERT_EQUAL(section(m, &msg, "9.TEXT", &d), 0);
    /* syntax */
    static const char *const bad[] = { "0", "1.", ".1", "1..2", "MIME", "HEADER.FIELDS",
        "HEADER.FIELDS ()", "HEADER.FIELDS (A", "TEXTX", "1.MIMEX", "HEADER.FIELDS (A)x",
        "99999999999", "9.HEADER.FIELDS (", "BOGUS" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(section(m, &msg, bad[i], &d), -1);
    message_free(&m);

    /* a non-multipart message has only part 1, its body */
    load_eml("plain", &msg);
    m = message_parse(msg.s, msg.len);
    CU_ASSERT_EQUAL(section(m, &msg, "1", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n");
    CU_ASSERT_EQUAL(section(m, &msg, "TEXT", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n");
    CU_ASSERT_EQUAL(section(m, &msg, "2", &d), 0);
    message_free(&m);

    /* bare LF headers come out of HEADER.FIELDS as CRLF */
    load_eml("digest-lf", &msg);
    m = message_parse(msg.s, msg.len);
    CU_ASSERT_EQUAL(section(m, &msg, "1.HEADER.FIELDS (subject)", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "Subject: first digest entry\r\n\r\n");
    CU_ASSERT_EQUAL(section(m, &msg, "1.1", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "one");
    message_free(&m);
    buf_free(&msg);
    buf_free(&d);
}

static void test_partial(void)
{
    uint64_t off, len;

    message_partial(100, 0, 10, &off, &len);
    CU_ASSERT(off == 0 && len == 10);
    message_partial(100, 95, 10, &off, &len);
    CU_ASSERT(off == 95 && len == 5);
    message_partial(100, 200, 10, &off, &len);
    CU_ASSERT(off == 100 && len == 0);
    message_partial(100, 0, UINT64_MAX, &off, &len);
    CU_ASSERT(off == 0 && len == 100);
}

/* binary - BINARY[spec] of the message, result code */
static int binary(const struct message *m, const struct buf *msg, const char *spec,
                  struct buf *out)
{
    struct message_section sec = MESSAGE_SECTION_INIT;
    const char *err;
    int r = message_section_resolve(m->root, msg->s, msg->len, spec, strlen(spec), &sec, &err);

    CU_ASSERT_EQUAL_FATAL(r, 1);
    buf_reset(out);
    r = message_section_binary(&sec, msg->s, msg->len, out);
    message_section_fini(&sec);
    return r;
}

static void test_binary(void)
{
    struct buf msg = BUF_INIT, d = BUF_INIT, want = BUF_INIT;

    load_eml("mixed-attach", &msg);
    struct message *m = message_parse(msg.s, msg.len);
    CU_ASSERT_EQUAL(binary(m, &msg, "2", &d), 1);
    for (int i = 0; i < 3; i++)
        buf_appendcstr(&want, "%PDF-1.4 fake pdf body\n");
    CU_ASSERT(buf_cmp(&d, &want) == 0);
    CU_ASSERT_EQUAL(binary(m, &msg, "1", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "See attached.");
    message_free(&m);

    load_eml("alternative", &msg);
    m = message_parse(msg.s, msg.len);
    CU_ASSERT_EQUAL(binary(m, &msg, "1", &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "Caf\xC3\xA9 numbers are in. \r\nSoft break.\r\n");
    message_free(&m);

    load_eml("junk-headers", &msg);
    m = message_parse(msg.s, msg.len);
    CU_ASSERT_EQUAL(binary(m, &msg, "1", &d), 0); /* x-uuencode: UNKNOWN-CTE */
    CU_ASSERT_EQUAL(d.len, 0);
    message_free(&m);

    /* the decoders on their own */
    buf_reset(&d);
    CU_ASSERT_EQUAL(message_decode("QUOTED-PRINTABLE", "a=3Db=\nc  \n=ZZ=4", 17, &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "a=bc\n=ZZ=4");
    buf_reset(&d);
    CU_ASSERT_EQUAL(message_decode("BASE64", "aGVs\r\nbG8=\r\nIQ==", 17, &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "hello!");
    buf_reset(&d);
    CU_ASSERT_EQUAL(message_decode(NULL, "as is", 5, &d), 1);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d), "as is");
    CU_ASSERT_EQUAL(message_decode("X-YENC", "x", 1, &d), 0);
    buf_free(&msg);
    buf_free(&d);
    buf_free(&want);
}

/* count_depth - the deepest path in the tree */
static int count_depth(const struct message_part *p)
{
    int best = 0;
    for (size_t i = 0; i < p->nchildren; i++) {
        int d = count_depth(p->children[i]);
        if (d > best)
            best = d;
    }
    return best + 1;
}

static void test_limits(void)
{
    struct buf msg = BUF_INIT, s = BUF_INIT;
    struct message *m;

    /* nesting far past MESSAGE_MAX_DEPTH */
    buf_appendcstr(&msg, "Content-Type: multipart/mixed; boundary=b0\r\n\r\n");
    for (int i = 1; i < 200; i++)
        buf_printf(&msg, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i - 1, i);
    m = message_parse(msg.s, msg.len);
    CU_ASSERT(count_depth(m->root) <= MESSAGE_MAX_DEPTH + 2);
    CU_ASSERT(count_depth(m->root) >= MESSAGE_MAX_DEPTH);
    message_body_write(m->root, 1, &s);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf_cstring(&s), "\"APPLICATION\" \"OCTET-STREAM\""));
    check_ranges(m->root, msg.len);
    roundtrip(m);
    message_free(&m);

    /* nested message/rfc822 past the limit */
    buf_reset(&msg);
    for (int i = 0; i < 100; i++)
        buf_appendcstr(&msg, "Subject: x\r\nContent-Type: message/rfc822\r\n\r\n");
    m = message_parse(msg.s, msg.len);
    CU_ASSERT(count_depth(m->root) <= 2 * MESSAGE_MAX_DEPTH + 2);
    roundtrip(m);
    message_free(&m);

    /* more parts than MESSAGE_MAX_PARTS */
    buf_reset(&msg);
    buf_appendcstr(&msg, "Content-Type: multipart/mixed; boundary=x\r\n\r\n");
    for (int i = 0; i < MESSAGE_MAX_PARTS + 100; i++)
        buf_appendcstr(&msg, "--x\r\n\r\np\r\n");
    m = message_parse(msg.s, msg.len);
    CU_ASSERT(m->nparts <= MESSAGE_MAX_PARTS);
    CU_ASSERT(m->root->nchildren >= MESSAGE_MAX_PARTS - 1);
    roundtrip(m);
    message_free(&m);
    buf_free(&msg);
    buf_free(&s);
}

static void test_truncated(void)
{
    /* every prefix of a nested message parses into a consistent tree */
    struct buf msg = BUF_INIT, s = BUF_INIT;

    load_eml("nested-rfc822", &msg);
    for (size_t n = 0; n <= msg.len; n++) {
        char *copy = xmemdup(msg.s, n); /* exact size: ASan sees overreads */
        struct message *m = message_parse(copy, n);
        check_ranges(m->root, n);
        buf_reset(&s);
        message_body_write(m->root, 1, &s);
        CU_ASSERT(s.len > 0);
        message_free(&m);
        free(copy);
    }
    buf_free(&msg);
    buf_free(&s);
}

static void test_cache_corrupt(void)
{
    struct buf msg = BUF_INIT, rec = BUF_INIT;
    const char *err;

    load_eml("mixed-attach", &msg);
    struct message *m = message_parse(msg.s, msg.len);
    message_cache_encode(m, &rec);
    CU_ASSERT(rec.s[0] == 'M' && rec.s[1] == 'C' && rec.s[2] == MESSAGE_CACHE_VERSION);
    for (size_t n = 0; n < rec.len; n++) {
        char *copy = xmemdup(rec.s, n);
        err = NULL;
        struct message *d = message_cache_decode(copy, n, &err);
        CU_ASSERT_PTR_NULL(d);
        CU_ASSERT_PTR_NOT_NULL(err);
        message_free(&d);
        free(copy);
    }
    /* single-byte damage never crashes; mostly refused */
    for (size_t n = 0; n < rec.len; n++) {
        rec.s[n] ^= 0x5A;
        struct message *d = message_cache_decode(rec.s, rec.len, &err);
        message_free(&d);
        rec.s[n] ^= 0x5A;
    }
    rec.s[2] = MESSAGE_CACHE_VERSION + 1;
    CU_ASSERT_PTR_NULL(message_cache_decode(rec.s, rec.len, &err));
    CU_ASSERT_STRING_EQUAL(err, "unsupported message cache record version");
    message_free(&m);
    buf_free(&msg);
    buf_free(&rec);
}

const char *cunit_suite_name = "message";
CU_TestInfo cunit_tests[] = {
    { "golden", test_golden },
    { "addresses", test_addresses },
    { "nstring", test_nstring },
    { "sections", test_sections },
    { "partial", test_partial },
    { "binary", test_binary },
    { "limits", test_limits },
    { "truncated", test_truncated },
    { "cache_corrupt", test_cache_corrupt },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
