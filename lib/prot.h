/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prot.h - the buffered protocol stream every daemon and client talks through.
 *
 * Design: one bidirectional struct prot per connection (not one per
 * direction as in Cyrus).  TLS, the SASL security layer and COMPRESS are
 * properties of the connection, negotiated once and applied to both
 * directions at the same protocol point; keeping them in one object means a
 * layer is installed exactly once, cannot be half-installed, and is freed
 * exactly once.  The read and write sides keep separate sticky states, so
 * a peer that half-closes still gets our "BYE".
 *
 * Layers, outermost (wire) first:
 *     fd  <->  transport (plain fd, or TLS)  <->  codec (deflate OR SASL)  <->  application
 * The transport moves bytes to and from the fd (struct prot_transport); a
 * codec transforms them (struct prot_codec).  At most one codec: RFC 4978
 * forbids COMPRESS over a SASL security layer and we never stack them.
 * prot.c itself knows nothing of OpenSSL, zlib or cyrus-sasl; lib/tls_*.c,
 * lib/prot_deflate.c and lib/xsasl_*.c supply the vtables.
 *
 * The fd is switched to O_NONBLOCK by prot_new(); blocking behaviour and the
 * read/write timeouts are implemented with poll().  The fd is not closed by
 * prot_free().  The process must ignore SIGPIPE (the service skeleton does):
 * a peer that resets the connection then shows up as a write error.
 *
 * Errors: the read side becomes EOF, TIMEOUT or ERROR and stays so (sticky);
 * a failed write makes the write side fail for good.  prot_error() gives the
 * first failure's message.  Not thread-safe (no threads in this design).
 */
#ifndef LIB_PROT_H
#define LIB_PROT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/buf.h"

struct prot;

/* Return conventions for the read functions below. */
#define PROT_AGAIN    0    /* non-blocking mode: nothing (complete) yet */
#define PROT_FAIL     (-1) /* EOF, timeout or error: see prot_state() */
#define PROT_TOOLONG  (-2) /* prot_getline: the line exceeds max */

/* prot_getc's extra result besides PROT_FAIL (-1): would block. */
#define PROT_GETC_AGAIN (-2)

enum prot_state {
    PROT_STATE_OK = 0,
    PROT_STATE_EOF,     /* the peer closed its side cleanly */
    PROT_STATE_TIMEOUT, /* no data within the read timeout */
    PROT_STATE_ERROR,   /* I/O, TLS or decoding failure */
};

/* I/O results of a transport's read/write (besides a positive count). */
#define PROT_IO_EOF         0
#define PROT_IO_ERROR       (-1)
#define PROT_IO_WANT_READ   (-2) /* retry when the fd is readable */
#define PROT_IO_WANT_WRITE  (-3) /* retry when the fd is writable */

/* A transport moves bytes between the fd and the stream (TLS is one).
 * read/write return a byte count > 0 or one of PROT_IO_*; on
 * PROT_IO_ERROR *error_r is a message valid until the next call.  pending
 * is true when bytes are readable without touching the fd.  free releases
 * rock (called by prot_free). */
struct prot_transport {
    const char *name;
    ssize_t (*read)(void *rock, int fd, void *p, size_t n, const char **error_r);
    ssize_t (*write)(void *rock, int fd, const void *p, size_t n,
                     const char **error_r);
    int (*pending)(void *rock);
    void (*free)(void *rock);
};

/* A codec transforms the byte stream (deflate, SASL security layer).
 * encode appends to out the encoding of in[0..n); sync is set at every
 * prot_flush(), when everything given so far must become decodable by the
 * peer (deflate: Z_SYNC_FLUSH).  decode consumes a prefix of in[0..n)
 * (*used_r) and appends at most max bytes to out; it may keep state (a
 * partial packet) between calls.  pending is true when decode can produce
 * output with no further input.  All return 1 ok / -1 with *error_r. */
struct prot_codec {
    const char *name;
    int (*encode)(void *rock, const void *in, size_t n, int sync,
                  struct buf *out, const char **error_r);
    int (*decode)(void *rock, const void *in, size_t n, size_t *used_r,
                  struct buf *out, size_t max, const char **error_r);
    int (*pending)(void *rock);
    void (*free)(void *rock);
};

