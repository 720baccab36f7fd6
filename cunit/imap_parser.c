/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/imap_parser.c - unit tests for lib/imap_parser.c
 *
 * Table-driven: every case is fed whole, one byte at a time and in a few
 * other chunk sizes; each run must see NEED_MORE at every proper prefix,
 * the same continuations/streams at the same places, and end on the last
 * input byte with the same result, tag, command and argument tree.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/imap_parser.h"
#include "lib/limits.h"
#include "lib/xmalloc.h"

#define IN(s) s, sizeof(s) - 1

/* The limits most cases run with. */
static const struct imap_parser_limits lim_std = {
    .max_line = 1000, .max_literal = 1000, .max_literal_total = 2000,
    .max_nesting = 4, .max_args = 50, .stream_threshold = 0,
    .literal_plus = true, .allow_8bit_quoted = false,
};
static const struct imap_parser_limits lim_8bit = {
    .max_line = 1000, .max_literal = 1000, .max_literal_total = 2000,
    .max_nesting = 4, .max_args = 50, .literal_plus = true,
    .allow_8bit_quoted = true,
};
static const struct imap_parser_limits lim_line10 = {
    .max_line = 10, .max_literal = 1000, .max_literal_total = 2000,
    .max_nesting = 4, .max_args = 50, .literal_plus = true,
};
static const struct imap_parser_limits lim_line7 = {
    .max_line = 7, .max_literal = 1000, .max_literal_total = 2000,
    .max_nesting = 4, .max_args = 50, .literal_plus = true,
};
static const struct imap_parser_limits lim_lit10 = {
    .max_line = 1000, .max_literal = 10, .max_literal_total = 2000,
    .max_nesting = 4, .max_args = 50, .literal_plus = true,
};
static const struct imap_parser_limits lim_total10 = {
    .max_line = 1000, .max_literal = 100, .max_literal_total = 10,
    .max_nesting = 4, .max_args = 50, .literal_plus = true,
};
static const struct imap_parser_limits lim_nest2 = {
    .max_line = 1000, .max_literal = 1000, .max_literal_total = 2000,
    .max_nesting = 2, .max_args = 50, .literal_plus = true,
};
static const struct imap_parser_limits lim_args3 = {
    .max_line = 1000, .max_literal = 1000, .max_literal_total = 2000,
    .max_nesting = 4, .max_args = 3, .literal_plus = true,
};
static const struct imap_parser_limits lim_minus = {
    .max_line = 1000, .max_literal = 100000, .max_literal_total = 100000,
    .max_nesting = 4, .max_args = 50, .literal_plus = false,
};
static const struct imap_parser_limits lim_tok = {
    .max_line = 1000, .max_literal = 1000, .max_literal_total = 2000,
    .max_nesting = 4, .max_args = 50, .literal_plus = true,
    .max_quoted = 5, .max_word = 6,
};
static const struct imap_parser_limits lim_stream = {
    .max_line = 1000, .max_literal = 100, .max_literal_total = 10,
    .max_nesting = 4, .max_args = 50, .stream_threshold = 10,
    .literal_plus = true,
};

struct pcase {
    const char *in;
    size_t len;
    const struct imap_parser_limits *lim; /* NULL: lim_std */
    int result;
    const char *events; /* "C" per continuation, "S<n>[args]" per stream */
    const char *expect; /* DONE: "tag cmd|args"; error: the message */
    bool fatal;
};

#define DONE IMAP_PARSER_DONE
#define BAD IMAP_PARSER_BAD_SYNTAX
#define LONG IMAP_PARSER_LINE_TOO_LONG
#define BIG IMAP_PARSER_LITERAL_TOO_BIG
#define DEEP IMAP_PARSER_NESTING_TOO_DEEP
#define MANY IMAP_PARSER_TOO_MANY_ARGS
#define TOK IMAP_PARSER_TOKEN_TOO_LONG
#define QLONG "Quoted string too long (maxquoted=5)"
#define WLONG "Word too long (maxword=6)"

