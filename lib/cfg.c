/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg.c - imapd.conf: reading the file and typed access to the options.
 *
 * Owns the process-wide configuration: a struct cfg_state holding one
 * value per enum imapopt (an array, so typed lookups are O(1)) and a hash
 * of every key as written (for sasl_*, partition-* and cfg_get_raw).
 * The table of options comes from lib/imapopts.c, generated from
 * lib/imapoptions.  cfg_load() builds a new state and swaps it in only when
 * the whole file parsed, so a failed load leaves the old one in force.
 * The syntax follows Cyrus's lib/libconfig.c: comments only where the
 * first non-blank character is '#', trailing '\' continues a line,
 * "@include: file", a key set twice is an error, a service-specific key
 * wins over the generic one whatever the order.
 * Not thread-safe (one process, one service).  Errors go to *error_r in a
 * static buffer; warnings (unknown keys, deprecated names) are kept until
 * the caller, once its logging is set up, calls cfg_log_warnings().
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/hash.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* where a value came from; a higher priority wins, an equal one is a
 * duplicate */
enum cfg_prio {
    PRIO_DEFAULT = 0,
    PRIO_GENERIC = 1, /* "option: value" */
    PRIO_SERVICE = 2, /* "service_option: value" for the loaded service */
};

/* cfg_val - the value of one known option */
struct cfg_val {
    enum cfg_prio prio;
    unsigned line;          /* where it was set (0: default) */
    char *str;              /* STRING/LIST text (owned), NULL if none */
    long num;               /* INT/SWITCH/ENUM */
    struct strarray *list;  /* LIST words, built at the end of the load */
};

/* cfg_raw - one key as written */
struct cfg_raw {
    char *value;
    enum cfg_prio prio;
    unsigned line;
};

struct cfg_state {
    struct cfg_val vals[IMAPOPT_LAST];
    struct hash_table *raw;   /* lower-case key -> struct cfg_raw */
    struct hash_table *files; /* files read in this load (@include) */
    char *path;
    char *service;            /* lower case, NULL for none */
    size_t service_len;
};

/* a load in progress */
struct cfg_loader {
    struct cfg_state *st;
    const char *file;   /* the file being read */
    unsigned lineno;    /* last physical line read */
    unsigned start;     /* first physical line of the current logical line */
    int depth;          /* @include nesting */
};

static struct cfg_state *cur;           /* NULL: defaults, built on demand */
static struct hash_table *opt_index;    /* name -> opt; alias -> -opt */
static char errbuf[LIMIT_CONFIG_LINE + 512];
/* Warnings of the last successful load, held until cfg_log_warnings():
 * the file is read before the program knows where to log (log_file is
 * one of its options), so logging them at once would lose them. */
static struct strarray warnings = STRARRAY_INIT;
static struct strarray loading_warnings = STRARRAY_INIT;

/* warn - keep one warning of the load in progress */
static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    strarray_appendm(&loading_warnings, buf_release(&b));
}

static const char *const switch_true[] = { "1", "yes", "on", "true", "t", NULL };
static const char *const switch_false[] = { "0", "no", "off", "false", "f", NULL };

/* set_error - format the message handed back through error_r */
static int set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
    va_end(ap);
    return -1;
}

/* build_index - the name lookup table, built once per process */
static void build_index(void)
{
    if (opt_index)
        return;
    opt_index = hash_new(IMAPOPT_LAST * 2);
    for (int o = IMAPOPT_ZERO + 1; o < IMAPOPT_LAST; o++)
        hash_insert(opt_index, imapopts[o].name, (void *)(intptr_t)o);
    for (const struct imapopt_alias *a = imapopt_aliases; a->name; a++)
        hash_insert(opt_index, a->name, (void *)(intptr_t)-(intptr_t)a->opt);
}

/* lookup_opt - the option named key (lower case), IMAPOPT_ZERO if none;
 * *alias_r is set when key is a deprecated spelling */
static enum imapopt lookup_opt(const char *key, int *alias_r)
{
    intptr_t v;

    build_index();
    v = (intptr_t)hash_lookup(opt_index, key);
    *alias_r = v < 0;
    return (enum imapopt)(v < 0 ? -v : v);
}

