/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cyrusconf.c - read cyrus.conf into a list of typed entries.
 *
 * Used by master at start and on SIGHUP.  A small lexer turns the text
 * into braces, bare words and key=value words; the parser groups them into
 * sections and entries and converts each value with a per-key table.
 * Errors stop the parse (the caller keeps its old configuration); unknown
 * keys only add a warning.  No global state except the error message.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/cyrusconf.h"
#include "lib/limits.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* Largest cyrus.conf we read (a real one is a few KiB). */
#define CYRUSCONF_MAX_FILE (1024 * 1024)

static struct buf errbuf = BUF_INIT;

enum tok_type { TOK_EOF, TOK_LBRACE, TOK_RBRACE, TOK_WORD, TOK_KV };

struct lexer {
    const char *name;    /* file name for messages */
    const char *p, *end;
    const char *line_start;
    unsigned line;
    /* current token */
    enum tok_type type;
    unsigned tok_line;
    struct buf key, value;
};

/* set_error - format the module's error message */
static int set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int set_error(const char *fmt, ...)
{
    va_list ap;
    buf_reset(&errbuf);
    va_start(ap, fmt);
    buf_vprintf(&errbuf, fmt, ap);
    va_end(ap);
    return -1;
}

/* lex_newline - account for the newline at lx->p */
static int lex_newline(struct lexer *lx)
{
    if (lx->p > lx->line_start &&
        (size_t)(lx->p - lx->line_start) > LIMIT_CONFIG_LINE)
        return set_error("%s:%u: line too long (limit %d bytes)", lx->name,
                         lx->line, LIMIT_CONFIG_LINE);
    lx->line++;
    lx->line_start = lx->p + 1;
    return 1;
}

/* lex_quoted - read a "..." value (lx->p at the opening quote) */
static int lex_quoted(struct lexer *lx)
{
    unsigned start_line = lx->line;
    for (lx->p++; lx->p < lx->end; lx->p++) {
        char c = *lx->p;
        if (c == '"') {
            lx->p++;
            return 1;
        }
        if (c == '\\' && lx->p + 1 < lx->end &&
            (lx->p[1] == '"' || lx->p[1] == '\\'))
            c = *++lx->p;
        else if (c == '\n' && lex_newline(lx) < 0)
            return -1;
        buf_putc(&lx->value, c);
    }
    return set_error("%s:%u: unterminated quoted string", lx->name, start_line);
}

/* is_word_end - true for bytes that end a bare word */
static int is_word_end(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '{' ||
           c == '}' || c == '=' || c == '"';
}

/* lex_next - read the next token; 1 ok (type may be TOK_EOF), -1 error */
static int lex_next(struct lexer *lx)
{
    buf_reset(&lx->key);
    buf_reset(&lx->value);
    for (;;) {
        if (lx->p >= lx->end) {
            if (lex_newline(lx) < 0) /* the last line may lack its newline */
                return -1;
            lx->line--;
            lx->type = TOK_EOF;
            lx->tok_line = lx->line;
            return 1;
        }
        if (*lx->p == '\n') {
            if (lex_newline(lx) < 0)
                return -1;
        } else if (*lx->p == '#') {
            while (lx->p + 1 < lx->end && lx->p[1] != '\n')
                lx->p++;
        } else if (*lx->p == '\0') {
            return set_error("%s:%u: NUL byte in file", lx->name, lx->line);
        } else if (!strchr(" \t\r\f\v", *lx->p)) {
            break;
        }
        lx->p++;
    }
    lx->tok_line = lx->line;
    if (*lx->p == '{' || *lx->p == '}') {
        lx->type = *lx->p++ == '{' ? TOK_LBRACE : TOK_RBRACE;
        return 1;
    }
    while (lx->p < lx->end && !is_word_end(*lx->p) && *lx->p != '\0')
        buf_putc(&lx->key, *lx->p++);
    if (lx->key.len == 0)
        return set_error("%s:%u: unexpected '%c'", lx->name, lx->line, *lx->p);
    if (lx->p >= lx->end || *lx->p != '=') {
        lx->type = TOK_WORD;
        return 1;
    }
    lx->p++;
    lx->type = TOK_KV;
    if (lx->p < lx->end && *lx->p == '"')
        return lex_quoted(lx);
    while (lx->p < lx->end && !is_word_end(*lx->p) && *lx->p != '\0')
        buf_putc(&lx->value, *lx->p++);
    return 1;
}