static const struct pcase cases[] = {
    /* --- good commands, every argument type --- */
    { IN("a1 NOOP\r\n"), NULL, DONE, "", "a1 NOOP|", false },
    { IN("a1 NOOP\n"), NULL, DONE, "", "a1 NOOP|", false },
    { IN("a]1 noop\r\n"), NULL, DONE, "", "a]1 noop|", false },
    { IN("a LOGIN user pass\r\n"), NULL, DONE, "", "a LOGIN|user pass", false },
    { IN("a SELECT \"INBOX\"\n"), NULL, DONE, "", "a SELECT|\"INBOX\"", false },
    { IN("a X \"a\\\"b\\\\c\" \"\"\r\n"), NULL, DONE, "",
      "a X|\"a\\\"b\\\\c\" \"\"", false },
    { IN("a X NIL \"NIL\" nil\r\n"), NULL, DONE, "", "a X|<NIL> \"NIL\" <nil>", false },
    { IN("a STORE 1:*,5 +FLAGS (\\Seen \\Answered \\*)\r\n"), NULL, DONE, "",
      "a STORE|1:*,5 +FLAGS (\\Seen \\Answered \\*)", false },
    { IN("a FETCH 1 (BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100> BINARY[1] "
         "BODY[1.2.MIME] BODY[])\r\n"), NULL, DONE, "",
      "a FETCH|1 (BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100> BINARY[1] "
      "BODY[1.2.MIME] BODY[])", false },
    { IN("a FETCH 1 BODY[HEADER.FIELDS (\"X-A]\" B)]\r\n"), NULL, DONE, "",
      "a FETCH|1 BODY[HEADER.FIELDS (\"X-A]\" B)]", false },
    { IN("a LIST \"\" %/*\r\n"), NULL, DONE, "", "a LIST|\"\" %/*", false },
    { IN("a X (a (b (c)) ()) d\r\n"), NULL, DONE, "", "a X|(a (b (c)) ()) d", false },
    { IN("a X  a   b \r\n"), NULL, DONE, "", "a X|a b", false },
    { IN("a X ~abc ~\r\n"), NULL, DONE, "", "a X|~abc ~", false },
    { IN("a X \"with {5+} inside\"\r\n"), NULL, DONE, "",
      "a X|\"with {5+} inside\"", false },
    { IN("a UID FETCH 1:* (FLAGS)\r\n"), NULL, DONE, "", "a UID|FETCH 1:* (FLAGS)", false },
    /* literals */
    { IN("a LOGIN {4}\r\nuser {4}\r\npass\r\n"), NULL, DONE, "CC",
      "a LOGIN|{4}\"user\" {4}\"pass\"", false },
    { IN("a LOGIN {4+}\r\nuser pass\r\n"), NULL, DONE, "",
      "a LOGIN|{4+}\"user\" pass", false },
    { IN("a X {0005+}\nhello\n"), NULL, DONE, "", "a X|{5+}\"hello\"", false },
    { IN("a X {000000000000000000000005+}\nhello\n"), NULL, DONE, "",
      "a X|{5+}\"hello\"", false },
    { IN("a APPEND b ~{3}\r\na\0b ~{2+}\r\nxy\r\n"), NULL, DONE, "C",
      "a APPEND|b ~{3}\"a\\x00b\" ~{2+}\"xy\"", false },
    { IN("a X {0}\r\n {0+}\r\n\r\n"), NULL, DONE, "C", "a X|{0}\"\" {0+}\"\"", false },
    { IN("a X {6}\r\na\r\n\0bc\r\n"), NULL, DONE, "C",
      "a X|{6}\"a\\x0d\\x0a\\x00bc\"", false },
    { IN("a X (a {2+}\r\nbc)\r\n"), NULL, DONE, "", "a X|(a {2+}\"bc\")", false },
    { IN("a X {3}\r\n{}(\n"), NULL, DONE, "C", "a X|{3}\"{}(\"", false },
    { IN("a X \"\xc3\xa9\"\r\n"), &lim_8bit, DONE, "", "a X|\"\\xc3\\xa9\"", false },

    /* --- syntax errors; each input ends on the offending byte --- */
    { IN("\r\n"), NULL, BAD, "", "Empty command line", false },
    { IN("\n"), NULL, BAD, "", "Empty command line", false },
    { IN(" "), NULL, BAD, "", "Missing tag", false },
    { IN("a\r\n"), NULL, BAD, "", "Missing command name", false },
    { IN("a  "), NULL, BAD, "", "Missing command name", false },
    { IN("a*"), NULL, BAD, "", "Invalid character '*' in tag", false },
    { IN("a+"), NULL, BAD, "", "Invalid character '+' in tag", false },
    { IN("a NO\x01"), NULL, BAD, "", "Invalid character '\\x01' in command name", false },
    { IN("a X ab\x01"), NULL, BAD, "", "Invalid character '\\x01' in atom", false },
    { IN("a X a{"), NULL, BAD, "", "Invalid character '{' in atom", false },
    { IN("a X \\Seen\\"), NULL, BAD, "", "Invalid character '\\' in atom", false },
    { IN("a X \xff"), NULL, BAD, "", "Invalid character '\\xff' in atom", false },
    { IN("a X (a b\r\n"), NULL, BAD, "", "Missing ')' in list", false },
    { IN("a X a)"), NULL, BAD, "", "Unexpected ')'", false },
    { IN("a X (a)("), NULL, BAD, "", "Missing space before '(' after argument", false },
    { IN("a X \"a\"b"), NULL, BAD, "", "Missing space before 'b' after argument", false },
    { IN("a X \"abc\r\n"), NULL, BAD, "", "Missing '\"' at end of quoted string", false },
    { IN("a X \"a\\x"), NULL, BAD, "", "Invalid escape of 'x' in quoted string", false },
    { IN("a X \"\xc3"), NULL, BAD, "", "8-bit character '\\xc3' in quoted string", false },
    { IN("a X \"a\0"), NULL, BAD, "", "Invalid character '\\x00' in quoted string", false },
    { IN("a X \"a\0"), &lim_8bit, BAD, "", "Invalid character '\\x00' in quoted string", false },
    { IN("a X {}"), NULL, BAD, "", "Missing literal size", false },
    { IN("a X {+"), NULL, BAD, "", "Missing literal size", false },
    { IN("a X {1a"), NULL, BAD, "", "Invalid character 'a' in literal size", false },
    { IN("a X {1+a"), NULL, BAD, "", "Invalid character 'a' in literal size", false },
    { IN("a X {5\r\n"), NULL, BAD, "", "Missing '}' in literal", false },
    { IN("a X {5}x"), NULL, BAD, "", "Missing CRLF after literal size", false },
    { IN("a X BODY[1\r\n"), NULL, BAD, "", "Missing ']' in atom", false },
    { IN("a X BODY[{"), NULL, BAD, "", "Literal not allowed inside '[...]'", false },
    { IN("a X a\rb"), NULL, BAD, "", "CR not followed by LF", false },
    { IN("a X {99999999999999999999}"), NULL, BIG, "", "Literal size too large", false },
    { IN("a X {99999999999999999999+}"), NULL, BIG, "", "Literal size too large", true },
    { IN("a X {18446744073709551615}"), NULL, BIG, "",
      "Literal size 18446744073709551615 exceeds the limit of 1000", false },

    /* --- limits: exactly at the limit, then one past it --- */
    { IN("a NOOP 123\r\n"), &lim_line10, DONE, "", "a NOOP|123", false },
    { IN("a NOOP 1234"), &lim_line10, LONG, "", "Command line too long (limit 10 bytes)", false },
    { IN("a X {3}\r\nabc\r\n"), &lim_line7, DONE, "C", "a X|{3}\"abc\"", false },
    { IN("a X {3}\r\nabc "), &lim_line7, LONG, "C", "Command line too long (limit 7 bytes)", false },
    { IN("a X {10}\r\n0123456789\r\n"), &lim_lit10, DONE, "C", "a X|{10}\"0123456789\"", false },
    { IN("a X {11}"), &lim_lit10, BIG, "", "Literal size 11 exceeds the limit of 10", false },
    { IN("a X {11+}"), &lim_lit10, BIG, "", "Literal size 11 exceeds the limit of 10", true },
    { IN("a X {4097+}"), &lim_minus, BIG, "",
      "Non-synchronising literal size 4097 exceeds the LITERAL- limit of 4096", true },
    { IN("a X {5}\r\n12345 {5+}\r\n12345\r\n"), &lim_total10, DONE, "C",
      "a X|{5}\"12345\" {5+}\"12345\"", false },
    { IN("a X {5}\r\n12345 {5}\r\n12345 {0}\r\n\r\n"), &lim_total10, DONE, "CCC",
      "a X|{5}\"12345\" {5}\"12345\" {0}\"\"", false },
    { IN("a X {5}\r\n12345 {6}"), &lim_total10, BIG, "C",
      "Literals exceed the limit of 10 bytes per command", false },
    { IN("a X {5+}\r\n12345 {6+}"), &lim_total10, BIG, "",
      "Literals exceed the limit of 10 bytes per command", false },
    { IN("a X ((a)) (b)\r\n"), &lim_nest2, DONE, "", "a X|((a)) (b)", false },
    { IN("a X (((" ), &lim_nest2, DEEP, "", "Lists nested too deeply (limit 2)", false },
    { IN("a X a (b)\r\n"), &lim_args3, DONE, "", "a X|a (b)", false },
    { IN("a X a b c d"), &lim_args3, MANY, "", "Too many arguments (limit 3)", false },
    { IN("a X (a b c"), &lim_args3, MANY, "", "Too many arguments (limit 3)", false },
    { IN("a X a b c {"), &lim_args3, MANY, "", "Too many arguments (limit 3)", false },
    /* maxquoted counts unescaped bytes; maxword every atom byte, the
     * bracketed part included; literals are not bounded by either */
    { IN("abcdef NOOPXY \"a\\\"b\\\\c\" 123456 \\Seen1 "
         "B[1\"\"] {7+}\r\n1234567\r\n"), &lim_tok, DONE, "",
      "abcdef NOOPXY|\"a\\\"b\\\\c\" 123456 \\Seen1 B[1\"\"] "
      "{7+}\"1234567\"", false },
    { IN("a X \"123456"), &lim_tok, TOK, "", QLONG, false },
    { IN("a X \"\\\"\\\"\\\"\\\"\\\"\\\""), &lim_tok, TOK, "", QLONG, false },
    { IN("a X 1234567"), &lim_tok, TOK, "", WLONG, false },
    { IN("a X B[1 \"2\""), &lim_tok, TOK, "", WLONG, false },
    { IN("a X B[\"\\\\\\\\"), &lim_tok, TOK, "", WLONG, false },
    { IN("a X \\Seen12"), &lim_tok, TOK, "", WLONG, false },
    { IN("a X ~123456"), &lim_tok, TOK, "", WLONG, false },
    { IN("1234567"), &lim_tok, TOK, "", WLONG, false },
    { IN("a NOOPNOO"), &lim_tok, TOK, "", WLONG, false },
    { IN("a X a b ~{1}\r\nx\r\n"), &lim_args3, DONE, "C", "a X|a b ~{1}\"x\"", false },

    /* --- streaming --- */
    { IN("a APPEND box (\\Seen) {20}\r\n01234567890123456789\r\n"), &lim_stream, DONE,
      "CS20[box (\\Seen) <stream 20>]", "a APPEND|box (\\Seen) <stream 20>", false },
    { IN("a APPEND box {20+}\r\n01234567890123456789 {3}\r\nabc\r\n"), &lim_stream,
      DONE, "S20[box <stream 20+>]C", "a APPEND|box <stream 20+> {3}\"abc\"", false },
    { IN("a APPEND box CATENATE (TEXT ~{20+}\r\n01234567890123456789)\r\n"),
      &lim_stream, DONE, "S20[box CATENATE (TEXT <stream ~20+>)]",
      "a APPEND|box CATENATE (TEXT <stream ~20+>)", false },
    { IN("a X {10}\r\n0123456789\r\n"), &lim_stream, DONE, "C", "a X|{10}\"0123456789\"", false },
    { IN("a X {101}"), &lim_stream, BIG, "", "Literal size 101 exceeds the limit of 100", false },
    /* MULTIAPPEND of small messages: once the buffered ones reach
     * max_literal_total (10) the next is streamed, not refused */
    { IN("a APPEND box {6+}\r\n012345 {6+}\r\n6789ab {4+}\r\ncdef\r\n"), &lim_stream,
      DONE, "S6[box {6+}\"012345\" <stream 6+>]",
      "a APPEND|box {6+}\"012345\" <stream 6+> {4+}\"cdef\"", false },
};