/* is_passthrough - keys outside the table that are never warned about */
static int is_passthrough(const char *key)
{
    return str_has_prefix(key, "sasl_") || str_has_prefix(key, "partition-");
}

/* raw_free - hash destructor */
static void raw_free(void *p)
{
    struct cfg_raw *r = p;
    free(r->value);
    free(r);
}

/* state_free - release a state and NULL the pointer */
static void state_free(struct cfg_state **stp)
{
    struct cfg_state *st = *stp;

    if (!st)
        return;
    for (int o = 0; o < IMAPOPT_LAST; o++) {
        free(st->vals[o].str);
        strarray_free(&st->vals[o].list);
    }
    hash_free(&st->raw, raw_free);
    hash_free(&st->files, NULL);
    free(st->path);
    free(st->service);
    free(st);
    *stp = NULL;
}

/* state_new - a state holding only the numeric defaults */
static struct cfg_state *state_new(const char *path, const char *service)
{
    struct cfg_state *st = xzmalloc(sizeof(*st));

    for (int o = IMAPOPT_ZERO + 1; o < IMAPOPT_LAST; o++)
        st->vals[o].num = imapopts[o].def_num;
    st->raw = hash_new(64);
    st->files = hash_new(4);
    st->path = xstrdupnull(path);
    if (service && *service) {
        st->service = str_lcase(xstrdup(service));
        st->service_len = strlen(st->service);
    }
    return st;
}

/* expand_default - a string default with {configdirectory} replaced */
static char *expand_default(const struct cfg_state *st, const char *def)
{
    static const char var[] = "{configdirectory}";
    const char *p = strstr(def, var);
    struct buf b = BUF_INIT;

    if (!p)
        return xstrdup(def);
    buf_appendmap(&b, def, (size_t)(p - def));
    buf_appendcstr(&b, st->vals[IMAPOPT_CONFIGDIRECTORY].str);
    buf_appendcstr(&b, p + sizeof(var) - 1);
    return buf_release(&b);
}

/* state_finish - fill string defaults and split lists, once every line
 * has been read (defaults may refer to configdirectory) */
static void state_finish(struct cfg_state *st)
{
    /* configdirectory first: other defaults expand it */
    static const enum imapopt first = IMAPOPT_CONFIGDIRECTORY;
    struct cfg_val *cd = &st->vals[first];

    if (!cd->str)
        cd->str = xstrdup(imapopts[first].def_str);
    for (int o = IMAPOPT_ZERO + 1; o < IMAPOPT_LAST; o++) {
        const struct imapopt_def *d = &imapopts[o];
        struct cfg_val *v = &st->vals[o];

        if (d->type != IMAPOPT_TYPE_STRING && d->type != IMAPOPT_TYPE_LIST)
            continue;
        if (v->prio == PRIO_DEFAULT && !v->str) {
            if (d->flags & IMAPOPT_F_DYNAMIC_HOSTNAME) {
                char host[256];
                if (gethostname(host, sizeof(host)) < 0)
                    str_lcpy(host, "localhost", sizeof(host));
                host[sizeof(host) - 1] = '\0';
                v->str = xstrdup(host);
            } else if (d->def_str) {
                v->str = expand_default(st, d->def_str);
            }
        }
        if (d->type == IMAPOPT_TYPE_LIST) {
            v->list = strarray_new();
            if (v->str)
                strarray_split(v->list, v->str, " \t");
        }
    }
}

/* state_get - the configuration in force (the defaults before a load) */
static struct cfg_state *state_get(void)
{
    if (!cur) {
        cur = state_new(NULL, NULL);
        state_finish(cur);
    }
    return cur;
}

int cfg_parse_switch(const char *s)
{
    for (int i = 0; switch_true[i]; i++) {
        if (str_casecmp(s, switch_true[i]) == 0)
            return 1;
        if (str_casecmp(s, switch_false[i]) == 0)
            return 0;
    }
    return -1;
}

/* add_scaled - acc += n * mult, within LONG_MAX; -1 on overflow */
static int add_scaled(uint64_t *acc, uint64_t n, uint64_t mult)
{
    if (n > (uint64_t)LONG_MAX / mult || *acc > (uint64_t)LONG_MAX - n * mult)
        return -1;
    *acc += n * mult;
    return 0;
}

/* parse_duration - "90", "32m", "1h30m" into seconds; a bare number is in
 * defunit seconds.  1 ok, -1 not a duration or too large. */
