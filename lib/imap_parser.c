/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_parser.c - incremental IMAP command-line parser.
 *
 * A byte-driven state machine: every input byte moves struct imap_parser
 * from one state to the next, so input may be split anywhere.  Tokens
 * collect in p->tok and are copied into the per-command arena when
 * complete; literal data goes straight into the arena (or is left to the
 * caller when streamed).  A small scanner runs beside the parser over every
 * non-literal byte so that, after an error, imap_parser_skip_line() knows
 * whether a {n+} literal's data must still be discarded.  Used by imapd and
 * proxyd; no I/O, no globals.  Errors are negative imap_parser_result codes
 * with a message in p->errmsg.
 */
#include "config.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/imap_parser.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* A token buffer larger than this is released on reset, not kept. */
#define TOK_KEEP    65536

/* ------------------------------------------------------------------------
 * Parser state.
 */
enum parse_state {
    PS_TAG,
    PS_CMD,
    PS_ARG_START,      /* expecting an argument, ')' or end of line */
    PS_AFTER_ARG,      /* expecting SP, ')' or end of line */
    PS_ATOM,
    PS_BRACKET,        /* inside [...] of an atom */
    PS_BRACKET_QUOTED, /* inside a quoted string inside [...] */
    PS_BRACKET_ESC,
    PS_TILDE,          /* '~': literal8 or an atom starting with '~' */
    PS_QUOTED,
    PS_QUOTED_ESC,
    PS_LIT_DIGITS,     /* after '{' */
    PS_LIT_PLUS,       /* after '{n+', expecting '}' */
    PS_LIT_EOL,        /* after '}', expecting CRLF */
    PS_LITERAL,        /* literal data */
    PS_STREAM_PENDING, /* continuation sent; next feed says STREAM */
    PS_STREAMING,      /* the caller moves the literal data */
    PS_RAW,            /* raw line */
    PS_DONE,
    PS_ERROR,
};

/* The literal scanner (see the file comment). */
enum scan_state {
    SK_TEXT,
    SK_DIGITS, /* after '{' */
    SK_PLUS,   /* after '{n+' */
    SK_CLOSED, /* after '{n}' or '{n+}' (CRs allowed after it) */
};
#define SK_MAX_DIGITS 20 /* significant digits of a u64 */

/* One open list (frame 0 is the top level). */
struct frame {
    struct imap_arg *args;  /* count used, alloc slots, EOL-terminated */
    size_t count;
    size_t alloc;
    struct imap_arg *owner; /* the LIST arg in the parent frame, or NULL */
};

struct imap_parser {
    struct imap_parser_limits limits;
    enum parse_state state;
    struct arena arena;
    struct buf tok;         /* the token being read */

    struct frame *frames;   /* frames[0..depth] */
    size_t frames_alloc;
    unsigned depth;

    size_t line_len;        /* non-literal bytes except CR/LF */
    size_t nargs;
    uint64_t literal_total; /* buffered literal bytes */
    unsigned bracket_depth;
    bool saw_cr;
    bool cur_lf;            /* the byte being parsed is an LF */
    bool raw;               /* raw-line mode */

    const char *tag;
    const char *command;
    const char *raw_line;
    size_t raw_len;

    /* the literal being read */
    uint64_t lit_size;
    uint64_t lit_pos;
    char *lit_data;
    bool lit_nonsync;
    bool lit8;
    bool lit_stream;

    /* the scanner */
    enum scan_state sk;
    char sk_digits[SK_MAX_DIGITS];
    size_t sk_ndigits;
    bool sk_ovf;
    bool sk_seen;
    bool sk_nonsync;
    uint64_t sk_n;
    uint64_t sk_remaining; /* literal bytes still to skip */

    /* the error */
    int error;
    bool fatal;
    bool err_at_eol;
    struct buf errmsg;
};

/* R_CONT - internal "keep going" result of the per-byte functions */
#define R_CONT 100

static const struct imap_arg eol_arg = { IMAP_ARG_EOL, 0, { { NULL, 0 } } };