/* dump_str - a value in quotes, non-printables as \xNN */
static void dump_str(struct buf *b, const char *s, size_t len)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c > 0x7e)
            buf_printf(b, "\\x%02x", c);
        else
            buf_putc(b, (char)c);
    }
    buf_putc(b, '"');
}

/* dump_args - the test's own rendering of an argument tree, with types */
static void dump_args(struct buf *b, const struct imap_arg *a, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const char *l8 = (a[i].flags & IMAP_ARG_FLAG_LITERAL8) ? "~" : "";
        const char *plus = (a[i].flags & IMAP_ARG_FLAG_NONSYNC) ? "+" : "";
        if (i)
            buf_putc(b, ' ');
        switch (a[i].type) {
        case IMAP_ARG_NIL:
            buf_printf(b, "<%s>", a[i].u.str.s);
            break;
        case IMAP_ARG_ATOM:
            buf_appendmap(b, a[i].u.str.s, a[i].u.str.len);
            CU_ASSERT_EQUAL(strlen(a[i].u.str.s), a[i].u.str.len);
            break;
        case IMAP_ARG_STRING:
            dump_str(b, a[i].u.str.s, a[i].u.str.len);
            break;
        case IMAP_ARG_LITERAL:
            buf_printf(b, "%s{%zu%s}", l8, a[i].u.str.len, plus);
            dump_str(b, a[i].u.str.s, a[i].u.str.len);
            CU_ASSERT_EQUAL(a[i].u.str.s[a[i].u.str.len], '\0');
            break;
        case IMAP_ARG_LIST:
            buf_putc(b, '(');
            dump_args(b, a[i].u.list.args, a[i].u.list.count);
            buf_putc(b, ')');
            break;
        case IMAP_ARG_LITERAL_SIZE:
            buf_printf(b, "<stream %s%" PRIu64 "%s>", l8, a[i].u.literal_size, plus);
            break;
        case IMAP_ARG_EOL:
            buf_appendcstr(b, "<EOL!>");
            break;
        }
    }
    CU_ASSERT_EQUAL(a[count].type, IMAP_ARG_EOL);
}