/* ---- value converters ---- */

enum key_kind { KEY_CMD, KEY_LISTEN, KEY_PROTO, KEY_INT, KEY_SWITCH, KEY_AT };

#define IN_START    (1u << CYRUSCONF_START)
#define IN_SERVICES (1u << CYRUSCONF_SERVICES)
#define IN_EVENTS   (1u << CYRUSCONF_EVENTS)
#define IN_DAEMON   (1u << CYRUSCONF_DAEMON)
#define IN_ALL      (IN_START | IN_SERVICES | IN_EVENTS | IN_DAEMON)

static const struct key_def {
    const char *name;
    unsigned sections;
    enum key_kind kind;
    size_t offset; /* of the int field, for KEY_INT/KEY_SWITCH */
    long min, max;
} key_defs[] = {
    { "cmd", IN_ALL, KEY_CMD, 0, 0, 0 },
    { "listen", IN_SERVICES, KEY_LISTEN, 0, 0, 0 },
    { "proto", IN_SERVICES, KEY_PROTO, 0, 0, 0 },
    { "prefork", IN_SERVICES, KEY_INT, offsetof(struct cyrusconf_entry, prefork),
      0, CYRUSCONF_MAX_PREFORK },
    { "maxchild", IN_SERVICES, KEY_INT,
      offsetof(struct cyrusconf_entry, maxchild), -1, CYRUSCONF_MAX_MAXCHILD },
    { "maxforkrate", IN_SERVICES, KEY_INT,
      offsetof(struct cyrusconf_entry, maxforkrate), 0, CYRUSCONF_MAX_FORKRATE },
    { "maxfds", IN_SERVICES, KEY_INT, offsetof(struct cyrusconf_entry, maxfds),
      0, CYRUSCONF_MAX_MAXFDS },
    { "babysit", IN_SERVICES, KEY_SWITCH,
      offsetof(struct cyrusconf_entry, babysit), 0, 1 },
    { "period", IN_EVENTS, KEY_INT, offsetof(struct cyrusconf_entry, period),
      0, CYRUSCONF_MAX_PERIOD },
    { "at", IN_EVENTS, KEY_AT, 0, 0, 0 },
    { "wait", IN_DAEMON, KEY_SWITCH, offsetof(struct cyrusconf_entry, wait), 0, 1 },
};

/* parse_switch - the switch words of cfg_parse_switch(), plus y/n (Cyrus
 * documents wait=y) and any non-negative integer, non-zero meaning on
 * (Cyrus reads babysit=N as a number) */
static int parse_switch(const char *s, int *val_r)
{
    long n;
    int r = cfg_parse_switch(s);

    if (r < 0 && (str_casecmp(s, "y") == 0 || str_casecmp(s, "n") == 0))
        r = str_casecmp(s, "y") == 0;
    if (r < 0 && str_parse_long(s, 0, 1000000, &n) > 0)
        r = n != 0;
    if (r < 0)
        return -1;
    *val_r = r;
    return 1;
}

int cyrusconf_parse_at(const char *s, int *minutes_r)
{
    long v;
    size_t n = strlen(s);
    if (n < 1 || n > 4 || strspn(s, "0123456789") != n ||
        str_parse_long(s, 0, 2359, &v) < 0 || v % 100 > 59)
        return -1;
    *minutes_r = (int)(v / 100) * 60 + (int)(v % 100);
    return 1;
}

