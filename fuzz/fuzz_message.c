/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_message.c - libFuzzer harness for the message parser
 * (imap/message*.c) and imap/charset*.c.
 *
 * Each input is parsed as a message (from an exact-size copy, so reads
 * past the end are caught); BODY, BODYSTRUCTURE, a set of sections and
 * BINARY are produced; the cache record must decode to the same record;
 * the input is also fed to the record decoder and the header decoders.
 * Bugs show up as sanitizer reports, leaks or abort().
 * Run: ./fuzz/fuzz_message -max_total_time=60 fuzz/corpus/message
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/charset.h"
#include "imap/message.h"
#include "imap/message_section.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const specs[] = {
    "", "1", "2", "1.1", "1.2", "2.1", "1.MIME", "2.MIME", "HEADER", "TEXT",
    "1.HEADER", "2.TEXT", "1.1.1", "2.1.HEADER.FIELDS (From Subject)",
    "HEADER.FIELDS.NOT (Received Content-Type)",
};

/* check_tree - every range lies in the message */
static void check_tree(const struct message_part *p, uint64_t len)
{
    if (p->body_offset + p->body_size > len ||
        p->header_offset + p->header_size != p->body_offset)
        abort();
    for (size_t i = 0; i < p->nchildren; i++)
        check_tree(p->children[i], len);
}

/* sections - resolve each spec and decode it */
static void sections(const struct message *m, const char *base, size_t len)
{
    struct buf out = BUF_INIT;

    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        struct message_section sec = MESSAGE_SECTION_INIT;
        const char *err, *p;
        size_t n;
        if (message_section_resolve(m->root, base, len, specs[i], strlen(specs[i]),
                                    &sec, &err) == 1) {
            message_section_data(&sec, base, len, &p, &n);
            if (sec.kind == MESSAGE_SECTION_RANGE && (p < base || p + n > base + len))
                abort();
            buf_reset(&out);
            (void)message_section_binary(&sec, base, len, &out);
        }
        message_section_fini(&sec);
    }
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = xmemdup(data, size);
    struct buf a = BUF_INIT, b = BUF_INIT;
    const char *err;

    struct message *m = message_parse(copy, size);
    if (m->nparts > MESSAGE_MAX_PARTS)
        abort();
    check_tree(m->root, size);
    message_body_write(m->root, 0, &a);
    message_body_write(m->root, 1, &a);
    sections(m, copy, size);
    buf_reset(&a);
    message_cache_encode(m, &a);
    struct message *d = message_cache_decode(a.s, a.len, &err);
    if (!d)
        abort();
    message_cache_encode(d, &b);
    if (buf_cmp(&a, &b))
        abort();
    message_free(&d);
    message_free(&m);

    /* the input as a cache record, and as header text */
    d = message_cache_decode(copy, size, &err);
    if (d)
        sections(d, copy, size);
    message_free(&d);
    buf_reset(&a);
    (void)charset_decode_mimeheader(copy, size, &a);
    buf_reset(&b);
    charset_search_normalize(a.s ? a.s : "", a.len, &b);
    buf_reset(&a);
    (void)message_address_write(copy, size, &a);
    free(copy);
    buf_free(&a);
    buf_free(&b);
    return 0;
}