void imap_parser_limits_preauth(struct imap_parser_limits *l)
{
    memset(l, 0, sizeof(*l));
    l->max_line = LIMIT_IMAP_LINE_PREAUTH;
    l->max_literal = LIMIT_IMAP_LITERAL_PREAUTH;
    l->max_literal_total = LIMIT_IMAP_LITERAL_TOTAL_PREAUTH;
    l->max_nesting = LIMIT_IMAP_NESTING_PREAUTH;
    l->max_args = LIMIT_IMAP_ARGS_PREAUTH;
    l->stream_threshold = 0;
    l->literal_plus = false;
    l->allow_8bit_quoted = false;
    l->max_quoted = LIMIT_IMAP_QUOTED_PREAUTH;
    l->max_word = LIMIT_IMAP_WORD_PREAUTH;
}

struct imap_parser *imap_parser_new(const struct imap_parser_limits *limits)
{
    struct imap_parser *p = xzmalloc(sizeof(*p));
    p->limits = *limits;
    p->frames_alloc = 4;
    p->frames = xcalloc(p->frames_alloc, sizeof(*p->frames));
    imap_parser_reset(p);
    return p;
}

void imap_parser_free(struct imap_parser **pp)
{
    struct imap_parser *p = *pp;
    if (!p)
        return;
    arena_clear(&p->arena);
    buf_free(&p->tok);
    buf_free(&p->errmsg);
    free(p->frames);
    free(p);
    *pp = NULL;
}

void imap_parser_set_limits(struct imap_parser *p,
                            const struct imap_parser_limits *limits)
{
    p->limits = *limits;
}

const struct imap_parser_limits *imap_parser_get_limits(const struct imap_parser *p)
{
    return &p->limits;
}

void imap_parser_reset(struct imap_parser *p)
{
    arena_clear(&p->arena);
    if (p->tok.alloc > TOK_KEEP)
        buf_free(&p->tok);
    buf_reset(&p->tok);
    buf_reset(&p->errmsg);
    memset(&p->frames[0], 0, sizeof(p->frames[0]));
    p->state = PS_TAG;
    p->depth = 0;
    p->line_len = 0;
    p->nargs = 0;
    p->literal_total = 0;
    p->bracket_depth = 0;
    p->saw_cr = p->cur_lf = p->raw = false;
    p->tag = p->command = p->raw_line = NULL;
    p->raw_len = 0;
    p->lit_size = p->lit_pos = 0;
    p->lit_data = NULL;
    p->sk = SK_TEXT;
    p->sk_remaining = 0;
    p->error = 0;
    p->fatal = p->err_at_eol = false;
}

/* ------------------------------------------------------------------------
 * Errors.
 */

/* parse_fail - enter the error state with code and a message */
static int parse_fail(struct imap_parser *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int parse_fail(struct imap_parser *p, int code, const char *fmt, ...)
{
    va_list ap;
    buf_reset(&p->errmsg);
    va_start(ap, fmt);
    buf_vprintf(&p->errmsg, fmt, ap);
    va_end(ap);
    p->error = code;
    buf_cstring(&p->errmsg);
    p->err_at_eol = p->cur_lf;
    p->state = PS_ERROR;
    return code;
}

/* chr - a byte as it appears in error messages: 'a' or '\xNN' */
static const char *chr(unsigned char c, char *buf, size_t size)
{
    if (c > 0x20 && c < 0x7f && c != '\'')
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "'\\x%02x'", c);
    return buf;
}

/* bad_char - syntax error naming an unexpected byte and where it was */
static int bad_char(struct imap_parser *p, unsigned char c, const char *where)
{
    char b[8];
    return parse_fail(p, IMAP_PARSER_BAD_SYNTAX, "Invalid character %s in %s",
                      chr(c, b, sizeof(b)), where);
}

/* tok_put - append c to the token, failing when the token would exceed
 * max_quoted (quoted strings) or max_word (everything else) */
static int tok_put(struct imap_parser *p, unsigned char c, bool quoted)
{
    size_t max = quoted ? p->limits.max_quoted : p->limits.max_word;

    if (max && p->tok.len >= max) {
        if (quoted)
            return parse_fail(p, IMAP_PARSER_TOKEN_TOO_LONG,
                              "Quoted string too long (maxquoted=%zu)", max);
        return parse_fail(p, IMAP_PARSER_TOKEN_TOO_LONG,
                          "Word too long (maxword=%zu)", max);
    }
    buf_putc(&p->tok, (char)c);
    return R_CONT;
}

