/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cyrusconf.h - the cyrus.conf reader (master's configuration).
 *
 * Syntax, as Cyrus's cyrus.conf(5):
 *
 *     # comment
 *     SERVICES {
 *         imap   cmd="imapd -C /etc/imapd.conf" listen="127.0.0.1:143"
 *                prefork=2 maxchild=100
 *     }
 *
 * Sections START, SERVICES, EVENTS, DAEMON (upper case, as Cyrus; other
 * case is accepted).  An entry is a bare name followed by key=value words;
 * a value is a bare word or a double-quoted string (\" and \\ escapes).
 * An entry continues over following lines until the next bare word or the
 * closing brace, so long entries can be wrapped.  '#' at the start of a
 * word starts a comment to the end of the line.
 *
 * Errors (reported through *error_r, static storage valid until the next
 * call into this module) name file, line, entry and what is allowed, e.g.
 *   "/etc/cyrus.conf:7: entry imap: prefork: 'x' is not a number (allowed: 0..10000)"
 * Unknown keys are not errors: they are collected as warnings (with
 * file:line) in conf->warnings for the caller to log.
 *
 * Pure parsing: no sockets are opened, no processes started.  Service
 * names in listen= (e.g. "imap") are checked against /etc/services.
 */
#ifndef LIB_CYRUSCONF_H
#define LIB_CYRUSCONF_H

#include <stddef.h>

#include "lib/strarray.h"

enum cyrusconf_section {
    CYRUSCONF_START,
    CYRUSCONF_SERVICES,
    CYRUSCONF_EVENTS,
    CYRUSCONF_DAEMON,
};

enum cyrusconf_proto {
    CYRUSCONF_PROTO_TCP,  /* IPv4 and IPv6 where available */
    CYRUSCONF_PROTO_TCP4, /* IPv4 only */
    CYRUSCONF_PROTO_TCP6, /* IPv6 only */
};

/* Defaults, as cyrus.conf(5) documents them. */
#define CYRUSCONF_DEFAULT_MAXCHILD  (-1)   /* unlimited */
#define CYRUSCONF_DEFAULT_MAXFDS    256
/* Bounds enforced by the parser (a bigger value is a typo, not a need). */
#define CYRUSCONF_MAX_PREFORK       10000
#define CYRUSCONF_MAX_MAXCHILD      100000
#define CYRUSCONF_MAX_FORKRATE      100000
#define CYRUSCONF_MAX_MAXFDS        1048576
#define CYRUSCONF_MAX_PERIOD        (366 * 1440) /* minutes */

/* A parsed listen= value. */
struct cyrusconf_listen {
    int is_unix;  /* 1: path is a unix socket path */
    char *path;   /* unix socket path, or NULL */
    char *host;   /* host or address (no brackets); NULL = all interfaces */
    char *port;   /* decimal port or an /etc/services name; NULL for unix */
};

struct cyrusconf_entry {
    enum cyrusconf_section section;
    char *name;              /* alphanumeric */
    unsigned line;           /* where the entry starts */
    char *cmdline;           /* cmd= as written */
    struct strarray argv;    /* cmd= split into words, quotes honoured */
    /* SERVICES */
    char *listen_str;        /* listen= as written, NULL elsewhere */
    struct cyrusconf_listen listen;
    enum cyrusconf_proto proto;
    int prefork;             /* default 0 */
    int maxchild;            /* -1 (default) or 0: unlimited */
    int maxforkrate;         /* forks per second, 0 = no limit */
    int maxfds;              /* RLIMIT_NOFILE for the child, default 256 */
    int babysit;             /* 0/1 */
    /* EVENTS */
    int period;              /* minutes, 0 = none; at= sets 1440 */
    int at;                  /* minutes after local midnight, -1 = none */
    /* DAEMON */
    int wait;                /* 0/1: wait for "ok\r\n" on fd 3 */
};

struct cyrusconf {
    char *path;                       /* the file name used in messages */
    size_t count;
    struct cyrusconf_entry **entries; /* in file order */
    struct strarray warnings;         /* "file:line: ..." lines to log */
};

/* cyrusconf_load - read and parse the file at path.
 * Returns 1 and a new *conf_r (free with cyrusconf_free) on success;
 * -1 with *error_r on a missing/unreadable file or any syntax error. */
int cyrusconf_load(const char *path, struct cyrusconf **conf_r,
                   const char **error_r);

/* cyrusconf_parse - parse text[0..len) (need not be NUL-terminated);
 * name is the file name used in messages.  Same returns as _load. */
int cyrusconf_parse(const char *name, const char *text, size_t len,
                    struct cyrusconf **conf_r, const char **error_r);

/* cyrusconf_free - free a configuration and NULL the pointer. */
void cyrusconf_free(struct cyrusconf **confp);

/* cyrusconf_find - the entry called name in section, or NULL.  The
 * pointer is owned by conf. */
const struct cyrusconf_entry *cyrusconf_find(const struct cyrusconf *conf,
                                             enum cyrusconf_section section,
                                             const char *name);

/* cyrusconf_section_name - "START", "SERVICES", "EVENTS" or "DAEMON". */
const char *cyrusconf_section_name(enum cyrusconf_section section);

/* cyrusconf_split_cmd - split a cmd= value into words appended to argv.
 * Words are separated by blanks; '...' and "..." quote (no escapes in
 * single quotes), a backslash escapes the next byte outside them.
 * Returns 1 (at least one word), or -1 on an empty command, an
 * unterminated quote or a trailing backslash, with *error_r. */
int cyrusconf_split_cmd(const char *cmd, struct strarray *argv,
                        const char **error_r);

/* cyrusconf_parse_listen - parse a listen= value into *l (the caller
 * frees it with cyrusconf_listen_fini).  Forms: "/path" (anything with a
 * '/'), "port", "host:port", "[v6addr]:port"; port is 1..65535 or a tcp
 * name from /etc/services.  Returns 1, or -1 with *error_r. */
int cyrusconf_parse_listen(const char *s, struct cyrusconf_listen *l,
                           const char **error_r);
void cyrusconf_listen_fini(struct cyrusconf_listen *l);

/* cyrusconf_parse_at - "HHMM" (0000..2359, leading zeros optional) into
 * minutes after midnight.  Returns 1, or -1 when malformed. */
int cyrusconf_parse_at(const char *s, int *minutes_r);

/* cyrusconf_same_listen - true when two SERVICES entries would bind the
 * same sockets (same listen= and proto=), so a reload can keep them. */
int cyrusconf_same_listen(const struct cyrusconf_entry *a,
                          const struct cyrusconf_entry *b);

#endif /* LIB_CYRUSCONF_H */
