/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch_items.h - the FETCH item list (RFC 3501 6.4.5, RFC 3516 BINARY,
 * RFC 7162 MODSEQ / CHANGEDSINCE / VANISHED) parsed once per command into
 * a plan that imap/fetch_render.c applies to every message.
 *
 * Parsing is pure (no session, no mailbox) so it is unit-tested on its
 * own; syntax errors come back as a static text for a BAD reply.  Section
 * specs are checked here (so a bad one is BAD before any message is
 * touched) and canonicalised: keywords and header field names upper case,
 * one space between names, which is also what the response echoes
 * ("BODY[HEADER.FIELDS (FROM TO)]").
 */
#ifndef IMAP_FETCH_ITEMS_H
#define IMAP_FETCH_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/imap_parser.h"

/* Simple items (bits of fetch_plan.items). */
#define FETCH_UID           0x0001u
#define FETCH_FLAGS         0x0002u
#define FETCH_INTERNALDATE  0x0004u
#define FETCH_RFC822_SIZE   0x0008u
#define FETCH_ENVELOPE      0x0010u
#define FETCH_BODY          0x0020u  /* BODY (non-extensible BODYSTRUCTURE) */
#define FETCH_BODYSTRUCTURE 0x0040u
#define FETCH_MODSEQ        0x0080u

/* Items needing the cache record / the message file. */
#define FETCH_NEEDS_CACHE (FETCH_ENVELOPE | FETCH_BODY | FETCH_BODYSTRUCTURE)

/* Most section items in one FETCH (a client listing more is broken). */
#define FETCH_MAX_SECTIONS 64

enum fetch_section_kind {
    FETCH_SEC_BODY,        /* BODY[...] / BODY.PEEK[...] / RFC822* */
    FETCH_SEC_BINARY,      /* BINARY[...] / BINARY.PEEK[...] */
    FETCH_SEC_BINARY_SIZE, /* BINARY.SIZE[...] */
};

/* One body item.  spec is the canonical text between the brackets (what
 * message_section_resolve takes); name is the response label without the
 * partial, e.g. "BODY[1.MIME]" or "RFC822.HEADER". */
struct fetch_section {
    enum fetch_section_kind kind;
    bool peek;               /* does not set \Seen */
    char *spec;              /* NUL-terminated, owned */
    char *name;              /* NUL-terminated, owned */
    bool partial;            /* <origin.count> given */
    uint64_t origin, count;
};

struct fetch_plan {
    unsigned items;          /* FETCH_* bits */
    struct fetch_section *sections;
    size_t nsections;
    bool sets_seen;          /* some section item without PEEK */
    bool changedsince_set;   /* CHANGEDSINCE modifier (RFC 7162) */
    uint64_t changedsince;
    bool vanished;           /* VANISHED modifier (QRESYNC, UID FETCH) */
};

/* fetch_plan_parse - parse the item argument of FETCH (a macro, one item
 * atom, or a list of item atoms) and the optional modifier list
 * (mods may be NULL) into *plan (zeroed first).  uid: the command came as
 * UID FETCH, which adds FETCH_UID and allows VANISHED.  CHANGEDSINCE adds
 * FETCH_MODSEQ.  Returns 1, or -1 with *error_r (static text) and *plan
 * empty.  Free with fetch_plan_fini. */
int fetch_plan_parse(const struct imap_arg *items, const struct imap_arg *mods,
                     bool uid, struct fetch_plan *plan, const char **error_r);

/* fetch_plan_fini - free what plan holds; zero it. */
void fetch_plan_fini(struct fetch_plan *plan);

/* fetch_section_canon - check a BODY section spec s[0..len) (the text
 * between the brackets) and append its canonical form to out.  binary:
 * only a part number ("", "1.2") is allowed (RFC 3516 section-binary).
 * 1 ok, -1 with *error_r. */
struct buf;
int fetch_section_canon(const char *s, size_t len, bool binary,
                        struct buf *out, const char **error_r);

#endif /* IMAP_FETCH_ITEMS_H */