/* drive - feed in[0..len) in pieces of at most chunk bytes, acting as the
 * caller on continuations and streams (recorded in events); returns the
 * final result and where it ended in *end_r */
static int drive(struct imap_parser *p, const char *in, size_t len,
                 size_t chunk, struct buf *events, size_t *end_r)
{
    size_t pos = 0;
    for (;;) {
        size_t n = len - pos < chunk ? len - pos : chunk, used = 999999;
        int r = imap_parser_feed(p, in + pos, n, &used);
        CU_ASSERT(used <= n);
        pos += used;
        if (r == IMAP_PARSER_NEED_MORE) {
            CU_ASSERT_EQUAL(used, n);
            if (pos < len)
                continue;
        } else if (r == IMAP_PARSER_LITERAL_CONTINUATION) {
            buf_putc(events, 'C');
            continue;
        } else if (r == IMAP_PARSER_LITERAL_STREAM) {
            uint64_t size = imap_parser_stream_size(p);
            size_t count;
            const struct imap_arg *args = imap_parser_args(p, &count);
            buf_printf(events, "S%" PRIu64 "[", size);
            dump_args(events, args, count);
            buf_putc(events, ']');
            if (size > len - pos)
                return -100; /* test input too short */
            pos += (size_t)size; /* the caller moved the data */
            imap_parser_literal_streamed(p);
            continue;
        }
        *end_r = pos;
        return r;
    }
}

/* outcome - the final result in the form of pcase.expect */
static void outcome(struct imap_parser *p, int r, struct buf *out)
{
    if (r == IMAP_PARSER_DONE) {
        size_t count;
        const struct imap_arg *args = imap_parser_args(p, &count);
        buf_printf(out, "%s %s|", imap_parser_tag(p), imap_parser_command(p));
        dump_args(out, args, count);
    } else if (r < 0) {
        buf_appendcstr(out, imap_parser_error(p));
    }
}