/* nonsync_fatal - true when a {n+} literal of this size cannot be discarded */
static bool nonsync_fatal(const struct imap_parser *p, bool ovf, uint64_t n)
{
    return ovf || n > p->limits.max_literal ||
           (!p->limits.literal_plus && n > LIMIT_LITERAL_MINUS);
}

/* ------------------------------------------------------------------------
 * Character classes (RFC 3501 section 9).
 */

/* is_atom_char - ATOM-CHAR: CHAR except atom-specials */
static bool is_atom_char(unsigned char c)
{
    if (c <= 0x20 || c >= 0x7f)
        return false;
    switch (c) {
    case '(': case ')': case '{': case '"': case '\\':
    case '%': case '*': case ']':
        return false;
    default:
        return true;
    }
}

/* is_arg_atom_char - what an argument atom may hold outside brackets:
 * ATOM-CHAR plus list-wildcards and ']' (ASTRING-CHAR) */
static bool is_arg_atom_char(unsigned char c)
{
    return is_atom_char(c) || c == '%' || c == '*' || c == ']';
}

/* is_tag_char - 1*<any ASTRING-CHAR except "+"> */
static bool is_tag_char(unsigned char c)
{
    return (is_atom_char(c) || c == ']') && c != '+';
}

/* ------------------------------------------------------------------------
 * The literal scanner: recognises "{digits}" / "{digits+}" at the end of a
 * line segment.  Fed every non-literal byte except LF.
 */

/* scan_byte - advance the scanner by one byte */
static void scan_byte(struct imap_parser *p, unsigned char c)
{
    if (c == '{') {
        p->sk = SK_DIGITS;
        p->sk_ndigits = 0;
        p->sk_ovf = p->sk_seen = p->sk_nonsync = false;
        p->sk_n = 0;
        return;
    }
    switch (p->sk) {
    case SK_DIGITS:
        if (c >= '0' && c <= '9') {
            p->sk_seen = true;
            if (c == '0' && p->sk_ndigits == 0)
                return; /* leading zero */
            if (p->sk_ndigits < SK_MAX_DIGITS)
                p->sk_digits[p->sk_ndigits++] = (char)c;
            else
                p->sk_ovf = true;
            return;
        }
        if (c == '+' && p->sk_seen) {
            p->sk = SK_PLUS;
            return;
        }
        __attribute__((fallthrough));
    case SK_PLUS:
        if (c == '}' && p->sk_seen) {
            p->sk_nonsync = p->sk == SK_PLUS;
            p->sk = SK_CLOSED;
            /* The one place a literal size from the wire is converted. */
            if (p->sk_ndigits &&
                str_parse_u64(p->sk_digits, p->sk_ndigits, UINT64_MAX,
                              &p->sk_n) < 0)
                p->sk_ovf = true;
            return;
        }
        break;
    case SK_CLOSED:
        if (c == '\r')
            return;
        break;
    case SK_TEXT:
        break;
    }
    p->sk = SK_TEXT;
}

/* ------------------------------------------------------------------------
 * Building the argument tree.
 */

/* append_arg - a new zeroed slot at the end of the innermost open list */
static struct imap_arg *append_arg(struct imap_parser *p)
{
    struct frame *f = &p->frames[p->depth];
    struct imap_arg *a;

    if (f->count + 2 > f->alloc) {
        size_t n = f->alloc ? f->alloc * 2 : 4;
        struct imap_arg *na = arena_alloc(&p->arena, n * sizeof(*na));
        if (f->count)
            memcpy(na, f->args, f->count * sizeof(*na));
        f->args = na;
        f->alloc = n;
        if (f->owner)
            f->owner->u.list.args = na;
    }
    a = &f->args[f->count++];
    memset(a, 0, 2 * sizeof(*a)); /* the slot and the EOL after it */
    if (f->owner)
        f->owner->u.list.count = f->count;
    return a;
}

