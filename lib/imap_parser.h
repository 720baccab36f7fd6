/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_parser.h - incremental IMAP command-line parser (imapd and proxyd).
 *
 * The parser turns the bytes of one client command line, "tag SP command
 * [SP args] CRLF" including any literals, into a tree of struct imap_arg.
 * It knows nothing about sockets: the caller owns the buffered stream and
 * hands the parser whatever bytes it has with imap_parser_feed().  The parser
 * copies what it keeps, so the caller may discard consumed bytes at once.
 *
 * Typical loop (one command):
 *
 *     r = imap_parser_feed(p, buf, len, &used);   drop `used` bytes
 *     NEED_MORE             read more input, feed again
 *     LITERAL_CONTINUATION  send "+ go ahead\r\n", feed again
 *     LITERAL_STREAM        move imap_parser_stream_size(p) bytes yourself,
 *                           call imap_parser_literal_streamed(), feed again
 *     DONE                  run the command on imap_parser_tag/command/args
 *     < 0 (error)           reply "tag BAD <imap_parser_error()>" (or BYE and
 *                           close when imap_parser_error_is_fatal()), then
 *                           imap_parser_skip_line() until it returns 1
 *
 * Syntax accepted (RFC 3501 section 9, RFC 7888, RFC 3516):
 *  - tag: 1*ASTRING-CHAR except "+"; command name: 1*ATOM-CHAR.
 *  - atoms; additionally "%" and "*" (sequence sets "1:*,5", LIST patterns),
 *    a leading "\" (flags "\Seen", "\*"), and one bracketed part per "[...]"
 *    taken verbatim, spaces, parentheses and quoted strings included, so
 *    BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100> is ONE atom argument.
 *  - NIL (any case) as IMAP_ARG_NIL, distinct from the string "NIL".
 *  - quoted strings with \\ and \" escapes; 8-bit only when allowed by the
 *    limits; NUL, CR and LF never.
 *  - literals {n} (synchronising), {n+} (non-synchronising, RFC 7888) and
 *    literal8 ~{n} / ~{n+} (RFC 3516); literal data may hold any byte.
 *  - parenthesised lists, nested; several spaces between arguments and
 *    trailing spaces are tolerated; lines end in CRLF or a bare LF.
 *
 * Memory bound: everything of one command lives in a per-command arena that
 * imap_parser_reset() frees as a unit.  The arena holds less than
 *     2 * max_line + 12 * sizeof(struct imap_arg) * (args + 1)
 *       + literal bytes + 4 KiB
 * (each argument costs its slot, amortised array growth, an empty list's
 * own array and string padding; a quarter of each 4 KiB chunk may go
 * unused)
 * where literal bytes <= max_literal_total (streamed literals are never
 * held) and args <= max_args (and args < max_line, as every argument takes
 * at least one byte of the line).  The parser also keeps a token buffer of
 * at most max_line bytes and a nesting stack of max_nesting entries.
 *
 * The bracketed part of an atom is kept verbatim (quotes and escapes
 * included); the FETCH handler parses the section spec itself.
 */
#ifndef LIB_IMAP_PARSER_H
#define LIB_IMAP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* ------------------------------------------------------------------------
 * Results of imap_parser_feed().  Positive: progress; negative: the command
 * is rejected and imap_parser_error() says why.
 */
enum imap_parser_result {
    /* Nothing complete yet.  All given bytes were consumed. */
    IMAP_PARSER_NEED_MORE = 0,
    /* A complete command line including all literals was parsed; *consumed_r
     * ends just after its LF, so pipelined input is left for the next call.
     * Tag, command and args stay valid until reset (or the next feed). */
    IMAP_PARSER_DONE = 1,
    /* A synchronising literal header {n} was accepted, all limits checked.
     * The caller must send "+ ..." before the client sends the data. */
    IMAP_PARSER_LITERAL_CONTINUATION = 2,
    /* A literal larger than the stream threshold starts now (after the
     * continuation for {n}).  The caller moves exactly
     * imap_parser_stream_size() bytes itself and then calls
     * imap_parser_literal_streamed().  Args so far are available. */
    IMAP_PARSER_LITERAL_STREAM = 3,