static void test_table(void)
{
    static const size_t chunks[] = { 1, 2, 3, 7, SIZE_MAX };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct pcase *c = &cases[i];
        for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
            struct imap_parser *p = imap_parser_new(c->lim ? c->lim : &lim_std);
            struct buf events = BUF_INIT, out = BUF_INIT;
            size_t end = 0;
            int r = drive(p, c->in, c->len, chunks[k], &events, &end);
            outcome(p, r, &out);
            if (r != c->result || end != c->len ||
                strcmp(buf_cstring(&events), c->events) != 0 ||
                strcmp(buf_cstring(&out), c->expect) != 0 ||
                imap_parser_error_is_fatal(p) != c->fatal) {
                fprintf(stderr, "\ncase %zu chunk %zu: result %d end %zu/%zu "
                        "events <%s> out <%s> fatal %d\n", i, chunks[k], r,
                        end, c->len, buf_cstring(&events), buf_cstring(&out),
                        imap_parser_error_is_fatal(p));
                CU_FAIL("table case mismatch");
            }
            if (r == IMAP_PARSER_DONE) {
                imap_parser_reset(p);
                CU_ASSERT_EQUAL(imap_parser_memory_used(p), 0);
                CU_ASSERT_PTR_NULL(imap_parser_tag(p));
            }
            buf_free(&events);
            buf_free(&out);
            imap_parser_free(&p);
            CU_ASSERT_PTR_NULL(p);
        }
    }
}

/* run_one - parse one complete command with lim, expect DONE */
static struct imap_parser *run_one(const struct imap_parser_limits *lim,
                                   const char *in, size_t len)
{
    struct imap_parser *p = imap_parser_new(lim);
    struct buf events = BUF_INIT;
    size_t end;
    CU_ASSERT_EQUAL(drive(p, in, len, SIZE_MAX, &events, &end), IMAP_PARSER_DONE);
    CU_ASSERT_EQUAL(end, len);
    buf_free(&events);
    return p;
}

/* LITERAL- boundary: {4096+} passes, {4097+} is fatal; sync 4097 passes */
static void test_literal_minus(void)
{
    struct buf in = BUF_INIT;
    struct imap_parser *p;
    size_t count, used;
    const struct imap_arg *args;

    buf_appendcstr(&in, "a X {4096+}\r\n");
    buf_truncate(&in, in.len + 4096);
    buf_appendcstr(&in, " {4097}\r\n");
    buf_truncate(&in, in.len + 4097);
    buf_appendcstr(&in, "\r\n");
    p = run_one(&lim_minus, in.s, in.len);
    args = imap_parser_args(p, &count);
    CU_ASSERT_EQUAL(count, 2);
    CU_ASSERT_EQUAL(args[0].u.str.len, 4096);
    CU_ASSERT_EQUAL(args[1].u.str.len, 4097);
    imap_parser_free(&p);

    p = imap_parser_new(&lim_minus);
    CU_ASSERT_EQUAL(imap_parser_feed(p, IN("a X {4097+}\r\n"), &used),
                    IMAP_PARSER_LITERAL_TOO_BIG);
    CU_ASSERT(imap_parser_error_is_fatal(p));
    CU_ASSERT_EQUAL(imap_parser_skip_line(p, IN("\r\n"), &used), -1);
    imap_parser_free(&p);
    buf_free(&in);
}

struct rcase {
    const char *bad; /* the rejected line, whole */
    size_t badlen;
    const struct imap_parser_limits *lim;
    int error;
};

static const struct rcase resync[] = {
    { IN("a X ab\x01" "cd\r\n"), &lim_std, BAD },
    { IN("a X ab\x01" "cd {5+}\r\nhe\r\no\r\n"), &lim_std, BAD },
    { IN("a X \x01 {3+}\r\nabc {2+}\r\nxy\r\n"), &lim_std, BAD },
    { IN("a X \x01 {5}\r\n"), &lim_std, BAD },
    { IN("a X {2000}\r\n"), &lim_std, BIG },
    { IN("a X (a\r\n"), &lim_std, BAD },
    { IN("\r\n"), &lim_std, BAD },
    { IN("a X\r \r\n"), &lim_std, BAD },
    { IN("a X {5+}\r\n12345 {6+}\r\nabcdef\r\n"), &lim_total10, BIG },
    { IN("a X a b c {3+}\r\nabc\r\n"), &lim_args3, MANY },
    { IN("a X \"1234567 {3+}\" {3+}\r\nabc\r\n"), &lim_tok, TOK },
    { IN("a X 1234567 {3+}\r\nabc\r\n"), &lim_tok, TOK },
    { IN("a X {0000007+}\r\n1234567\r\n"), &lim_line7, LONG },
    { IN("a NOOP 1234567890\r\n"), &lim_line10, LONG },
    { IN("a X ((({1+}\r\n)\r\n"), &lim_nest2, DEEP },
};

/* after an error, skip_line consumes exactly the rest of the bad line
 * (literal data included) and the next command parses normally */