/* count_arg - account for one more argument against max_args */
static int count_arg(struct imap_parser *p)
{
    if (p->nargs >= p->limits.max_args)
        return parse_fail(p, IMAP_PARSER_TOO_MANY_ARGS,
                          "Too many arguments (limit %zu)", p->limits.max_args);
    p->nargs++;
    return R_CONT;
}

/* add_string - append a string-valued arg from the token buffer */
static void add_string(struct imap_parser *p, enum imap_arg_type type)
{
    struct imap_arg *a = append_arg(p);
    a->type = type;
    a->u.str.s = arena_strndup(&p->arena, p->tok.s, p->tok.len);
    a->u.str.len = p->tok.len;
    buf_reset(&p->tok);
}

/* finish_atom - the atom in tok is complete: NIL or ATOM */
static void finish_atom(struct imap_parser *p)
{
    bool nil = p->tok.len == 3 && str_ncasecmp(p->tok.s, "NIL", 3) == 0;
    add_string(p, nil ? IMAP_ARG_NIL : IMAP_ARG_ATOM);
}

/* open_list - '(' */
static int open_list(struct imap_parser *p)
{
    struct imap_arg *a;
    struct frame *f;

    if (p->depth >= p->limits.max_nesting)
        return parse_fail(p, IMAP_PARSER_NESTING_TOO_DEEP,
                          "Lists nested too deeply (limit %u)",
                          p->limits.max_nesting);
    a = append_arg(p);
    a->type = IMAP_ARG_LIST;
    if (p->depth + 1 >= p->frames_alloc) {
        p->frames = xreallocarray(p->frames, p->frames_alloc * 2,
                                  sizeof(*p->frames));
        p->frames_alloc *= 2;
    }
    f = &p->frames[++p->depth];
    f->alloc = 4;
    f->count = 0;
    f->args = arena_alloc(&p->arena, f->alloc * sizeof(*f->args));
    memset(f->args, 0, sizeof(*f->args));
    f->owner = a;
    a->u.list.args = f->args;
    a->u.list.count = 0;
    p->state = PS_ARG_START;
    return R_CONT;
}

/* close_list - ')' */
static int close_list(struct imap_parser *p)
{
    if (p->depth == 0)
        return parse_fail(p, IMAP_PARSER_BAD_SYNTAX, "Unexpected ')'");
    p->depth--;
    p->state = PS_AFTER_ARG;
    return R_CONT;
}

/* line_end - LF between arguments: the command is complete */
static int line_end(struct imap_parser *p)
{
    if (p->depth > 0)
        return parse_fail(p, IMAP_PARSER_BAD_SYNTAX, "Missing ')' in list");
    p->state = PS_DONE;
    return IMAP_PARSER_DONE;
}

/* ------------------------------------------------------------------------
 * Per-state byte handlers.  Each returns R_CONT or a result code.  CR is
 * handled before them (parse_byte), so they see LF as the line end.
 */

/* st_tag - the tag, up to the first SP */
static int st_tag(struct imap_parser *p, unsigned char c)
{
    if (c == ' ' || c == '\n') {
        if (p->tok.len == 0)
            return parse_fail(p, IMAP_PARSER_BAD_SYNTAX,
                              c == ' ' ? "Missing tag" : "Empty command line");
        p->tag = arena_strndup(&p->arena, p->tok.s, p->tok.len);
        buf_reset(&p->tok);
        if (c == '\n')
            return parse_fail(p, IMAP_PARSER_BAD_SYNTAX, "Missing command name");
        p->state = PS_CMD;
        return R_CONT;
    }
    if (!is_tag_char(c))
        return bad_char(p, c, "tag");
    return tok_put(p, c, false);
}

/* st_cmd - the command name */
static int st_cmd(struct imap_parser *p, unsigned char c)
{
    if (c == ' ' || c == '\n') {
        if (p->tok.len == 0)
            return parse_fail(p, IMAP_PARSER_BAD_SYNTAX, "Missing command name");
        p->command = arena_strndup(&p->arena, p->tok.s, p->tok.len);
        buf_reset(&p->tok);
        if (c == '\n')
            return line_end(p);
        p->state = PS_ARG_START;
        return R_CONT;
    }
    if (!is_atom_char(c))
        return bad_char(p, c, "command name");
    return tok_put(p, c, false);
}