    /* Syntax error; imap_parser_error() names what and where. */
    IMAP_PARSER_BAD_SYNTAX = -1,
    /* The line (literal data and line ends excluded) exceeds max_line. */
    IMAP_PARSER_LINE_TOO_LONG = -2,
    /* A literal exceeds max_literal, the LITERAL- cap of
     * LIMIT_LITERAL_MINUS, or the command's literals exceed
     * max_literal_total.  For {n+} beyond max_literal or the LITERAL- cap
     * (or a size that does not fit in 64 bits) the client is already sending
     * the data: imap_parser_error_is_fatal() is true, reply BYE and close. */
    IMAP_PARSER_LITERAL_TOO_BIG = -3,
    /* A list would nest deeper than max_nesting. */
    IMAP_PARSER_NESTING_TOO_DEEP = -4,
    /* The command has more than max_args arguments. */
    IMAP_PARSER_TOO_MANY_ARGS = -5,
    /* A quoted string exceeds max_quoted, or an atom (tag, command name,
     * argument atom with its bracketed part) exceeds max_word; the message
     * names which and the limit. */
    IMAP_PARSER_TOKEN_TOO_LONG = -6,
};

/* Limits, set per parser by the caller (smaller before authentication). */
struct imap_parser_limits {
    /* Longest command line: every byte except literal data, CR and LF. */
    size_t max_line;
    /* Largest single literal, buffered or streamed. */
    uint64_t max_literal;
    /* Most literal bytes one command may have buffered in memory (streamed
     * literals do not count). */
    uint64_t max_literal_total;
    /* Deepest list nesting: 1 allows "(a)", not "((a))". */
    unsigned max_nesting;
    /* Most arguments per command, counted at every depth (a list counts as
     * one plus its elements); tag and command name are not counted. */
    size_t max_args;
    /* Literals larger than this are streamed (IMAP_PARSER_LITERAL_STREAM),
     * and so is any literal that would take the command's buffered
     * literals past max_literal_total; 0 buffers every literal. */
    uint64_t stream_threshold;
    /* true: LITERAL+ advertised, any {n+} up to max_literal.  false:
     * LITERAL-, {n+} above LIMIT_LITERAL_MINUS is a fatal error. */
    bool literal_plus;
    /* Accept 8-bit bytes in quoted strings (UTF8=ACCEPT, lenient clients). */
    bool allow_8bit_quoted;
    /* Longest quoted string, unescaped (imapd.conf maxquoted); 0: only
     * max_line bounds it. */
    size_t max_quoted;
    /* Longest atom: tag, command name, argument atom including any
     * "[...]" part (imapd.conf maxword); 0: only max_line bounds it. */
    size_t max_word;
};

/* imap_parser_limits_preauth - fill *l with the pre-authentication limits
 * of lib/limits.h (LITERAL-, no streaming, no 8-bit, short quoted strings
 * and words). */
void imap_parser_limits_preauth(struct imap_parser_limits *l);

/* ------------------------------------------------------------------------
 * Arguments.
 */
enum imap_arg_type {
    IMAP_ARG_EOL = 0,      /* terminates every argument array */
    IMAP_ARG_NIL,          /* the atom NIL (str holds it as sent) */
    IMAP_ARG_ATOM,         /* atom, flag, sequence set, BODY[...]<..> */
    IMAP_ARG_STRING,       /* quoted string, unescaped */
    IMAP_ARG_LITERAL,      /* literal or literal8 held in memory */
    IMAP_ARG_LIST,         /* parenthesised list */
    IMAP_ARG_LITERAL_SIZE, /* streamed literal: only its size is known */
};

