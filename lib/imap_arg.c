/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_arg.c - reading and rendering the argument tree the IMAP parser
 * builds (lib/imap_parser.h).
 *
 * Typed getters let command handlers take an atom, astring, nstring, list
 * or literal without knowing the wire form; rendering writes arguments
 * back in IMAP syntax for a proxy or, without literal data, for logs.
 * Pure functions over parser-owned memory; no allocation except in the
 * caller's buffer.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/imap_parser.h"
#include "lib/str.h"

/* ------------------------------------------------------------------------
 * Getters.
 */

/* is_text_value - a string-valued arg usable as a C string */
static bool is_text_value(const struct imap_arg *arg)
{
    if (arg->type == IMAP_ARG_STRING)
        return memchr(arg->u.str.s, 0, arg->u.str.len) == NULL;
    if (arg->type == IMAP_ARG_LITERAL)
        return !(arg->flags & IMAP_ARG_FLAG_LITERAL8) &&
               memchr(arg->u.str.s, 0, arg->u.str.len) == NULL;
    return false;
}

bool imap_arg_get_atom(const struct imap_arg *arg, const char **str_r)
{
    if (arg->type != IMAP_ARG_ATOM && arg->type != IMAP_ARG_NIL)
        return false;
    *str_r = arg->u.str.s;
    return true;
}

bool imap_arg_get_string(const struct imap_arg *arg, const char **str_r)
{
    if (!is_text_value(arg))
        return false;
    *str_r = arg->u.str.s;
    return true;
}

bool imap_arg_get_astring(const struct imap_arg *arg, const char **str_r)
{
    return imap_arg_get_atom(arg, str_r) || imap_arg_get_string(arg, str_r);
}

bool imap_arg_get_nstring(const struct imap_arg *arg, const char **str_r)
{
    if (arg->type == IMAP_ARG_NIL) {
        *str_r = NULL;
        return true;
    }
    return imap_arg_get_string(arg, str_r);
}

bool imap_arg_get_data(const struct imap_arg *arg, const char **data_r,
                       size_t *len_r)
{
    if (arg->type != IMAP_ARG_STRING && arg->type != IMAP_ARG_LITERAL)
        return false;
    *data_r = arg->u.str.s;
    *len_r = arg->u.str.len;
    return true;
}

bool imap_arg_get_list(const struct imap_arg *arg,
                       const struct imap_arg **list_r, size_t *count_r)
{
    if (arg->type != IMAP_ARG_LIST)
        return false;
    *list_r = arg->u.list.args;
    *count_r = arg->u.list.count;
    return true;
}

bool imap_arg_get_literal_size(const struct imap_arg *arg, uint64_t *size_r)
{
    if (arg->type == IMAP_ARG_LITERAL_SIZE)
        *size_r = arg->u.literal_size;
    else if (arg->type == IMAP_ARG_LITERAL)
        *size_r = arg->u.str.len;
    else
        return false;
    return true;
}

bool imap_arg_atom_equals(const struct imap_arg *arg, const char *s)
{
    return arg->type == IMAP_ARG_ATOM && str_casecmp(arg->u.str.s, s) == 0;
}

/* ------------------------------------------------------------------------
 * Rendering.
 */

/* render_literal - a literal header and, unless NO_DATA, its data */
static void render_literal(const struct imap_arg *a, uint64_t size,
                           const char *data, unsigned flags, struct buf *out)
{
    buf_printf(out, "%s{%" PRIu64 "%s}",
               (a->flags & IMAP_ARG_FLAG_LITERAL8) ? "~" : "", size,
               (flags & IMAP_RENDER_NONSYNC) ? "+" : "");
    if (flags & IMAP_RENDER_NO_DATA)
        return;
    buf_appendcstr(out, "\r\n");
    if (data)
        buf_appendmap(out, data, (size_t)size);
}

/* render_arg - one argument */
static void render_arg(const struct imap_arg *a, unsigned flags, struct buf *out)
{
    switch (a->type) {
    case IMAP_ARG_NIL:
    case IMAP_ARG_ATOM:
        buf_appendmap(out, a->u.str.s, a->u.str.len);
        break;
    case IMAP_ARG_STRING:
        if (memchr(a->u.str.s, '\r', a->u.str.len) ||
            memchr(a->u.str.s, '\n', a->u.str.len) ||
            memchr(a->u.str.s, '\0', a->u.str.len)) {
            render_literal(a, a->u.str.len, a->u.str.s, flags, out);
            break;
        }
        buf_putc(out, '"');
        for (size_t i = 0; i < a->u.str.len; i++) {
            if (a->u.str.s[i] == '"' || a->u.str.s[i] == '\\')
                buf_putc(out, '\\');
            buf_putc(out, a->u.str.s[i]);
        }
        buf_putc(out, '"');
        break;
    case IMAP_ARG_LITERAL:
        render_literal(a, a->u.str.len, a->u.str.s, flags, out);
        break;
    case IMAP_ARG_LITERAL_SIZE:
        render_literal(a, a->u.literal_size, NULL, flags, out);
        break;
    case IMAP_ARG_LIST:
        buf_putc(out, '(');
        imap_args_render(a->u.list.args, a->u.list.count, flags, out);
        buf_putc(out, ')');
        break;
    case IMAP_ARG_EOL:
        break;
    }
}

void imap_args_render(const struct imap_arg *args, size_t count,
                      unsigned flags, struct buf *out)
{
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            buf_putc(out, ' ');
        render_arg(&args[i], flags, out);
    }
}
