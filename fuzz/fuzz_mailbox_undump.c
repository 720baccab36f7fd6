/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_mailbox_undump.c - libFuzzer harness for the XFER dump reader
 * (imap/mailbox_undump.c): the bytes another backend sends with
 * XFERRECV, so a malformed or hostile dump must be refused cleanly.
 *
 * The first input byte chooses how the rest is cut into feeds (1 to 256
 * bytes each), so field and literal boundaries fall everywhere; every
 * callback accepts what it is given and touches the data it points to.
 * Then finish and free.  Bugs show up as sanitizer reports or leaks;
 * refusals are expected (FUZZ_VERBOSE=1 prints the reader's verdict, for
 * building the corpus).
 * Run: ./fuzz/fuzz_mailbox_undump -max_total_time=60 fuzz/corpus/mailbox_undump
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/mailbox_dump.h"
#include "imap/mboxlist.h"
#include "imap/seen.h"
#include "lib/strarray.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the callbacks saw, so the compiler keeps the reads. */
static volatile size_t sink;

static int on_header(void *rock, struct mailbox_dump_header *h,
                     const char **error_r)
{
    (void)rock, (void)error_r;
    sink += strlen(h->name) + h->uidvalidity + h->uidnext;
    if (h->entry)
        sink += strlen(h->entry->name ? h->entry->name : "");
    return 0;
}

static int on_quota(void *rock, const int64_t limits[QUOTA_NUMRESOURCES],
                    const char **error_r)
{
    (void)rock, (void)error_r;
    for (int i = 0; i < QUOTA_NUMRESOURCES; i++)
        sink += (size_t)limits[i];
    return 0;
}

static int on_msg_begin(void *rock, const struct mailbox_dump_msg *m,
                        const char **error_r)
{
    (void)rock, (void)error_r;
    sink += m->uid + m->size;
    for (size_t i = 0; m->user_flags && i < (size_t)m->user_flags->count; i++)
        sink += strlen(strarray_nth(m->user_flags, i));
    return 0;
}

static int on_msg_data(void *rock, const void *p, size_t n, const char **error_r)
{
    (void)rock, (void)error_r;
    if (n)
        sink += ((const unsigned char *)p)[n - 1];
    return 0;
}

static int on_msg_end(void *rock, const char **error_r)
{
    (void)rock, (void)error_r;
    return 0;
}

static int on_seen(void *rock, const char *uniqueid, const struct seen_data *sd,
                   const char **error_r)
{
    (void)rock, (void)error_r;
    sink += strlen(uniqueid) + sd->lastuid;
    return 0;
}

static int on_sub(void *rock, const char *name, const char **error_r)
{
    (void)rock, (void)error_r;
    sink += strlen(name);
    return 0;
}

static const struct mailbox_undump_ops ops = {
    on_header, on_quota, on_msg_begin, on_msg_data, on_msg_end, on_seen,
    on_sub, on_seen,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mailbox_undump *u;
    const char *err = NULL;
    size_t chunk, pos = 0;

    if (size < 1)
        return 0;
    chunk = (size_t)data[0] + 1;
    data++, size--;
    u = mailbox_undump_new(&ops, NULL);
    while (pos < size) {
        size_t n = size - pos < chunk ? size - pos : chunk;

        if (mailbox_undump_feed(u, data + pos, n, &err) < 0)
            break;
        pos += n;
    }
    if (pos >= size && mailbox_undump_finish(u, &err) == 0)
        err = NULL;
    else if (!err)
        err = "refused";
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "undump: %s\n", err ? err : "complete");
    mailbox_undump_free(&u);
    return 0;
}
