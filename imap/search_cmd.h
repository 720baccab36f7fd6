/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search_cmd.h - what SEARCH, SORT and THREAD (cmd-search.c, cmd-sort.c,
 * cmd-thread.c) share: parsing the search program of a command against
 * the selected mailbox and answering its errors.
 */
#ifndef IMAP_SEARCH_CMD_H
#define IMAP_SEARCH_CMD_H

#include <stddef.h>

#include "imap/imap_commands.h"
#include "imap/search_expr.h"

/* search_cmd_program - parse args[0..argc) (the search keys) with CHARSET
 * charset (NULL: none given) against cmd's selected mailbox.  Returns the
 * tree (free with search_expr_free), or NULL after answering the command:
 * "BAD <reason>" or "NO [BADCHARSET (UTF-8 US-ASCII)]".  A MODSEQ key
 * turns CONDSTORE on for the session (RFC 7162 3.1) and sets *modseq_r
 * (may be NULL). */
struct search_node *search_cmd_program(struct imap_cmd *cmd,
                                       const struct imap_arg *args,
                                       size_t argc, const char *charset,
                                       bool *modseq_r);

#endif /* IMAP_SEARCH_CMD_H */