static void test_resync(void)
{
    static const char next[] = "b NOOP\r\n";
    for (size_t i = 0; i < sizeof(resync) / sizeof(resync[0]); i++) {
        const struct rcase *c = &resync[i];
        for (size_t chunk = 1; chunk <= 2; chunk++) {
            struct imap_parser *p = imap_parser_new(c->lim);
            size_t len = c->badlen + strlen(next), pos = 0, used;
            char *in = xmalloc(len);
            int r;

            memcpy(in, c->bad, c->badlen);
            memcpy(in + c->badlen, next, strlen(next));
            do {
                r = imap_parser_feed(p, in + pos, len - pos, &used);
                pos += used;
            } while (r == IMAP_PARSER_LITERAL_CONTINUATION);
            CU_ASSERT_EQUAL(r, c->error);
            /* sticky until skipped */
            CU_ASSERT_EQUAL(imap_parser_feed(p, in + pos, len - pos, &used), r);
            CU_ASSERT_EQUAL(used, 0);
            CU_ASSERT(!imap_parser_error_is_fatal(p));
            for (;;) {
                size_t n = len - pos < chunk ? len - pos : chunk;
                r = imap_parser_skip_line(p, in + pos, n, &used);
                pos += used;
                if (r != 0 || pos == len)
                    break;
                CU_ASSERT_EQUAL(used, n);
            }
            CU_ASSERT_EQUAL(r, 1);
            if (pos != c->badlen)
                fprintf(stderr, "\nresync case %zu: skipped to %zu, want %zu\n",
                        i, pos, c->badlen);
            CU_ASSERT_EQUAL(pos, c->badlen);
            CU_ASSERT_PTR_NULL(imap_parser_error(p));
            CU_ASSERT_EQUAL(imap_parser_feed(p, in + pos, len - pos, &used),
                            IMAP_PARSER_DONE);
            CU_ASSERT_EQUAL(pos + used, len);
            CU_ASSERT_STRING_EQUAL(imap_parser_tag(p), "b");
            free(in);
            imap_parser_free(&p);
        }
    }
}

/* a non-synchronising literal too big to discard cannot be skipped */
static void test_resync_fatal(void)
{
    struct imap_parser *p = imap_parser_new(&lim_minus);
    size_t used;

    CU_ASSERT_EQUAL(imap_parser_feed(p, IN("a X \x01"), &used), IMAP_PARSER_BAD_SYNTAX);
    CU_ASSERT(!imap_parser_error_is_fatal(p));
    CU_ASSERT_EQUAL(imap_parser_skip_line(p, IN(" {5000+}\r"), &used), 0);
    CU_ASSERT_EQUAL(imap_parser_skip_line(p, IN("\nxxxx"), &used), -1);
    CU_ASSERT(imap_parser_error_is_fatal(p));
    CU_ASSERT_EQUAL(imap_parser_skip_line(p, IN("\r\n"), &used), -1);
    CU_ASSERT_EQUAL(used, 0);
    imap_parser_free(&p);
}

/* pipelined commands: DONE stops right after the first LF */
static void test_pipeline(void)
{
    static const char in[] = "a NOOP\r\nb LOGIN {1+}\r\nx y\nc CHECK\r\n";
    struct imap_parser *p = imap_parser_new(&lim_std);
    size_t pos = 0, used;
    const char *s;
    size_t count;
    const struct imap_arg *args;

    CU_ASSERT_EQUAL(imap_parser_feed(p, in, sizeof(in) - 1, &used), IMAP_PARSER_DONE);
    CU_ASSERT_EQUAL(used, 8);
    pos += used;
    CU_ASSERT_EQUAL(imap_parser_feed(p, in + pos, sizeof(in) - 1 - pos, &used),
                    IMAP_PARSER_DONE);
    pos += used;
    CU_ASSERT_STRING_EQUAL(imap_parser_tag(p), "b");
    args = imap_parser_args(p, &count);
    CU_ASSERT_EQUAL(count, 2);
    CU_ASSERT(imap_arg_get_astring(&args[0], &s) && strcmp(s, "x") == 0);
    CU_ASSERT_EQUAL(imap_parser_feed(p, in + pos, sizeof(in) - 1 - pos, &used),
                    IMAP_PARSER_DONE);
    CU_ASSERT_STRING_EQUAL(imap_parser_command(p), "CHECK");
    CU_ASSERT_EQUAL(pos + used, sizeof(in) - 1);
    imap_parser_free(&p);
}