static int parse_duration(const char *s, uint64_t defunit, uint64_t *secs_r)
{
    uint64_t acc = 0;

    if (!*s)
        return -1;
    while (*s) {
        const char *d = s;
        uint64_t n, mult;

        while (isdigit((unsigned char)*s))
            s++;
        if (str_parse_u64(d, (size_t)(s - d), LONG_MAX, &n) < 0)
            return -1;
        switch (*s ? tolower((unsigned char)*s++) : 0) {
        case 0:   mult = defunit; break;
        case 's': mult = 1; break;
        case 'm': mult = 60; break;
        case 'h': mult = 3600; break;
        case 'd': mult = 86400; break;
        default:  return -1;
        }
        if (add_scaled(&acc, n, mult) < 0)
            return -1;
    }
    *secs_r = acc;
    return 1;
}

/* parse_bytes - "131072", "128K", "1 MiB", "2GB" into bytes */
static int parse_bytes(const char *s, uint64_t *bytes_r)
{
    const char *d = s;
    uint64_t n, mult = 1, acc = 0;

    while (isdigit((unsigned char)*s))
        s++;
    if (str_parse_u64(d, (size_t)(s - d), LONG_MAX, &n) < 0)
        return -1;
    while (*s == ' ')
        s++;
    switch (tolower((unsigned char)*s)) {
    case 'k': mult = 1024; break;
    case 'm': mult = 1024 * 1024; break;
    case 'g': mult = 1024 * 1024 * 1024; break;
    }
    if (mult > 1 && *++s && tolower((unsigned char)*s) == 'i')
        s++;
    if (tolower((unsigned char)*s) == 'b')
        s++;
    if (*s || add_scaled(&acc, n, mult) < 0)
        return -1;
    *bytes_r = acc;
    return 1;
}

/* parse_number - an int option's value in its unit; 1 ok, -1 not a number
 * (or too large to represent) */
static int parse_number(const char *s, enum imapopt_unit unit, long *val_r)
{
    uint64_t v;

    switch (unit) {
    case IMAPOPT_UNIT_NONE:
        return str_parse_long(s, LONG_MIN, LONG_MAX, val_r);
    case IMAPOPT_UNIT_SECONDS:
    case IMAPOPT_UNIT_MINUTES:
        if (parse_duration(s, unit == IMAPOPT_UNIT_MINUTES ? 60 : 1, &v) < 0)
            return -1;
        if (unit == IMAPOPT_UNIT_MINUTES) {
            if (v % 60)
                return -1; /* not a whole number of minutes */
            v /= 60;
        }
        break;
    case IMAPOPT_UNIT_BYTES:
        if (parse_bytes(s, &v) < 0)
            return -1;
        break;
    default:
        panic("cfg: unknown unit %d", (int)unit);
    }
    *val_r = (long)v;
    return 1;
}

/* unit_name - for messages */
static const char *unit_name(enum imapopt_unit unit)
{
    switch (unit) {
    case IMAPOPT_UNIT_SECONDS: return " seconds";
    case IMAPOPT_UNIT_MINUTES: return " minutes";
    case IMAPOPT_UNIT_BYTES:   return " bytes";
    default:                   return "";
    }
}

/* join_values - "a, b, c" for an error message */
static void join_values(struct buf *b, const char *const *values)
{
    for (int i = 0; values[i]; i++) {
        if (i)
            buf_appendcstr(b, ", ");
        buf_appendcstr(b, values[i]);
    }
}

/* parse_enum - index of value in values[] (ASCII case-insensitive); an
 * enum with "on" and "off" values also takes the switch spellings, as
 * Cyrus normalises them.  -1 when not allowed. */
static long parse_enum(const char *value, const char *const *values)
{
    int sw = cfg_parse_switch(value);

    for (long i = 0; values[i]; i++) {
        if (str_casecmp(value, values[i]) == 0)
            return i;
    }
    if (sw >= 0) {
        for (long i = 0; values[i]; i++) {
            if (strcmp(values[i], sw ? "on" : "off") == 0)
                return i;
        }
    }
    return -1;
}

