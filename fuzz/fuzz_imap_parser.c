/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_imap_parser.c - libFuzzer harness for lib/imap_parser.c.
 *
 * The first two input bytes choose the limits (small or large line, literal
 * and argument limits, LITERAL+ or LITERAL-, 8-bit, streaming) and a chunk
 * size; the rest is a client byte stream.  It is parsed twice, once in
 * those chunks and once one byte at a time, acting as imapd would
 * (continuations, streamed literals, skip_line after errors); the two
 * transcripts must be identical.  Every complete command is checked for
 * tree invariants and limits, and its rendering must re-parse to the same
 * rendering.  Violations abort().
 * Run: ./fuzz/fuzz_imap_parser -max_total_time=60 -dict=fuzz/imap_parser.dict \
 *          fuzz/corpus/imap_parser
 */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/imap_parser.h"
#include "lib/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond) do { if (!(cond)) abort(); } while (0)

/* pick_limits - limits from one selector byte */
static void pick_limits(uint8_t sel, struct imap_parser_limits *l)
{
    memset(l, 0, sizeof(*l));
    l->max_line = (sel & 1) ? 40 : 2000;
    l->max_literal = (sel & 2) ? 16 : 5000;
    l->max_literal_total = (sel & 4) ? 24 : 10000;
    l->max_nesting = (sel & 8) ? 2 : 8;
    l->max_args = (sel & 16) ? 5 : 500;
    l->literal_plus = (sel & 32) != 0;
    l->allow_8bit_quoted = (sel & 64) != 0;
    l->stream_threshold = (sel & 128) ? 8 : 0;
    l->max_quoted = (sel & 1) ? 12 : 0;
    l->max_word = (sel & 2) ? 12 : 0;
}

/* walk - tree invariants; returns whether a streamed literal was seen */
static bool walk(const struct imap_arg *a, size_t count, unsigned depth,
                 const struct imap_parser_limits *l, size_t *nargs)
{
    bool streamed = false;
    check(depth <= l->max_nesting);
    for (size_t i = 0; i < count; i++) {
        (*nargs)++;
        switch (a[i].type) {
        case IMAP_ARG_NIL:
        case IMAP_ARG_ATOM:
            check(a[i].u.str.len > 0 && strlen(a[i].u.str.s) == a[i].u.str.len);
            break;
        case IMAP_ARG_STRING:
            check(strlen(a[i].u.str.s) == a[i].u.str.len);
            break;
        case IMAP_ARG_LITERAL:
            check(a[i].u.str.len <= l->max_literal);
            check(a[i].u.str.s[a[i].u.str.len] == '\0');
            break;
        case IMAP_ARG_LIST:
            streamed |= walk(a[i].u.list.args, a[i].u.list.count, depth + 1, l, nargs);
            break;
        case IMAP_ARG_LITERAL_SIZE:
            check(l->stream_threshold && a[i].u.literal_size > l->stream_threshold);
            check(a[i].u.literal_size <= l->max_literal);
            streamed = true;
            break;
        case IMAP_ARG_EOL:
            abort();
        }
    }
    check(a[count].type == IMAP_ARG_EOL);
    return streamed;
}

/* roundtrip - render the args, parse "t C <rendering>", render again */
static void roundtrip(const struct imap_arg *args, size_t count)
{
    static const struct imap_parser_limits big = {
        .max_line = 1 << 20, .max_literal = 1 << 20, .max_literal_total = 1 << 20,
        .max_nesting = 64, .max_args = 1 << 20, .literal_plus = true,
        .allow_8bit_quoted = true,
    };
    struct buf r1 = BUF_INIT, r2 = BUF_INIT, line = BUF_INIT;
    struct imap_parser *q = imap_parser_new(&big);
    const struct imap_arg *args2;
    size_t used, count2;

    imap_args_render(args, count, IMAP_RENDER_NONSYNC, &r1);
    buf_appendcstr(&line, count ? "t C " : "t C");
    buf_append(&line, &r1);
    buf_appendcstr(&line, "\r\n");
    check(imap_parser_feed(q, line.s, line.len, &used) == IMAP_PARSER_DONE);
    check(used == line.len);
    args2 = imap_parser_args(q, &count2);
    check(count2 == count);
    imap_args_render(args2, count2, IMAP_RENDER_NONSYNC, &r2);
    check(buf_cmp(&r1, &r2) == 0);
    imap_parser_free(&q);
    buf_free(&r1);
    buf_free(&r2);
    buf_free(&line);
}