/* set_value - convert one key=value into the entry; -1 on error */
static int set_value(const struct lexer *lx, struct cyrusconf_entry *e,
                     const struct key_def *k, const char *v)
{
    const char *err;
    long n;
    int sw;

    switch (k->kind) {
    case KEY_CMD:
        strarray_fini(&e->argv);
        if (cyrusconf_split_cmd(v, &e->argv, &err) < 0)
            return set_error("%s:%u: entry %s: cmd: %s", lx->name, lx->tok_line,
                             e->name, err);
        free(e->cmdline);
        e->cmdline = xstrdup(v);
        return 1;
    case KEY_LISTEN:
        cyrusconf_listen_fini(&e->listen);
        free(e->listen_str);
        e->listen_str = xstrdup(v);
        if (cyrusconf_parse_listen(v, &e->listen, &err) < 0) {
            char *msg = xstrdup(err);
            set_error("%s:%u: entry %s: listen: %s", lx->name, lx->tok_line,
                      e->name, msg);
            free(msg);
            return -1;
        }
        return 1;
    case KEY_PROTO:
        if (strcmp(v, "tcp") == 0)
            e->proto = CYRUSCONF_PROTO_TCP;
        else if (strcmp(v, "tcp4") == 0)
            e->proto = CYRUSCONF_PROTO_TCP4;
        else if (strcmp(v, "tcp6") == 0)
            e->proto = CYRUSCONF_PROTO_TCP6;
        else
            return set_error("%s:%u: entry %s: proto: '%s' is not supported "
                             "(allowed: tcp, tcp4, tcp6)", lx->name,
                             lx->tok_line, e->name, v);
        return 1;
    case KEY_INT:
        if (str_parse_long(v, k->min, k->max, &n) < 0)
            return set_error("%s:%u: entry %s: %s: '%s' is not a number in "
                             "range (allowed: %ld..%ld)", lx->name, lx->tok_line,
                             e->name, k->name, v, k->min, k->max);
        *(int *)((char *)e + k->offset) = (int)n;
        return 1;
    case KEY_SWITCH:
        if (parse_switch(v, &sw) < 0)
            return set_error("%s:%u: entry %s: %s: '%s' is not a switch "
                             "(allowed: 0, 1, yes, no, true, false, on, off)",
                             lx->name, lx->tok_line, e->name, k->name, v);
        *(int *)((char *)e + k->offset) = sw;
        return 1;
    case KEY_AT:
        if (cyrusconf_parse_at(v, &e->at) < 0)
            return set_error("%s:%u: entry %s: at: '%s' is not a time "
                             "(allowed: HHMM, 0000..2359)", lx->name,
                             lx->tok_line, e->name, v);
        return 1;
    }
    return 1;
}

/* entry_new - an entry with the documented defaults */
static struct cyrusconf_entry *entry_new(enum cyrusconf_section section,
                                         const char *name, unsigned line)
{
    struct cyrusconf_entry *e = xzmalloc(sizeof(*e));
    e->section = section;
    e->name = xstrdup(name);
    e->line = line;
    e->proto = CYRUSCONF_PROTO_TCP;
    e->maxchild = CYRUSCONF_DEFAULT_MAXCHILD;
    e->maxfds = CYRUSCONF_DEFAULT_MAXFDS;
    e->at = -1;
    return e;
}

/* entry_free - free one entry */
static void entry_free(struct cyrusconf_entry *e)
{
    if (!e)
        return;
    free(e->name);
    free(e->cmdline);
    free(e->listen_str);
    strarray_fini(&e->argv);
    cyrusconf_listen_fini(&e->listen);
    free(e);
}

/* add_key - apply key=value from the lexer to the current entry */
static int add_key(struct lexer *lx, struct cyrusconf *conf,
                   struct cyrusconf_entry *e)
{
    const char *key = buf_cstring(&lx->key);
    const char *value = buf_cstring(&lx->value);