/* st_after_arg - after an argument: SP, ')' or end of line */
static int st_after_arg(struct imap_parser *p, unsigned char c)
{
    char b[8];
    switch (c) {
    case ' ':
        p->state = PS_ARG_START;
        return R_CONT;
    case ')':
        return close_list(p);
    case '\n':
        return line_end(p);
    default:
        return parse_fail(p, IMAP_PARSER_BAD_SYNTAX,
                          "Missing space before %s after argument",
                          chr(c, b, sizeof(b)));
    }
}

/* lit_begin - '{' seen (after '~' for literal8) */
static int lit_begin(struct imap_parser *p, bool lit8)
{
    p->lit8 = lit8;
    p->state = PS_LIT_DIGITS;
    return R_CONT;
}

static int st_atom(struct imap_parser *p, unsigned char c);

/* st_arg_start - the first byte of an argument decides its type */
static int st_arg_start(struct imap_parser *p, unsigned char c)
{
    int r;
    switch (c) {
    case ' ':
        return R_CONT; /* extra spaces are tolerated */
    case '\n':
        return line_end(p);
    case ')':
        return close_list(p);
    default:
        break;
    }
    if ((r = count_arg(p)) != R_CONT)
        return r;
    switch (c) {
    case '(':
        return open_list(p);
    case '"':
        p->state = PS_QUOTED;
        return R_CONT;
    case '{':
        return lit_begin(p, false);
    case '~':
    case '\\': /* a flag: \Seen, \* */
        p->state = c == '~' ? PS_TILDE : PS_ATOM;
        return tok_put(p, c, false);
    default:
        break;
    }
    if (!is_arg_atom_char(c) && c != '[')
        return bad_char(p, c, "atom");
    p->state = PS_ATOM;
    return st_atom(p, c);
}

/* st_atom - atom bytes; '[' switches to the bracketed part */
static int st_atom(struct imap_parser *p, unsigned char c)
{
    if (c == ' ' || c == ')' || c == '\n') {
        finish_atom(p);
        return st_after_arg(p, c);
    }
    if (c == '[') {
        p->bracket_depth = 1;
        p->state = PS_BRACKET;
    } else if (!is_arg_atom_char(c)) {
        return bad_char(p, c, "atom");
    }
    return tok_put(p, c, false);
}

/* st_bracket - inside BODY[...]: spaces, lists and quoted strings allowed */
static int st_bracket(struct imap_parser *p, unsigned char c)
{
    if (c == '\n')
        return parse_fail(p, IMAP_PARSER_BAD_SYNTAX, "Missing ']' in atom");
    if (c < 0x20 || c >= 0x7f)
        return bad_char(p, c, "atom");
    if (c == '{')
        return parse_fail(p, IMAP_PARSER_BAD_SYNTAX,
                          "Literal not allowed inside '[...]'");
    if (c == '"')
        p->state = PS_BRACKET_QUOTED;
    else if (c == '[')
        p->bracket_depth++;
    else if (c == ']' && --p->bracket_depth == 0)
        p->state = PS_ATOM;
    return tok_put(p, c, false);
}

/* quoted_byte - one byte of a quoted string (shared by both quoted states);
 * returns R_CONT when c is an ordinary byte to keep */
static int quoted_byte(struct imap_parser *p, unsigned char c)
{
    char b[8];
    if (c == '\n')
        return parse_fail(p, IMAP_PARSER_BAD_SYNTAX, "Missing '\"' at end of quoted string");
    if (c == 0)
        return bad_char(p, c, "quoted string");
    if (c >= 0x80 && !p->limits.allow_8bit_quoted)
        return parse_fail(p, IMAP_PARSER_BAD_SYNTAX,
                          "8-bit character %s in quoted string",
                          chr(c, b, sizeof(b)));
    return R_CONT;
}

