/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_mutf7.c - libFuzzer harness for modified UTF-7 (imap/mutf7.c) and
 * the mailbox-name conversions built on it (imap/mboxname*.c).
 *
 * Properties checked (abort on violation): a name mutf7_decode accepts
 * re-encodes to exactly the input; UTF-8 mutf7_encode accepts decodes back
 * to exactly the input; an external name mboxname_to_internal accepts
 * passes mboxname_policycheck and maps back to a name that maps to the
 * same internal name.
 * Run: ./fuzz/fuzz_mutf7 -max_total_time=60
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/mboxname.h"
#include "imap/mutf7.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_names - the external/internal round trip under one namespace */
static void check_names(const struct namespace *ns, const char *name)
{
    char *in = NULL, *in2 = NULL, *ext;

    if (mboxname_to_internal(ns, name, "alice", &in, NULL) < 0)
        return;
    if (mboxname_policycheck(in, NULL) < 0)
        abort();
    ext = mboxname_to_external(ns, in, "alice");
    if (!ext || mboxname_to_internal(ns, ext, "alice", &in2, NULL) < 0 ||
        strcmp(in, in2) != 0)
        abort();
    free(in);
    free(in2);
    free(ext);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf a = BUF_INIT, b = BUF_INIT;
    const char *s = (const char *)data;
    struct namespace ns;
    char *name;

    if (mutf7_decode(s, size, &a, NULL) > 0) {
        if (mutf7_encode(a.s, a.len, &b, NULL) < 0 || b.len != size ||
            (size && memcmp(b.s, s, size) != 0))
            abort();
    }
    buf_reset(&a);
    buf_reset(&b);
    if (mutf7_encode(s, size, &a, NULL) > 0) {
        if (mutf7_decode(a.s, a.len, &b, NULL) < 0 || b.len != size ||
            (size && memcmp(b.s, s, size) != 0))
            abort();
    }
    buf_free(&a);
    buf_free(&b);

    if (size > 600 || memchr(s, '\0', size))
        return 0;
    name = xstrndup(s, size);
    for (int alt = 0; alt < 2; alt++)
        for (int unixsep = 0; unixsep < 2; unixsep++) {
            namespace_init(&ns, alt, unixsep, 0, 0, NULL, NULL, NULL, NULL);
            check_names(&ns, name);
        }
    free(name);
    return 0;
}
