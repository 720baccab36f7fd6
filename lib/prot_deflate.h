/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prot_deflate.h - COMPRESS=DEFLATE (RFC 4978) as a struct prot codec.
 *
 * Raw deflate (zlib windowBits -15) in both directions.  Every prot_flush()
 * ends with Z_SYNC_FLUSH, so each reply the application flushes reaches the
 * peer whole and interactive protocols never stall; inflated output is
 * produced at most LIMIT_PROT_BUFSIZE at a time, so a "zip bomb" costs CPU
 * but no memory.  Layering: above TLS, and never together with a SASL
 * security layer (prot_set_codec refuses a second codec).
 */
#ifndef LIB_PROT_DEFLATE_H
#define LIB_PROT_DEFLATE_H

#include "lib/prot.h"

/* prot_deflate_start - start compressing both directions of p.  Call it
 * right after sending (server: the tagged OK) or receiving (client: the
 * OK) the COMPRESS response: pending output is flushed uncompressed
 * first.  level is a zlib level (-1 = default).  1 ok, -1 with *error_r
 * (static storage) when a codec is already active or zlib fails. */
int prot_deflate_start(struct prot *p, int level, const char **error_r);

#endif /* LIB_PROT_DEFLATE_H */