/* set_value - parse value as option o; 1 ok, -1 error in errbuf */
static int set_value(struct cfg_loader *ld, enum imapopt o, const char *key,
                     const char *value)
{
    const struct imapopt_def *d = &imapopts[o];
    struct cfg_val *v = &ld->st->vals[o];
    struct buf allowed = BUF_INIT;
    long n;

    switch (d->type) {
    case IMAPOPT_TYPE_STRING:
    case IMAPOPT_TYPE_LIST:
        free(v->str);
        v->str = xstrdup(value);
        return 1;
    case IMAPOPT_TYPE_SWITCH:
        if ((n = cfg_parse_switch(value)) >= 0)
            break;
        return set_error("%s:%u: %s: '%s' is not a switch (allowed: 1, yes, "
                         "on, true, t, 0, no, off, false, f)",
                         ld->file, ld->start, key, value);
    case IMAPOPT_TYPE_ENUM:
        if ((n = parse_enum(value, d->values)) >= 0)
            break;
        join_values(&allowed, d->values);
        set_error("%s:%u: %s: '%s' is not an allowed value (allowed: %s)",
                  ld->file, ld->start, key, value, buf_cstring(&allowed));
        buf_free(&allowed);
        return -1;
    case IMAPOPT_TYPE_INT:
        if (parse_number(value, d->unit, &n) < 0)
            return set_error("%s:%u: %s: '%s' is not a number (allowed: "
                             "%ld..%ld%s)", ld->file, ld->start, key, value,
                             d->min, d->max, unit_name(d->unit));
        if (n < d->min || n > d->max)
            return set_error("%s:%u: %s: '%s' is out of range (allowed: "
                             "%ld..%ld%s)", ld->file, ld->start, key, value,
                             d->min, d->max, unit_name(d->unit));
        break;
    default:
        panic("cfg: option %s has unknown type %d", d->name, (int)d->type);
    }
    v->num = n;
    return 1;
}

/* raw_set - record value under key (fullkey as written, for messages).
 * 1 stored, 0 ignored (a service override of it was already read),
 * -1 error (set twice). */
static int raw_set(struct cfg_loader *ld, const char *key, const char *fullkey,
                   const char *value, enum cfg_prio prio)
{
    struct cfg_raw *r = hash_lookup(ld->st->raw, key);

    if (r && r->prio == prio)
        return set_error("%s:%u: %s: set twice (first on line %u)",
                         ld->file, ld->start, fullkey, r->line);
    if (r && r->prio > prio)
        return 0;
    if (!r) {
        r = xzmalloc(sizeof(*r));
        hash_insert(ld->st->raw, key, r);
    }
    free(r->value);
    r->value = xstrdup(value);
    r->prio = prio;
    r->line = ld->start;
    return 1;
}

/* set_key - store one "key: value" whose key names option o (or no option
 * when o is IMAPOPT_ZERO) under name at priority prio */
static int set_key(struct cfg_loader *ld, enum imapopt o, int alias,
                   const char *fullkey, const char *name, const char *value,
                   enum cfg_prio prio)
{
    int r;

    if (alias)
        warn("config: deprecated option key=<%s> use=<%s> where=<%s:%u>",
                    fullkey, imapopts[o].name, ld->file, ld->start);
    r = raw_set(ld, o ? imapopts[o].name : name, fullkey, value, prio);
    if (r <= 0 || !o)
        return r;
    if (set_value(ld, o, fullkey, value) < 0)
        return -1;
    ld->st->vals[o].prio = prio;
    ld->st->vals[o].line = ld->start;
    return 1;
}

/* other_service_key - true when key is "X_option" with option a known
 * option or a pass-through key: an override for another service */
static int other_service_key(const char *key)
{
    int alias;

    for (const char *p = strchr(key, '_'); p; p = strchr(p + 1, '_')) {
        if (p > key && (lookup_opt(p + 1, &alias) || is_passthrough(p + 1)))
            return 1;
    }
    return 0;
}

static int load_file(struct cfg_loader *ld, const char *path);

/* do_include - "@include: path" */
static int do_include(struct cfg_loader *ld, const char *path)
{
    struct cfg_loader sub = { ld->st, NULL, 0, 0, ld->depth + 1 };

    if (sub.depth > CFG_INCLUDE_MAX_DEPTH)
        return set_error("%s:%u: @include: '%s' nested too deeply (max %d)",
                         ld->file, ld->start, path, CFG_INCLUDE_MAX_DEPTH);
    return load_file(&sub, path);
}

