/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-id.c - ID (RFC 2971): any state.  The client's fields are checked
 * against the RFC's bounds and logged ("client id ..."); we answer with our
 * name and version, or NIL when imapidresponse is off.
 */
#include "config.h"

#include <string.h>

#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/log.h"

/* log_value - append s to out with control bytes, '<' and '>' dropped */
static void log_value(struct buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != 0x7f && c != '<' && c != '>')
            buf_putc(out, (char)c);
    }
}

int imap_id_parse(const struct imap_arg *args, size_t argc, struct buf *out,
                  const char **error_r)
{
    const struct imap_arg *list;
    size_t n;

    buf_reset(out);
    if (argc != 1) {
        *error_r = "ID takes one argument: NIL or a list";
        return -1;
    }
    if (args[0].type == IMAP_ARG_NIL)
        return 1;
    if (!imap_arg_get_list(&args[0], &list, &n) || n % 2) {
        *error_r = "Invalid ID list";
        return -1;
    }
    if (n / 2 > IMAP_ID_MAX_PAIRS) {
        *error_r = "Too many ID fields";
        return -1;
    }
    for (size_t i = 0; i < n; i += 2) {
        const char *field, *value;

        if (!imap_arg_get_string(&list[i], &field) ||
            !imap_arg_get_nstring(&list[i + 1], &value)) {
            *error_r = "ID fields and values must be strings";
            return -1;
        }
        if (strlen(field) > IMAP_ID_MAX_FIELD || (value && strlen(value) > IMAP_ID_MAX_VALUE)) {
            *error_r = "ID field or value too long";
            return -1;
        }
        if (out->len)
            buf_putc(out, ' ');
        log_value(out, field);
        buf_appendcstr(out, "=<");
        log_value(out, value ? value : "NIL");
        buf_putc(out, '>');
    }
    return 1;
}

bool cmd_id(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    const char *err = NULL;

    if (imap_id_parse(cmd->args, cmd->argc, &s->client_id, &err) < 0) {
        imap_cmd_bad(cmd, "%s", err);
        return true;
    }
    if (s->client_id.len)
        log_info("client id %s", buf_cstring(&s->client_id));
    if (cfg_get_switch(IMAPOPT_IMAPIDRESPONSE))
        imap_untagged(s, "ID (\"name\" \"%s\" \"version\" \"%s\")",
                      PACKAGE_NAME, PACKAGE_VERSION);
    else
        imap_untagged(s, "ID NIL");
    imap_cmd_ok(cmd, "Completed");
    return true;
}