/* Per-stream byte counters.  in/out are application bytes; wire_in and
 * wire_out are what crossed the fd (after TLS/codec). */
struct prot_stats {
    uint64_t in, out;
    uint64_t wire_in, wire_out;
};

/* prot_new - a stream over the connected fd (made O_NONBLOCK).  No timeout
 * until prot_set_timeouts().  Never fails. */
struct prot *prot_new(int fd);
/* prot_free - flush nothing, free layers and buffers, NULL *pp.  Does not
 * close the fd.  Call prot_flush() first if output matters. */
void prot_free(struct prot **pp);

/* prot_set_timeouts - idle read and write timeouts in seconds (0 = none).
 * A read that sees no data for read_s seconds fails with
 * PROT_STATE_TIMEOUT; a write blocked for write_s seconds fails too. */
void prot_set_timeouts(struct prot *p, int read_s, int write_s);
/* prot_set_nonblocking - in non-blocking mode reads never wait: prot_getc
 * returns PROT_GETC_AGAIN, prot_getline/prot_read PROT_AGAIN when nothing
 * (complete) is buffered.  Writes are unaffected. */
void prot_set_nonblocking(struct prot *p, int on);
/* prot_set_write_nonblocking - for event loops (mupdate): writes never
 * wait.  What the fd cannot take stays queued in the stream;
 * prot_flush() then returns PROT_AGAIN and the loop polls the fd for
 * POLLOUT and calls prot_flush() again.  The queue is unbounded: the loop
 * must drop a peer whose prot_pending_output() grows too large.  The
 * write timeout does not apply. */
void prot_set_write_nonblocking(struct prot *p, int on);

int prot_fd(const struct prot *p);
/* prot_state - the read side's state. */
enum prot_state prot_state(const struct prot *p);
/* prot_error - the first failure's message, or NULL; valid until
 * prot_free. */
const char *prot_error(const struct prot *p);
void prot_get_stats(const struct prot *p, struct prot_stats *st_r);
/* prot_mem_usage - bytes of buffer this stream holds (tests, diagnostics). */
size_t prot_mem_usage(const struct prot *p);

/* ---- reading ---- */

/* prot_getc - the next byte (0..255), PROT_FAIL, or PROT_GETC_AGAIN in
 * non-blocking mode. */
int prot_getc(struct prot *p);
/* prot_ungetc - push back the byte just returned by prot_getc (only one,
 * and only before any other read).  Misuse panics. */
void prot_ungetc(struct prot *p, int c);
/* prot_peek - the next byte without consuming it; results as prot_getc. */
int prot_peek(struct prot *p);
/* prot_read - up to n bytes into dst: > 0 the count (waits for at least
 * one byte unless non-blocking), PROT_AGAIN, or PROT_FAIL. */
ssize_t prot_read(struct prot *p, void *dst, size_t n);
/* prot_read_exact - exactly n bytes, always waiting (timeouts apply):
 * 1 done, PROT_FAIL (EOF before n bytes counts as failure). */
int prot_read_exact(struct prot *p, void *dst, size_t n);
/* prot_getline - read one line, appending to *line WITHOUT its CRLF (or
 * bare LF).  max is the most content bytes accepted (clamped to
 * LIMIT_PROT_LINE_HARD); a line of exactly max bytes is fine.
 * Returns 1 a complete line; PROT_AGAIN (non-blocking only: the partial line
 * stays in *line; call again with the same buffer); PROT_FAIL; PROT_TOOLONG:
 * *line holds a prefix, the stream is still usable and prot_skipline()
 * discards the rest of that line.  The line may contain NUL bytes.
 * Start each new line with an empty *line. */
int prot_getline(struct prot *p, struct buf *line, size_t max);
/* prot_skipline - discard through the end of an over-long line reported
 * by prot_getline (no-op if it already ended).  1 done, PROT_AGAIN,
 * PROT_FAIL. */