/* Flags on IMAP_ARG_LITERAL and IMAP_ARG_LITERAL_SIZE. */
#define IMAP_ARG_FLAG_NONSYNC  0x1 /* sent as {n+} */
#define IMAP_ARG_FLAG_LITERAL8 0x2 /* sent as ~{n} (may contain NUL) */

struct imap_arg {
    enum imap_arg_type type;
    unsigned flags;
    union {
        /* NIL, ATOM, STRING, LITERAL: len bytes, then a NUL that is not
         * counted; a LITERAL may contain NULs itself. */
        struct {
            const char *s;
            size_t len;
        } str;
        /* LIST: count elements, args[count].type == IMAP_ARG_EOL. */
        struct {
            struct imap_arg *args;
            size_t count;
        } list;
        /* LITERAL_SIZE: the literal's size. */
        uint64_t literal_size;
    } u;
};

struct imap_parser;

/* imap_parser_new - a parser with a copy of *limits; free with
 * imap_parser_free(). */
struct imap_parser *imap_parser_new(const struct imap_parser_limits *limits);
/* imap_parser_free - free the parser and everything it returned; NULL *pp. */
void imap_parser_free(struct imap_parser **pp);

/* imap_parser_set_limits - replace the limits (e.g. after login).  Call it
 * between commands; checks made from now on use the new values. */
void imap_parser_set_limits(struct imap_parser *p,
                            const struct imap_parser_limits *limits);
/* imap_parser_get_limits - the limits in force (owned by the parser). */
const struct imap_parser_limits *imap_parser_get_limits(const struct imap_parser *p);

/* imap_parser_reset - forget the current command and free its arena: every
 * pointer returned for it becomes invalid.  Also clears an error state (use
 * imap_parser_skip_line() instead if the rest of the line is unread). */
void imap_parser_reset(struct imap_parser *p);

/* imap_parser_feed - parse up to len bytes of data.
 *
 * Returns an enum imap_parser_result; *consumed_r is the number of bytes
 * used (all of them for NEED_MORE; up to and including the LF for DONE and
 * LITERAL_CONTINUATION; up to and including the offending byte for an
 * error; 0 when a LITERAL_STREAM follows a continuation).  Feeding after
 * DONE resets the parser first.  Feeding in an error state returns the same
 * error and consumes nothing.  Must not be called while a literal is being
 * streamed (between LITERAL_STREAM and imap_parser_literal_streamed()).
 * len may be 0. */
int imap_parser_feed(struct imap_parser *p, const void *data, size_t len,
                     size_t *consumed_r);

/* imap_parser_tag - the tag once it was parsed (also after a later error,
 * for the BAD reply), else NULL.  Valid until reset. */
const char *imap_parser_tag(const struct imap_parser *p);
/* imap_parser_command - the command name as sent, or NULL. Valid until
 * reset. */
const char *imap_parser_command(const struct imap_parser *p);

/* imap_parser_args - the top-level arguments after DONE or LITERAL_STREAM
 * (lists still open then hold the elements so far); *count_r elements and
 * args[*count_r].type == IMAP_ARG_EOL.  Owned by the parser, valid until
 * reset or the next feed after DONE. */
const struct imap_arg *imap_parser_args(const struct imap_parser *p,
                                        size_t *count_r);

/* imap_parser_stream_size - the size of the literal announced by the last
 * LITERAL_CONTINUATION or LITERAL_STREAM. */
uint64_t imap_parser_stream_size(const struct imap_parser *p);
/* imap_parser_literal_streamed - the caller has moved the streamed literal;
 * parsing resumes after it on the next feed. */
void imap_parser_literal_streamed(struct imap_parser *p);

/* imap_parser_error - the message for the last error, in words fit for a
 * BAD reply (printable ASCII, bytes shown as '\xNN'); NULL when there is
 * none.  Valid until reset or skip. */
