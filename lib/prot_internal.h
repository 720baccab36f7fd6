/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prot_internal.h - the layout of struct prot, shared only by lib/prot.c
 * and lib/prot_util.c.  Nothing else may include this file.
 *
 * Input:  fd -> transport -> raw[rawpos..] (only with a codec) -> codec
 *         -> in[ipos..] -> application.
 * Output: application -> out[0..outlen) -> codec -> wire[wirepos..]
 *         -> transport -> fd.
 */
#ifndef LIB_PROT_INTERNAL_H
#define LIB_PROT_INTERNAL_H

#include "lib/buf.h"
#include "lib/prot.h"

struct prot {
    int fd;
    int nonblock;      /* reads never wait */
    int wnonblock;     /* writes never wait: output queues in wire */
    int read_timeout;  /* seconds, 0 = none */
    int write_timeout;

    struct buf in;     /* decoded input */
    size_t ipos;       /* next unread byte of in */
    struct buf raw;    /* transport input not yet decoded (codec only) */
    size_t rawpos;
    int skip_line;     /* prot_getline stopped inside an over-long line */

    char *out;         /* LIMIT_PROT_BUFSIZE bytes of application output */
    size_t outlen;
    struct buf wire;   /* encoded output not yet written */
    size_t wirepos;

    const struct prot_transport *tr;
    void *tr_rock;
    const struct prot_codec *codec;
    void *codec_rock;

    enum prot_state rstate; /* sticky read state */
    int wfailed;            /* sticky write failure */
    char *error;            /* first failure message */

    struct prot_stats stats;
    struct buf scratch;     /* prot_printf formatting */
};

/* prot_fill - make decoded input available, waiting if wait is set.
 * 1 input buffered, PROT_AGAIN (only when !wait), PROT_FAIL. */
int prot_fill(struct prot *p, int wait);
/* prot_input_ready - buffered input anywhere, or a failed read side. */
int prot_input_ready(const struct prot *p);

#endif /* LIB_PROT_INTERNAL_H */