static void test_getters(void)
{
    static const char in[] =
        "a X atom NIL \"str\" {3}\r\nlit (l) ~{3}\r\na\0b {3}\r\na\0b \"NIL\"\r\n";
    struct imap_parser *p = run_one(&lim_std, in, sizeof(in) - 1);
    size_t count, n;
    const struct imap_arg *a = imap_parser_args(p, &count), *l;
    const char *s;
    uint64_t size;

    CU_ASSERT_EQUAL(count, 8);
    CU_ASSERT(imap_arg_get_atom(&a[0], &s) && !strcmp(s, "atom"));
    CU_ASSERT(!imap_arg_get_string(&a[0], &s));
    CU_ASSERT(!imap_arg_get_nstring(&a[0], &s));
    CU_ASSERT(imap_arg_atom_equals(&a[0], "ATOM"));
    CU_ASSERT(!imap_arg_atom_equals(&a[2], "str"));
    CU_ASSERT(imap_arg_get_nstring(&a[1], &s) && s == NULL);
    CU_ASSERT(imap_arg_get_astring(&a[1], &s) && !strcmp(s, "NIL"));
    CU_ASSERT(imap_arg_get_string(&a[2], &s) && !strcmp(s, "str"));
    CU_ASSERT(imap_arg_get_astring(&a[2], &s) && !strcmp(s, "str"));
    CU_ASSERT(!imap_arg_get_atom(&a[2], &s));
    CU_ASSERT(imap_arg_get_nstring(&a[3], &s) && !strcmp(s, "lit"));
    CU_ASSERT(imap_arg_get_literal_size(&a[3], &size) && size == 3);
    CU_ASSERT(!imap_arg_get_literal_size(&a[2], &size));
    CU_ASSERT(imap_arg_get_list(&a[4], &l, &n) && n == 1);
    CU_ASSERT(imap_arg_get_atom(&l[0], &s) && !strcmp(s, "l"));
    CU_ASSERT_EQUAL(l[1].type, IMAP_ARG_EOL);
    CU_ASSERT(!imap_arg_get_list(&a[0], &l, &n));
    CU_ASSERT(!imap_arg_get_astring(&a[4], &s));
    /* literal8 and NUL-containing literals are data, never C strings */
    CU_ASSERT(!imap_arg_get_astring(&a[5], &s));
    CU_ASSERT(!imap_arg_get_string(&a[6], &s));
    CU_ASSERT(!imap_arg_get_nstring(&a[6], &s));
    CU_ASSERT(imap_arg_get_data(&a[5], &s, &n) && n == 3 && !memcmp(s, "a\0b", 3));
    CU_ASSERT(imap_arg_get_data(&a[6], &s, &n) && n == 3);
    CU_ASSERT(!imap_arg_get_data(&a[0], &s, &n));
    CU_ASSERT_EQUAL(a[7].type, IMAP_ARG_STRING);
    CU_ASSERT(imap_arg_get_nstring(&a[7], &s) && s && !strcmp(s, "NIL"));
    CU_ASSERT_EQUAL(a[8].type, IMAP_ARG_EOL);
    imap_parser_free(&p);
}

/* render, then parse the rendering again: same tree */
static void test_render(void)
{
    static const char in[] =
        "a X atom nil \"q\\\"\\\\\" {2}\r\nab (a (b) ~{2+}\r\nx\0) BODY[1 (A)]\r\n";
    static const char rendered[] =
        "atom nil \"q\\\"\\\\\" {2}\r\nab (a (b) ~{2}\r\nx\0) BODY[1 (A)]";
    struct imap_parser *p = run_one(&lim_std, in, sizeof(in) - 1), *q;
    struct buf out = BUF_INIT, line = BUF_INIT, d1 = BUF_INIT, d2 = BUF_INIT;
    size_t count, count2;
    const struct imap_arg *args = imap_parser_args(p, &count);

    imap_args_render(args, count, 0, &out);
    CU_ASSERT_EQUAL(out.len, sizeof(rendered) - 1);
    CU_ASSERT(memcmp(out.s, rendered, sizeof(rendered) - 1) == 0);
    buf_reset(&out);
    imap_args_render(args, count, IMAP_RENDER_NO_DATA, &out);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out),
        "atom nil \"q\\\"\\\\\" {2} (a (b) ~{2}) BODY[1 (A)]");
    buf_reset(&out);
    imap_args_render(args, count, IMAP_RENDER_NONSYNC, &out);
    buf_printf(&line, "t C ");
    buf_append(&line, &out);
    buf_appendcstr(&line, "\r\n");
    q = run_one(&lim_std, line.s, line.len);
    dump_args(&d1, args, count);
    args = imap_parser_args(q, &count2);
    dump_args(&d2, args, count2);
    /* only the sync/nonsync flags differ */
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d2),
        "atom <nil> \"q\\\"\\\\\" {2+}\"ab\" (a (b) ~{2+}\"x\\x00\") BODY[1 (A)]");
    CU_ASSERT_STRING_EQUAL(buf_cstring(&d1),
        "atom <nil> \"q\\\"\\\\\" {2}\"ab\" (a (b) ~{2+}\"x\\x00\") BODY[1 (A)]");
    buf_free(&out);
    buf_free(&line);
    buf_free(&d1);
    buf_free(&d2);
    imap_parser_free(&p);
    imap_parser_free(&q);
}