    for (size_t i = 0; i < sizeof(key_defs) / sizeof(key_defs[0]); i++) {
        const struct key_def *k = &key_defs[i];
        if (strcmp(k->name, key) != 0)
            continue;
        if (!(k->sections & (1u << e->section))) {
            struct buf w = BUF_INIT;
            buf_printf(&w, "%s:%u: entry %s: key %s is not used in section %s, "
                       "ignored", lx->name, lx->tok_line, e->name, key,
                       cyrusconf_section_name(e->section));
            strarray_appendm(&conf->warnings, buf_release(&w));
            return 1;
        }
        return set_value(lx, e, k, value);
    }
    struct buf w = BUF_INIT;
    buf_printf(&w, "%s:%u: entry %s: unknown key %s, ignored", lx->name,
               lx->tok_line, e->name, key);
    strarray_appendm(&conf->warnings, buf_release(&w));
    return 1;
}

/* finish_entry - check required keys and duplicates, then store e */
static int finish_entry(const struct lexer *lx, struct cyrusconf *conf,
                        struct cyrusconf_entry *e)
{
    size_t nservices = 0;

    if (!e->cmdline)
        return set_error("%s:%u: entry %s: cmd= is required", lx->name,
                         e->line, e->name);
    if (e->section == CYRUSCONF_SERVICES && !e->listen_str)
        return set_error("%s:%u: entry %s: listen= is required in SERVICES",
                         lx->name, e->line, e->name);
    if (e->section == CYRUSCONF_EVENTS && e->at >= 0)
        e->period = 1440;
    for (size_t i = 0; i < conf->count; i++) {
        const struct cyrusconf_entry *o = conf->entries[i];
        nservices += o->section == CYRUSCONF_SERVICES;
        if (e->section != CYRUSCONF_START && o->section == e->section &&
            strcmp(o->name, e->name) == 0)
            return set_error("%s:%u: entry %s: duplicate name in section %s "
                             "(first at line %u)", lx->name, e->line, e->name,
                             cyrusconf_section_name(e->section), o->line);
    }
    if (e->section == CYRUSCONF_SERVICES && nservices >= LIMIT_SERVICES)
        return set_error("%s:%u: entry %s: too many services (limit %d)",
                         lx->name, e->line, e->name, LIMIT_SERVICES);
    conf->entries = xreallocarray(conf->entries, conf->count + 1,
                                  sizeof(*conf->entries));
    conf->entries[conf->count++] = e;
    return 1;
}

/* check_name - entry names are alphanumeric (cyrus.conf(5)) */
static int check_name(const struct lexer *lx, const char *name)
{
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9')))
            return set_error("%s:%u: entry %s: names may only contain letters "
                             "and digits", lx->name, lx->tok_line, name);
    return 1;
}

/* parse_section - parse entries up to the closing brace */
static int parse_section(struct lexer *lx, struct cyrusconf *conf,
                         enum cyrusconf_section section)
{
    struct cyrusconf_entry *e = NULL;
    unsigned open_line = lx->tok_line;

    for (;;) {
        if (lex_next(lx) < 0)
            goto fail;
        switch (lx->type) {
        case TOK_EOF:
            set_error("%s:%u: section %s opened here is missing '}'", lx->name,
                      open_line, cyrusconf_section_name(section));
            goto fail;
        case TOK_LBRACE:
            set_error("%s:%u: unexpected '{' inside section %s", lx->name,
                      lx->tok_line, cyrusconf_section_name(section));
            goto fail;
        case TOK_RBRACE:
        case TOK_WORD:
            if (e && finish_entry(lx, conf, e) < 0)
                goto fail;
            e = NULL;
            if (lx->type == TOK_RBRACE)
                return 1;
            if (check_name(lx, buf_cstring(&lx->key)) < 0)
                return -1;
            e = entry_new(section, buf_cstring(&lx->key), lx->tok_line);
            break;
        case TOK_KV:
            if (!e) {
                set_error("%s:%u: %s= outside an entry (expected an entry name)",
                          lx->name, lx->tok_line, buf_cstring(&lx->key));
                goto fail;
            }
            if (add_key(lx, conf, e) < 0)
                goto fail;
            break;
        }
    }
fail:
    entry_free(e);
    return -1;
}