/* st_quoted - a quoted string argument, or one inside [...] */
static int st_quoted(struct imap_parser *p, unsigned char c)
{
    bool in_bracket = p->state == PS_BRACKET_QUOTED;
    int r = quoted_byte(p, c);

    if (r != R_CONT)
        return r;
    if (c == '\\') {
        p->state = in_bracket ? PS_BRACKET_ESC : PS_QUOTED_ESC;
        return in_bracket ? tok_put(p, c, false) : R_CONT;
    }
    if (c == '"') {
        if (in_bracket) {
            p->state = PS_BRACKET;
            return tok_put(p, c, false);
        }
        add_string(p, IMAP_ARG_STRING);
        p->state = PS_AFTER_ARG;
        return R_CONT;
    }
    /* inside "[...]" the quoted string is part of an atom */
    return tok_put(p, c, !in_bracket);
}

/* st_quoted_esc - the byte after a backslash in a quoted string */
static int st_quoted_esc(struct imap_parser *p, unsigned char c)
{
    char b[8];
    bool in_bracket;
    int r = quoted_byte(p, c);

    if (r != R_CONT)
        return r;
    if (c != '\\' && c != '"')
        return parse_fail(p, IMAP_PARSER_BAD_SYNTAX,
                          "Invalid escape of %s in quoted string",
                          chr(c, b, sizeof(b)));
    in_bracket = p->state == PS_BRACKET_ESC;
    p->state = in_bracket ? PS_BRACKET_QUOTED : PS_QUOTED;
    return tok_put(p, c, !in_bracket);
}

/* lit_header - '}' ended a literal header: check every limit now, before
 * any continuation is requested */
static int lit_header(struct imap_parser *p)
{
    const struct imap_parser_limits *l = &p->limits;
    bool nonsync = p->sk_nonsync;
    uint64_t n = p->sk_n;
    int r = R_CONT;

    assert(p->sk == SK_CLOSED);
    if (p->sk_ovf)
        r = parse_fail(p, IMAP_PARSER_LITERAL_TOO_BIG, "Literal size too large");
    else if (n > l->max_literal)
        r = parse_fail(p, IMAP_PARSER_LITERAL_TOO_BIG,
                       "Literal size %" PRIu64 " exceeds the limit of %" PRIu64,
                       n, l->max_literal);
    else if (nonsync && !l->literal_plus && n > LIMIT_LITERAL_MINUS)
        r = parse_fail(p, IMAP_PARSER_LITERAL_TOO_BIG,
                       "Non-synchronising literal size %" PRIu64
                       " exceeds the LITERAL- limit of %d",
                       n, LIMIT_LITERAL_MINUS);
    if (r != R_CONT) {
        p->fatal = nonsync && nonsync_fatal(p, p->sk_ovf, n);
        return r;
    }
    /* streamed: a big literal, or one that would take the command's
     * buffered literals past their limit (a MULTIAPPEND of many small
     * messages) */
    p->lit_stream = l->stream_threshold &&
                    (n > l->stream_threshold ||
                     p->literal_total > l->max_literal_total ||
                     n > l->max_literal_total - p->literal_total);
    if (!p->lit_stream &&
        (p->literal_total > l->max_literal_total || n > SIZE_MAX / 2 ||
         n > l->max_literal_total - p->literal_total))
        return parse_fail(p, IMAP_PARSER_LITERAL_TOO_BIG,
                          "Literals exceed the limit of %" PRIu64
                          " bytes per command", l->max_literal_total);
    p->lit_size = n;
    p->lit_nonsync = nonsync;
    p->state = PS_LIT_EOL;
    return R_CONT;
}

/* st_lit_header - '{' digits ['+'] '}' */
static int st_lit_header(struct imap_parser *p, unsigned char c)
{
    if (c == '}' && p->sk_seen)
        return lit_header(p);
    if (p->state == PS_LIT_DIGITS) {
        if (c >= '0' && c <= '9')
            return R_CONT; /* the scanner collects the digits */
        if (c == '+' && p->sk_seen) {
            p->state = PS_LIT_PLUS;
            return R_CONT;
        }
        if (!p->sk_seen && (c == '+' || c == '}'))
            return parse_fail(p, IMAP_PARSER_BAD_SYNTAX, "Missing literal size");
    }
    if (c == '\n')
        return parse_fail(p, IMAP_PARSER_BAD_SYNTAX, "Missing '}' in literal");
    return bad_char(p, c, "literal size");
}