/* raw lines for AUTHENTICATE / IDLE, then back to commands */
static void test_raw_line(void)
{
    static const char in[] = "dGVzdA==\r\nb NOOP\r\n";
    struct imap_parser *p = imap_parser_new(&lim_line10);
    size_t used, len, pos = 0;
    const char *s;
    int r = 0;

    imap_parser_begin_raw_line(p);
    while (pos < 10) {
        r = imap_parser_feed(p, in + pos, 1, &used);
        pos += used;
        CU_ASSERT_EQUAL(r, pos == 10 ? IMAP_PARSER_DONE : IMAP_PARSER_NEED_MORE);
    }
    s = imap_parser_raw_line(p, &len);
    CU_ASSERT_EQUAL(len, 8);
    CU_ASSERT_STRING_EQUAL(s, "dGVzdA==");
    CU_ASSERT_PTR_NULL(imap_parser_tag(p));
    CU_ASSERT_EQUAL(imap_parser_feed(p, in + pos, sizeof(in) - 1 - pos, &used),
                    IMAP_PARSER_DONE);
    CU_ASSERT_STRING_EQUAL(imap_parser_tag(p), "b");

    /* too long: limit 10, so 10 bytes pass and the 11th fails */
    imap_parser_begin_raw_line(p);
    CU_ASSERT_EQUAL(imap_parser_feed(p, IN("0123456789\r\n"), &used), IMAP_PARSER_DONE);
    imap_parser_begin_raw_line(p);
    CU_ASSERT_EQUAL(imap_parser_feed(p, IN("0123456789A"), &used),
                    IMAP_PARSER_LINE_TOO_LONG);
    /* a raw line is not scanned for literals when skipped */
    CU_ASSERT_EQUAL(imap_parser_skip_line(p, IN("{2+}\r\nb NOOP\r\n"), &used), 1);
    CU_ASSERT_EQUAL(used, 6);
    imap_parser_begin_raw_line(p);
    CU_ASSERT_EQUAL(imap_parser_feed(p, IN("a\0"), &used), IMAP_PARSER_BAD_SYNTAX);
    CU_ASSERT_STRING_EQUAL(imap_parser_error(p), "Invalid character '\\x00' in line");
    imap_parser_free(&p);
}

/* pre-auth limits, then the caller switches after login */
static void test_set_limits(void)
{
    struct imap_parser_limits pre;
    struct buf in = BUF_INIT;
    struct imap_parser *p;
    size_t used;

    imap_parser_limits_preauth(&pre);
    CU_ASSERT_EQUAL(pre.max_args, LIMIT_IMAP_ARGS_PREAUTH);
    CU_ASSERT_EQUAL(pre.max_nesting, LIMIT_IMAP_NESTING_PREAUTH);
    CU_ASSERT(!pre.literal_plus);
    CU_ASSERT_EQUAL(pre.max_quoted, LIMIT_IMAP_QUOTED_PREAUTH);
    CU_ASSERT_EQUAL(pre.max_word, LIMIT_IMAP_WORD_PREAUTH);
    p = imap_parser_new(&pre);
    buf_appendcstr(&in, "a X");
    for (int i = 0; i <= LIMIT_IMAP_ARGS_PREAUTH; i++)
        buf_appendcstr(&in, " a");
    buf_appendcstr(&in, "\r\n");
    CU_ASSERT_EQUAL(imap_parser_feed(p, in.s, in.len, &used), IMAP_PARSER_TOO_MANY_ARGS);
    CU_ASSERT_EQUAL(imap_parser_skip_line(p, in.s + used, in.len - used, &used), 1);
    imap_parser_set_limits(p, &lim_std);
    CU_ASSERT_EQUAL(imap_parser_get_limits(p)->max_args, 50);
    CU_ASSERT_EQUAL(imap_parser_feed(p, in.s, in.len, &used), IMAP_PARSER_DONE);
    CU_ASSERT_EQUAL(used, in.len);
    imap_parser_free(&p);
    buf_free(&in);
}

/* count_args - arguments at every depth */
static size_t count_args(const struct imap_arg *a, size_t count)
{
    size_t n = count;
    for (size_t i = 0; i < count; i++)
        if (a[i].type == IMAP_ARG_LIST)
            n += count_args(a[i].u.list.args, a[i].u.list.count);
    return n;
}

/* the arena stays within the bound documented in imap_parser.h for the
 * worst shapes (tiny args, empty lists, deep lists, a big literal), and is
 * freed on reset */
static void test_memory(void)
{
    static const struct imap_parser_limits lim = {
        .max_line = 1000, .max_literal = 1000, .max_literal_total = 1000,
        .max_nesting = 40, .max_args = 1000, .literal_plus = true,
    };
    static const char *const shapes[] = { " ()", " \"\"", " a", " ((((((((()))))))))" };

    for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
        struct buf in = BUF_INIT;
        struct imap_parser *p;
        size_t count, nargs, bound;
        const struct imap_arg *args;

        buf_appendcstr(&in, "a X {1000+}\r\n");
        buf_truncate(&in, in.len + 1000);
        while (in.len + strlen(shapes[k]) <= 1000 + 1000 + 2) /* CRLF */
            buf_appendcstr(&in, shapes[k]);
        buf_appendcstr(&in, "\r\n");
        p = run_one(&lim, in.s, in.len);
        args = imap_parser_args(p, &count);
        nargs = count_args(args, count);
        CU_ASSERT(nargs > 100);
        bound = 2 * lim.max_line + 12 * sizeof(struct imap_arg) * (nargs + 1) +
                1000 + 4096;
        CU_ASSERT(imap_parser_memory_used(p) < bound);
        CU_ASSERT(imap_parser_memory_used(p) >= 1000);
        imap_parser_reset(p);
        CU_ASSERT_EQUAL(imap_parser_memory_used(p), 0);
        imap_parser_free(&p);
        buf_free(&in);
    }
}

const char *cunit_suite_name = "imap_parser";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "table", test_table },
    { "literal_minus", test_literal_minus },
    { "resync", test_resync },
    { "resync_fatal", test_resync_fatal },
    { "pipeline", test_pipeline },
    { "getters", test_getters },
    { "render", test_render },
    { "raw_line", test_raw_line },
    { "set_limits", test_set_limits },
    { "memory", test_memory },
    CU_TEST_INFO_NULL,
};