int prot_skipline(struct prot *p);
/* prot_available - decoded bytes buffered now (no I/O). */
size_t prot_available(const struct prot *p);
/* prot_unread_raw - input held anywhere in the stream that the
 * application has not consumed: decoded, undecoded, or inside the
 * transport.  Used to refuse STARTTLS over buffered plaintext. */
size_t prot_unread_raw(const struct prot *p);
/* prot_fill_nb - for event loops: read what the fd has without waiting.
 * 1 data is buffered, PROT_AGAIN nothing yet, PROT_FAIL. */
int prot_fill_nb(struct prot *p);

/* ---- writing ----
 * Output is buffered (LIMIT_PROT_BUFSIZE) and written when the buffer
 * fills or on prot_flush.  All return 1 ok or PROT_FAIL (sticky); in
 * write-non-blocking mode output the fd cannot take is queued instead. */
int prot_write(struct prot *p, const void *data, size_t n);
int prot_puts(struct prot *p, const char *s);
int prot_printf(struct prot *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int prot_vprintf(struct prot *p, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* prot_printliteral - "{n}\r\n" then the n bytes (a server-side or
 * LITERAL+ style literal; the caller handles synchronisation). */
int prot_printliteral(struct prot *p, const void *data, size_t n);
/* prot_printstring - s as an IMAP/MUPDATE quoted string when it is short
 * and holds no CR, LF, NUL or 8-bit byte, otherwise as a literal. */
int prot_printstring(struct prot *p, const char *s);
/* prot_flush - write everything buffered (codecs sync-flush).  1 all
 * written; PROT_AGAIN output still queued (write-non-blocking mode only);
 * PROT_FAIL. */
int prot_flush(struct prot *p);
/* prot_pending_output - bytes written by the application not yet on the wire. */
size_t prot_pending_output(const struct prot *p);

/* ---- relaying and waiting ---- */

/* prot_relay - copy exactly n bytes from `from` to `to` (a literal), in
 * chunks of at most LIMIT_PROT_BUFSIZE; memory stays bounded whatever n
 * is.  Output is not flushed at the end.  1 done; -1 with *error_r
 * naming the side that failed (static storage). */
int prot_relay(struct prot *from, struct prot *to, uint64_t n,
               const char **error_r);

/* One entry of a prot_wait set: a stream, or (prot == NULL) a plain fd
 * such as a notification pipe.  ready is set on return. */
struct prot_waitent {
    struct prot *prot;
    int fd;
    int ready;
};
/* prot_wait - flush every stream in the set, then wait until one entry is
 * readable: a stream with buffered input (decoded, in the codec or inside
 * TLS), in a failed read state (so the caller sees it), or whose fd polls
 * readable/hung up; or a plain fd that polls readable.  timeout_ms < 0
 * waits forever.  Returns the number of ready entries, 0 on timeout, -1
 * on a poll or flush error (*error_r, static storage). */
int prot_wait(struct prot_waitent *set, size_t n, int timeout_ms,
              const char **error_r);

/* ---- layers (used by lib/tls_*.c, lib/prot_deflate.c, lib/xsasl_*.c) ---- */

/* prot_set_transport - replace the plain fd transport.  Fails (-1) when a
 * transport is already set, or when any input is buffered unread: bytes
 * received before a STARTTLS handshake must not be read as if they came
 * over TLS (CVE-2011-0411).  Pending output is flushed first, under the
 * old transport.  1 ok. */
int prot_set_transport(struct prot *p, const struct prot_transport *tr,
                       void *rock, const char **error_r);
/* prot_transport_rock - the rock of the installed transport if it is tr,
 * else NULL. */
void *prot_transport_rock(const struct prot *p, const struct prot_transport *tr);
/* prot_set_codec - install a codec.  Fails when one is already set.
 * Pending output is flushed first without it (on a write-non-blocking
 * stream what the socket does not take stays queued, unencoded, ahead of
 * the encoded output: installing never waits); input already buffered
 * but unread is handed to the codec (the peer encoded it).  1 ok, -1. */
int prot_set_codec(struct prot *p, const struct prot_codec *codec,
                   void *rock, const char **error_r);
/* prot_codec_name - the installed codec's name, or NULL. */
const char *prot_codec_name(const struct prot *p);

#endif /* LIB_PROT_H */