/* lit_accept - LF after a literal header: the literal's data follows */
static int lit_accept(struct imap_parser *p)
{
    struct imap_arg *a = append_arg(p);
    uint64_t n = p->lit_size;

    a->flags = (p->lit_nonsync ? IMAP_ARG_FLAG_NONSYNC : 0) |
               (p->lit8 ? IMAP_ARG_FLAG_LITERAL8 : 0);
    if (p->lit_stream) {
        a->type = IMAP_ARG_LITERAL_SIZE;
        a->u.literal_size = n;
        if (!p->lit_nonsync) {
            p->state = PS_STREAM_PENDING;
            return IMAP_PARSER_LITERAL_CONTINUATION;
        }
        p->state = PS_STREAMING;
        return IMAP_PARSER_LITERAL_STREAM;
    }
    /* n <= max_literal_total, already checked against SIZE_MAX by the
     * arena's assert; on 64-bit hosts size_t holds any u64. */
    p->lit_data = arena_alloc(&p->arena, (size_t)n + 1);
    p->lit_data[n] = '\0';
    p->lit_pos = 0;
    p->literal_total += n;
    a->type = IMAP_ARG_LITERAL;
    a->u.str.s = p->lit_data;
    a->u.str.len = (size_t)n;
    p->state = n ? PS_LITERAL : PS_AFTER_ARG;
    return p->lit_nonsync ? R_CONT : IMAP_PARSER_LITERAL_CONTINUATION;
}

/* st_raw - a raw line (AUTHENTICATE, IDLE's DONE) */
static int st_raw(struct imap_parser *p, unsigned char c)
{
    if (c == '\n') {
        p->raw_line = arena_strndup(&p->arena, p->tok.s, p->tok.len);
        p->raw_len = p->tok.len;
        buf_reset(&p->tok);
        p->state = PS_DONE;
        return IMAP_PARSER_DONE;
    }
    if (c == 0)
        return bad_char(p, c, "line");
    buf_putc(&p->tok, (char)c);
    return R_CONT;
}

/* dispatch - hand one byte to the current state's handler */
static int dispatch(struct imap_parser *p, unsigned char c)
{
    switch (p->state) {
    case PS_TAG:            return st_tag(p, c);
    case PS_CMD:            return st_cmd(p, c);
    case PS_ARG_START:      return st_arg_start(p, c);
    case PS_AFTER_ARG:      return st_after_arg(p, c);
    case PS_ATOM:           return st_atom(p, c);
    case PS_BRACKET:        return st_bracket(p, c);
    case PS_BRACKET_QUOTED:
    case PS_QUOTED:         return st_quoted(p, c);
    case PS_BRACKET_ESC:
    case PS_QUOTED_ESC:     return st_quoted_esc(p, c);
    case PS_TILDE:
        if (c == '{') {
            buf_reset(&p->tok);
            return lit_begin(p, true);
        }
        p->state = PS_ATOM;
        return st_atom(p, c);
    case PS_LIT_DIGITS:
    case PS_LIT_PLUS:       return st_lit_header(p, c);
    case PS_LIT_EOL:
        if (c == '\n')
            return lit_accept(p);
        return parse_fail(p, IMAP_PARSER_BAD_SYNTAX,
                          "Missing CRLF after literal size");
    case PS_RAW:            return st_raw(p, c);
    default:
        panic("imap_parser: byte in state %d", (int)p->state);
    }
}

/* parse_byte - line ending, length accounting and the scanner, then the
 * state handler */
static int parse_byte(struct imap_parser *p, unsigned char c)
{
    p->cur_lf = c == '\n';
    if (c == '\n')
        p->sk = SK_TEXT;
    else
        scan_byte(p, c);
    if (p->saw_cr) {
        if (c != '\n')
            return parse_fail(p, IMAP_PARSER_BAD_SYNTAX, "CR not followed by LF");
        p->saw_cr = false;
    } else if (c == '\r') {
        p->saw_cr = true;
        return R_CONT;
    } else if (c != '\n' && ++p->line_len > p->limits.max_line) {
        return parse_fail(p, IMAP_PARSER_LINE_TOO_LONG,
                          "Command line too long (limit %zu bytes)",
                          p->limits.max_line);
    }
    return dispatch(p, c);
}