/* section_from_name - map a section word; -1 if unknown */
static int section_from_name(const char *s)
{
    for (int i = CYRUSCONF_START; i <= CYRUSCONF_DAEMON; i++)
        if (str_casecmp(s, cyrusconf_section_name((enum cyrusconf_section)i)) == 0)
            return i;
    return -1;
}

/* parse_all - the top level: SECTION { ... } ... */
static int parse_all(struct lexer *lx, struct cyrusconf *conf)
{
    for (;;) {
        int section;
        if (lex_next(lx) < 0)
            return -1;
        if (lx->type == TOK_EOF)
            return 1;
        if (lx->type != TOK_WORD)
            return set_error("%s:%u: expected a section name (START, SERVICES, "
                             "EVENTS or DAEMON)", lx->name, lx->tok_line);
        section = section_from_name(buf_cstring(&lx->key));
        if (section < 0)
            return set_error("%s:%u: unknown section '%s' (allowed: START, "
                             "SERVICES, EVENTS, DAEMON)", lx->name, lx->tok_line,
                             buf_cstring(&lx->key));
        if (lex_next(lx) < 0)
            return -1;
        if (lx->type != TOK_LBRACE)
            return set_error("%s:%u: expected '{' after %s", lx->name,
                             lx->tok_line,
                             cyrusconf_section_name((enum cyrusconf_section)section));
        if (parse_section(lx, conf, (enum cyrusconf_section)section) < 0)
            return -1;
    }
}

int cyrusconf_parse(const char *name, const char *text, size_t len,
                    struct cyrusconf **conf_r, const char **error_r)
{
    struct lexer lx;
    struct cyrusconf *conf = xzmalloc(sizeof(*conf));
    int r;

    memset(&lx, 0, sizeof(lx));
    lx.name = name;
    lx.p = lx.line_start = text;
    lx.end = text + len;
    lx.line = 1;
    conf->path = xstrdup(name);
    r = parse_all(&lx, conf);
    buf_free(&lx.key);
    buf_free(&lx.value);
    if (r < 0) {
        cyrusconf_free(&conf);
        *error_r = buf_cstring(&errbuf);
        return -1;
    }
    *conf_r = conf;
    return 1;
}

int cyrusconf_load(const char *path, struct cyrusconf **conf_r,
                   const char **error_r)
{
    struct buf text = BUF_INIT;
    char chunk[8192];
    ssize_t n;
    int fd, r;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_error("%s: cannot open: %s", path, strerror(errno));
        *error_r = buf_cstring(&errbuf);
        return -1;
    }
    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || text.len + (size_t)n > CYRUSCONF_MAX_FILE) {
            if (n < 0)
                set_error("%s: read error: %s", path, strerror(errno));
            else
                set_error("%s: file too large (limit %d bytes)", path,
                          CYRUSCONF_MAX_FILE);
            close(fd);
            buf_free(&text);
            *error_r = buf_cstring(&errbuf);
            return -1;
        }
        buf_appendmap(&text, chunk, (size_t)n);
    }
    close(fd);
    r = cyrusconf_parse(path, text.s ? text.s : "", text.len, conf_r, error_r);
    buf_free(&text);
    return r;
}

void cyrusconf_free(struct cyrusconf **confp)
{
    struct cyrusconf *conf = *confp;
    if (!conf)
        return;
    for (size_t i = 0; i < conf->count; i++)
        entry_free(conf->entries[i]);
    free(conf->entries);
    free(conf->path);
    strarray_fini(&conf->warnings);
    free(conf);
    *confp = NULL;
}

const struct cyrusconf_entry *cyrusconf_find(const struct cyrusconf *conf,
                                             enum cyrusconf_section section,
                                             const char *name)
{
    for (size_t i = 0; i < conf->count; i++)
        if (conf->entries[i]->section == section &&
            strcmp(conf->entries[i]->name, name) == 0)
            return conf->entries[i];
    return NULL;
}