/* on_done - invariants of a complete command, appended to the transcript */
static void on_done(struct imap_parser *p, struct buf *ts)
{
    const struct imap_parser_limits *l = imap_parser_get_limits(p);
    size_t count, nargs = 0;
    const struct imap_arg *args = imap_parser_args(p, &count);
    bool streamed;

    check(imap_parser_tag(p) && imap_parser_command(p));
    check(imap_parser_error(p) == NULL);
    streamed = walk(args, count, 0, l, &nargs);
    check(nargs <= l->max_args);
    /* the bound documented in imap_parser.h */
    check(imap_parser_memory_used(p) <
          2 * l->max_line + 12 * sizeof(struct imap_arg) * (nargs + 1) +
          l->max_literal_total + 4096);
    buf_printf(ts, "D[%s %s ", imap_parser_tag(p), imap_parser_command(p));
    imap_args_render(args, count, 0, ts);
    buf_putc(ts, ']');
    if (!streamed)
        roundtrip(args, count);
}

/* on_error - the message is printable ASCII; resynchronise.  Returns the
 * new position, or len when the connection would be closed. */
static size_t on_error(struct imap_parser *p, const uint8_t *d, size_t len,
                       size_t pos, size_t chunk, struct buf *ts)
{
    const char *msg = imap_parser_error(p);
    size_t used;

    check(msg && *msg);
    for (const char *s = msg; *s; s++)
        check(*s >= 0x20 && *s < 0x7f);
    buf_printf(ts, "E[%s]", msg);
    if (imap_parser_error_is_fatal(p))
        return len;
    for (;;) {
        size_t n = len - pos < chunk ? len - pos : chunk;
        int r = imap_parser_skip_line(p, d + pos, n, &used);
        check(used <= n);
        pos += used;
        if (r == 1) {
            check(imap_parser_error(p) == NULL);
            buf_printf(ts, "K%zu", pos);
            return pos;
        }
        if (r < 0) {
            buf_appendcstr(ts, "F");
            return len;
        }
        check(used == n);
        if (pos == len)
            return len;
    }
}

/* run - parse the whole stream in chunks, recording a transcript */
static void run(const struct imap_parser_limits *l, const uint8_t *d,
                size_t len, size_t chunk, struct buf *ts)
{
    struct imap_parser *p = imap_parser_new(l);
    size_t pos = 0, used;

    while (pos < len) {
        size_t n = len - pos < chunk ? len - pos : chunk;
        int r = imap_parser_feed(p, d + pos, n, &used);
        check(used <= n);
        pos += used;
        switch (r) {
        case IMAP_PARSER_NEED_MORE:
            check(used == n);
            break;
        case IMAP_PARSER_LITERAL_CONTINUATION:
            buf_printf(ts, "C%zu", pos);
            break;
        case IMAP_PARSER_LITERAL_STREAM: {
            uint64_t sz = imap_parser_stream_size(p);
            check(l->stream_threshold && sz > l->stream_threshold);
            buf_printf(ts, "S%zu:%" PRIu64, pos, sz);
            if (sz > len - pos) {
                pos = len;
                break;
            }
            pos += (size_t)sz;
            imap_parser_literal_streamed(p);
            break;
        }
        case IMAP_PARSER_DONE:
            buf_printf(ts, "@%zu", pos);
            on_done(p, ts);
            break;
        default:
            check(r < 0 && r >= IMAP_PARSER_TOKEN_TOO_LONG);
            pos = on_error(p, d, len, pos, chunk, ts);
            break;
        }
    }
    imap_parser_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct imap_parser_limits l;
    struct buf t1 = BUF_INIT, t2 = BUF_INIT;
    size_t chunk;

    if (size < 2)
        return 0;
    pick_limits(data[0], &l);
    chunk = data[1] ? data[1] : SIZE_MAX;
    run(&l, data + 2, size - 2, chunk, &t1);
    run(&l, data + 2, size - 2, 1, &t2);
    check(buf_cmp(&t1, &t2) == 0);
    buf_free(&t1);
    buf_free(&t2);
    return 0;
}
