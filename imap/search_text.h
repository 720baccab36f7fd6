/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search_text.h - the text of a message as SEARCH compares it: header
 * field values and decoded body text, in search form.
 *
 * Works on a mapped message file base[0..len) and its part tree (from the
 * cache record); search_eval.c and THREAD (References) call it.  Nothing
 * fails: malformed mail gives whatever text could be read.
 */
#ifndef IMAP_SEARCH_TEXT_H
#define IMAP_SEARCH_TEXT_H

#include <stddef.h>

#include "imap/message.h"
#include "lib/buf.h"
#include "lib/strarray.h"

/* search_text_fields - append the unfolded raw value of every field
 * named name (case-insensitive) in the header block hdr[0..len) to
 * values, in order (leading blanks dropped, CRLF folds joined). */
void search_text_fields(const char *hdr, size_t len, const char *name,
                        struct strarray *values);

/* search_text_header - append the whole header block hdr[0..len) to out:
 * unfolded, RFC 2047 decoded, in search form (for TEXT). */
void search_text_header(const char *hdr, size_t len, struct buf *out);

/* search_text_body - append the body text of the message rooted at root
 * (base[0..len) is the whole file) to out in search form: every text
 * part with its Content-Transfer-Encoding removed and its charset
 * converted to UTF-8, and the headers of encapsulated messages; parts are
 * separated by a NUL byte, so no match spans two of them. */
void search_text_body(const struct message_part *root, const char *base,
                      size_t len, struct buf *out);

/* search_text_contains - 1 when the search-form needle[0..nlen) occurs
 * in hay[0..hlen) (an empty needle always does), else 0. */
int search_text_contains(const char *hay, size_t hlen, const char *needle,
                         size_t nlen);

#endif /* IMAP_SEARCH_TEXT_H */