const char *cyrusconf_section_name(enum cyrusconf_section section)
{
    static const char *const names[] = { "START", "SERVICES", "EVENTS", "DAEMON" };
    return (unsigned)section < 4 ? names[section] : "?";
}

int cyrusconf_split_cmd(const char *cmd, struct strarray *argv,
                        const char **error_r)
{
    struct buf word = BUF_INIT;
    size_t start = argv->count;
    const char *p = cmd;

    for (;;) {
        int have = 0;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p)
            break;
        buf_reset(&word);
        while (*p && !strchr(" \t\n\r", *p)) {
            char q = *p;
            have = 1;
            if (q == '\'' || q == '"') {
                for (p++; *p && *p != q; p++) {
                    if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    buf_putc(&word, *p);
                }
                if (!*p)
                    goto unterminated;
                p++;
            } else if (q == '\\') {
                if (!p[1]) {
                    buf_free(&word);
                    *error_r = "trailing backslash";
                    return -1;
                }
                buf_putc(&word, p[1]);
                p += 2;
            } else {
                buf_putc(&word, *p++);
            }
        }
        if (have)
            strarray_append(argv, buf_cstring(&word));
    }
    buf_free(&word);
    if (argv->count == start) {
        *error_r = "empty command";
        return -1;
    }
    return 1;
unterminated:
    buf_free(&word);
    strarray_truncate(argv, start);
    *error_r = "unterminated quote";
    return -1;
}

/* check_port - 1..65535 or a tcp service name known to /etc/services */
static int check_port(const char *port, const char **error_r)
{
    long n;
    if (!*port) {
        *error_r = "missing port (allowed: /path, port, host:port, [v6addr]:port)";
        return -1;
    }
    if (strspn(port, "0123456789") == strlen(port)) {
        if (str_parse_long(port, 1, 65535, &n) < 0) {
            *error_r = "port out of range (allowed: 1..65535)";
            return -1;
        }
        return 1;
    }
    if (!getservbyname(port, "tcp")) {
        set_error("unknown service name '%s' (not in /etc/services)", port);
        *error_r = buf_cstring(&errbuf);
        return -1;
    }
    return 1;
}

int cyrusconf_parse_listen(const char *s, struct cyrusconf_listen *l,
                           const char **error_r)
{
    const char *colon;

    memset(l, 0, sizeof(*l));
    if (strchr(s, '/')) {
        struct sockaddr_un sun;
        if (strlen(s) >= sizeof(sun.sun_path)) {
            *error_r = "unix socket path too long (limit 107 bytes)";
            return -1;
        }
        l->is_unix = 1;
        l->path = xstrdup(s);
        return 1;
    }
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close == s + 1 || close[1] != ':') {
            *error_r = "bad bracketed address (allowed: [v6addr]:port)";
            return -1;
        }
        if (check_port(close + 2, error_r) < 0)
            return -1;
        l->host = xstrndup(s + 1, (size_t)(close - s - 1));
        l->port = xstrdup(close + 2);
        return 1;
    }
    colon = strchr(s, ':');
    if (colon && strchr(colon + 1, ':')) {
        *error_r = "IPv6 addresses must be in brackets (allowed: [v6addr]:port)";
        return -1;
    }
    if (colon == s) {
        *error_r = "missing host before ':' (allowed: port, host:port)";
        return -1;
    }
    if (check_port(colon ? colon + 1 : s, error_r) < 0)
        return -1;
    if (colon)
        l->host = xstrndup(s, (size_t)(colon - s));
    l->port = xstrdup(colon ? colon + 1 : s);
    return 1;
}

void cyrusconf_listen_fini(struct cyrusconf_listen *l)
{
    free(l->path);
    free(l->host);
    free(l->port);
    memset(l, 0, sizeof(*l));
}

int cyrusconf_same_listen(const struct cyrusconf_entry *a,
                          const struct cyrusconf_entry *b)
{
    return a->listen_str && b->listen_str &&
           strcmp(a->listen_str, b->listen_str) == 0 && a->proto == b->proto;
}