/* ------------------------------------------------------------------------
 * Public entry points.
 */

int imap_parser_feed(struct imap_parser *p, const void *data, size_t len,
                     size_t *consumed_r)
{
    const unsigned char *d = data;
    size_t i = 0;

    *consumed_r = 0;
    if (p->state == PS_DONE)
        imap_parser_reset(p);
    if (p->state == PS_ERROR)
        return p->error;
    if (p->state == PS_STREAM_PENDING) {
        p->state = PS_STREAMING;
        return IMAP_PARSER_LITERAL_STREAM;
    }
    assert(p->state != PS_STREAMING);
    while (i < len) {
        int r;
        if (p->state == PS_LITERAL) {
            uint64_t left = p->lit_size - p->lit_pos;
            size_t n = len - i < left ? len - i : (size_t)left;
            memcpy(p->lit_data + p->lit_pos, d + i, n);
            p->lit_pos += n;
            i += n;
            if (p->lit_pos == p->lit_size)
                p->state = PS_AFTER_ARG;
            continue;
        }
        r = parse_byte(p, d[i++]);
        if (r != R_CONT) {
            *consumed_r = i;
            return r;
        }
    }
    *consumed_r = i;
    return IMAP_PARSER_NEED_MORE;
}

const char *imap_parser_tag(const struct imap_parser *p)
{
    return p->tag;
}

const char *imap_parser_command(const struct imap_parser *p)
{
    return p->command;
}

const struct imap_arg *imap_parser_args(const struct imap_parser *p,
                                        size_t *count_r)
{
    *count_r = p->frames[0].count;
    return p->frames[0].args ? p->frames[0].args : &eol_arg;
}

uint64_t imap_parser_stream_size(const struct imap_parser *p)
{
    return p->lit_size;
}

void imap_parser_literal_streamed(struct imap_parser *p)
{
    assert(p->state == PS_STREAMING);
    p->state = PS_AFTER_ARG;
}

const char *imap_parser_error(const struct imap_parser *p)
{
    return p->state == PS_ERROR ? p->errmsg.s : NULL;
}

bool imap_parser_error_is_fatal(const struct imap_parser *p)
{
    return p->state == PS_ERROR && p->fatal;
}

int imap_parser_skip_line(struct imap_parser *p, const void *data, size_t len,
                          size_t *consumed_r)
{
    const unsigned char *d = data;
    size_t i = 0;

    assert(p->state == PS_ERROR);
    *consumed_r = 0;
    if (p->fatal)
        return -1;
    if (p->err_at_eol) {
        imap_parser_reset(p);
        return 1;
    }
    while (i < len) {
        unsigned char c;
        if (p->sk_remaining > 0) {
            size_t n = len - i < p->sk_remaining ? len - i : (size_t)p->sk_remaining;
            p->sk_remaining -= n;
            i += n;
            continue;
        }
        c = d[i++];
        if (c != '\n') {
            scan_byte(p, c);
            continue;
        }
        if (p->sk == SK_CLOSED && p->sk_nonsync && !p->raw) {
            p->sk = SK_TEXT;
            if (nonsync_fatal(p, p->sk_ovf, p->sk_n)) {
                p->fatal = true;
                parse_fail(p, IMAP_PARSER_LITERAL_TOO_BIG,
                           "Non-synchronising literal too big to discard");
                *consumed_r = i;
                return -1;
            }
            p->sk_remaining = p->sk_n;
            continue;
        }
        imap_parser_reset(p);
        *consumed_r = i;
        return 1;
    }
    *consumed_r = i;
    return 0;
}

void imap_parser_begin_raw_line(struct imap_parser *p)
{
    if (p->state == PS_DONE)
        imap_parser_reset(p);
    assert(p->state == PS_TAG && p->line_len == 0 && !p->saw_cr);
    p->raw = true;
    p->state = PS_RAW;
}

const char *imap_parser_raw_line(const struct imap_parser *p, size_t *len_r)
{
    *len_r = p->raw_len;
    return p->raw_line;
}

size_t imap_parser_memory_used(const struct imap_parser *p)
{
    return arena_total(&p->arena);
}