/* handle_entry - act on one parsed "key: value" (key in lower case) */
static int handle_entry(struct cfg_loader *ld, const char *key,
                        const char *value)
{
    const struct cfg_state *st = ld->st;
    enum imapopt o;
    int alias;

    if (key[0] == '@') {
        if (strcmp(key, "@include") == 0)
            return do_include(ld, value);
        return set_error("%s:%u: %s: unknown directive (allowed: @include)",
                         ld->file, ld->start, key);
    }
    /* "service_option" for the service being loaded */
    if (st->service && strncmp(key, st->service, st->service_len) == 0 &&
        key[st->service_len] == '_') {
        const char *sub = key + st->service_len + 1;
        o = lookup_opt(sub, &alias);
        if (o || is_passthrough(sub))
            return set_key(ld, o, alias, key, sub, value, PRIO_SERVICE);
    }
    o = lookup_opt(key, &alias);
    if (!o && !is_passthrough(key) && !other_service_key(key))
        warn("config: unknown option ignored key=<%s> where=<%s:%u>",
                    key, ld->file, ld->start);
    return set_key(ld, o, alias, key, key, value, PRIO_GENERIC);
}

/* parse_line - split a logical line into key and value, in place.
 * 1 entry, 0 blank or comment, -1 error. */
static int parse_line(struct cfg_loader *ld, char *line)
{
    char *p = line, *key, *value;

    while (isspace((unsigned char)*p))
        p++;
    if (!*p || *p == '#')
        return 0;
    key = p;
    if (*p == '@')
        p++;
    while (isalnum((unsigned char)*p) || *p == '-' || *p == '_') {
        *p = (char)tolower((unsigned char)*p);
        p++;
    }
    if (*p != ':' || p == key || (p == key + 1 && *key == '@'))
        return set_error("%s:%u: invalid option name (expected 'key: value')",
                         ld->file, ld->start);
    *p++ = '\0';
    value = p;
    while (isspace((unsigned char)*value))
        value++;
    p = value + strlen(value);
    while (p > value && isspace((unsigned char)p[-1]))
        *--p = '\0';
    if (!*value)
        return set_error("%s:%u: %s: empty value", ld->file, ld->start, key);
    return handle_entry(ld, key, value) < 0 ? -1 : 1;
}

/* read_line - the next logical line (a trailing '\' joins the next
 * physical line) into b.  1 line, 0 end of file, -1 error. */
static int read_line(struct cfg_loader *ld, FILE *f, struct buf *b)
{
    int c, any = 0;

    buf_reset(b);
    ld->start = ld->lineno + 1;
    for (;;) {
        c = getc(f);
        if (c == EOF) {
            if (ferror(f))
                return set_error("%s:%u: read error: %s", ld->file,
                                 ld->lineno + 1, strerror(errno));
            if (any)
                ld->lineno++;
            return any ? 1 : 0;
        }
        any = 1;
        if (c == '\n') {
            ld->lineno++;
            if (b->len && b->s[b->len - 1] == '\r')
                b->len--;
            if (b->len && b->s[b->len - 1] == '\\') {
                b->len--;
                continue;
            }
            return 1;
        }
        if (c == '\0')
            return set_error("%s:%u: NUL byte in line", ld->file,
                             ld->lineno + 1);
        if (b->len >= LIMIT_CONFIG_LINE)
            return set_error("%s:%u: line too long (max %d bytes)",
                             ld->file, ld->start, LIMIT_CONFIG_LINE);
        buf_putc(b, (char)c);
    }
}

/* load_file - read one file (the main one or an @include) into ld->st */
static int load_file(struct cfg_loader *ld, const char *path)
{
    struct buf line = BUF_INIT;
    FILE *f;
    int r;

    if (hash_lookup(ld->st->files, path))
        return set_error("%s: included twice", path);
    f = fopen(path, "r");
    if (!f)
        return set_error("%s: cannot open: %s", path, strerror(errno));
    hash_insert(ld->st->files, path, (void *)1);
    ld->file = path;
    ld->lineno = 0;
    while ((r = read_line(ld, f, &line)) > 0) {
        if (parse_line(ld, (char *)buf_cstring(&line)) < 0) {
            r = -1;
            break;
        }
    }
    buf_free(&line);
    fclose(f);
    return r < 0 ? -1 : 1;
}

