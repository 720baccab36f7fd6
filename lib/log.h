/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.h - the one logging module.
 *
 * A log line is a fixed event phrase followed by key=<value> fields, e.g.
 *     log_info("login ok mech=<%s>", mech);
 * and the session context set with log_ctx_set() (user, peer, session id,
 * command, ...) is appended to every line automatically.  Category prefixes
 * for grepping: "DBERROR", "IOERROR", "PROTOERR".
 *
 * Output goes to syslog (facility LOG_MAIL) unless log_set_file() names a
 * file or "-" for stderr.  Only this module calls syslog().
 *
 * fatal() is for a bad environment or configuration: it logs and exits with
 * the given sysexits code.  panic() is for an internal bug: it logs and
 * aborts with a core dump.  Both run the hook set by log_set_fatal_hook()
 * first (a daemon uses it to tell its client "BYE").
 */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include <stdarg.h>

enum log_level {
    LOG_LEVEL_DEBUG,
    LOG_LEVEL_INFO,
    LOG_LEVEL_NOTICE,
    LOG_LEVEL_WARNING,
    LOG_LEVEL_ERROR,
};

/* log_open - name this process in log lines (e.g. "imapd"); prefix is the
 * imapd.conf syslog_prefix (may be NULL).  Safe to call again after fork. */
void log_open(const char *ident, const char *prefix);
/* log_set_file - NULL: syslog; "-": stderr; else append to that path.
 * Returns 0, or -1 when the file cannot be opened (errno set; the previous
 * destination stays in use). */
int log_set_file(const char *path);
/* log_set_debug - enable or disable LOG_LEVEL_DEBUG lines. */
void log_set_debug(int on);
/* log_ident - the name given to log_open. */
const char *log_ident(void);

/* log_ctx_set - attach key=<value> to every later line of this process;
 * value NULL removes the key.  Keys and values are copied.  Up to
 * LOG_CTX_MAX keys; more are ignored. */
#define LOG_CTX_MAX 8
void log_ctx_set(const char *key, const char *value);
/* log_ctx_clear - drop all context (a new connection). */
void log_ctx_clear(void);

void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
#define log_debug(...)   log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_error(...)   log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

/* log_set_fatal_hook - called once by fatal()/panic() before exiting, with
 * the exit code (or -1 for panic) and the formatted message. */
void log_set_fatal_hook(void (*hook)(int code, const char *msg));

void fatal(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
void panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif /* LIB_LOG_H */