const char *imap_parser_error(const struct imap_parser *p);
/* imap_parser_error_is_fatal - true when the connection cannot be
 * resynchronised (a {n+} literal too big to discard is on the wire). */
bool imap_parser_error_is_fatal(const struct imap_parser *p);

/* imap_parser_skip_line - after an error, discard input up to the end of
 * the rejected command line, including the data of any {n+} literals in it
 * (a {n} literal ends the line: the client waits for a "+" it never gets).
 * Returns 1 when the line is over (*consumed_r ends after its LF, the parser
 * is reset for the next command), 0 when more input is needed (all
 * consumed), -1 when it is impossible (fatal error; nothing consumed).  The
 * BAD reply may be sent before or after skipping. */
int imap_parser_skip_line(struct imap_parser *p, const void *data, size_t len,
                          size_t *consumed_r);

/* imap_parser_begin_raw_line - make the next command-free line a raw line
 * (AUTHENTICATE responses, IDLE's DONE): the next feeds return DONE once a
 * whole line arrived, errors as for commands (max_line, NUL, bare CR).  Call
 * it on a reset parser. */
void imap_parser_begin_raw_line(struct imap_parser *p);
/* imap_parser_raw_line - after DONE in raw mode: the line without its CRLF,
 * NUL-terminated, *len_r bytes.  Valid until reset. */
const char *imap_parser_raw_line(const struct imap_parser *p, size_t *len_r);

/* imap_parser_memory_used - bytes held in the command arena (tests). */
size_t imap_parser_memory_used(const struct imap_parser *p);

/* ------------------------------------------------------------------------
 * Getters for command handlers.  Each returns true and sets its outputs
 * when arg has the wanted type, else false.  Strings point into the arena
 * (valid until reset) and are NUL-terminated.  The string getters refuse
 * literal8 and any value containing a NUL byte (a C string would truncate
 * it); use imap_arg_get_data() for binary values.
 */
/* atom or NIL */
bool imap_arg_get_atom(const struct imap_arg *arg, const char **str_r);
/* quoted string or literal */
bool imap_arg_get_string(const struct imap_arg *arg, const char **str_r);
/* atom, NIL (as "NIL"), quoted string or literal */
bool imap_arg_get_astring(const struct imap_arg *arg, const char **str_r);
/* NIL (*str_r = NULL), quoted string or literal */
bool imap_arg_get_nstring(const struct imap_arg *arg, const char **str_r);
/* quoted string or literal (literal8 too): any bytes, *len_r long */
bool imap_arg_get_data(const struct imap_arg *arg, const char **data_r,
                       size_t *len_r);
/* list: *count_r elements, terminated by an IMAP_ARG_EOL */
bool imap_arg_get_list(const struct imap_arg *arg,
                       const struct imap_arg **list_r, size_t *count_r);
/* streamed literal (IMAP_ARG_LITERAL_SIZE) or buffered literal: its size */
bool imap_arg_get_literal_size(const struct imap_arg *arg, uint64_t *size_r);
/* imap_arg_atom_equals - true when arg is an atom equal to s, ignoring
 * ASCII case. */
bool imap_arg_atom_equals(const struct imap_arg *arg, const char *s);

/* Flags for imap_args_render(). */
#define IMAP_RENDER_NONSYNC   0x1 /* literals as {n+} (default {n}) */
#define IMAP_RENDER_NO_DATA   0x2 /* literals as the bare header "{n}"
                                   * with no CRLF or data (logging) */

/* imap_args_render - append count args to out in IMAP syntax, separated by
 * single spaces: atoms and NIL as sent, strings quoted and escaped, lists
 * in parentheses, literals as "{n}\r\n<data>" (literal8 "~{n}").  A streamed
 * literal gets its header and CRLF only: the caller supplies its data. */
void imap_args_render(const struct imap_arg *args, size_t count,
                      unsigned flags, struct buf *out);

#endif /* LIB_IMAP_PARSER_H */