int cfg_load(const char *path, const char *service, const char **error_r)
{
    struct cfg_state *st = state_new(path, service);
    struct cfg_loader ld = { st, path, 0, 0, 0 };

    strarray_truncate(&loading_warnings, 0);
    if (load_file(&ld, path) < 0) {
        state_free(&st);
        *error_r = errbuf;
        return -1;
    }
    state_finish(st);
    state_free(&cur);
    cur = st;
    strarray_fini(&warnings);
    warnings = loading_warnings;
    memset(&loading_warnings, 0, sizeof(loading_warnings));
    return 1;
}

void cfg_log_warnings(void)
{
    for (size_t i = 0; i < warnings.count; i++)
        log_warning("%s", warnings.data[i]);
    strarray_truncate(&warnings, 0);
}

void cfg_load_or_die(const char *path, const char *service)
{
    const char *error;

    if (cfg_load(path, service, &error) < 0)
        fatal(EX_CONFIG, "config: cannot load error=<%s>", error);
}

void cfg_reset(void)
{
    state_free(&cur);
}

const char *cfg_path(void)
{
    return state_get()->path;
}

const char *cfg_service(void)
{
    return state_get()->service;
}

/* get_val - the value of opt, which must be of type t (or t2) */
static struct cfg_val *get_val(enum imapopt opt, enum imapopt_type t,
                               enum imapopt_type t2)
{
    if (opt <= IMAPOPT_ZERO || opt >= IMAPOPT_LAST)
        panic("cfg: option %d out of range", (int)opt);
    if (imapopts[opt].type != t && imapopts[opt].type != t2)
        panic("cfg: option %s read with the wrong type", imapopts[opt].name);
    return &state_get()->vals[opt];
}

const char *cfg_get_string(enum imapopt opt)
{
    return get_val(opt, IMAPOPT_TYPE_STRING, IMAPOPT_TYPE_LIST)->str;
}

long cfg_get_int(enum imapopt opt)
{
    return get_val(opt, IMAPOPT_TYPE_INT, IMAPOPT_TYPE_INT)->num;
}

int cfg_get_switch(enum imapopt opt)
{
    return (int)get_val(opt, IMAPOPT_TYPE_SWITCH, IMAPOPT_TYPE_SWITCH)->num;
}

int cfg_get_enum(enum imapopt opt)
{
    return (int)get_val(opt, IMAPOPT_TYPE_ENUM, IMAPOPT_TYPE_ENUM)->num;
}

const struct strarray *cfg_get_list(enum imapopt opt)
{
    return get_val(opt, IMAPOPT_TYPE_LIST, IMAPOPT_TYPE_LIST)->list;
}

const char *cfg_name(enum imapopt opt)
{
    if (opt <= IMAPOPT_ZERO || opt >= IMAPOPT_LAST)
        panic("cfg: option %d out of range", (int)opt);
    return imapopts[opt].name;
}

const char *cfg_get_raw(const char *key)
{
    char *k = str_lcase(xstrdup(key));
    const struct cfg_raw *r = hash_lookup(state_get()->raw, k);

    free(k);
    return r ? r->value : NULL;
}

const char *cfg_get_partition(const char *name)
{
    struct buf key = BUF_INIT;
    const char *path;

    buf_printf(&key, "partition-%s", name);
    path = cfg_get_raw(buf_cstring(&key));
    buf_free(&key);
    return path;
}

struct foreach_rock {
    const char *prefix;
    int (*cb)(const char *key, const char *value, void *rock);
    void *rock;
};

/* foreach_cb - hash_foreach adapter filtering on the prefix */
static int foreach_cb(const char *key, void *value, void *rock)
{
    struct foreach_rock *fr = rock;

    if (!str_has_caseprefix(key, fr->prefix))
        return 0;
    return fr->cb(key, ((struct cfg_raw *)value)->value, fr->rock);
}

int cfg_foreach_prefix(const char *prefix,
                       int (*cb)(const char *key, const char *value, void *rock),
                       void *rock)
{
    struct foreach_rock fr = { prefix, cb, rock };

    return hash_foreach(state_get()->raw, foreach_cb, &fr);
}
