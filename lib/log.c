/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.c - structured log lines to syslog, a file or stderr.
 *
 * One process-wide destination and context: a child serves one connection
 * at a time, so the context is that connection's.  Lines written to a file
 * are built whole and written with one write(2) on an O_APPEND descriptor,
 * so lines from many processes sharing log_file do not interleave.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"

#define LOG_LINE_MAX 4096

static char ident[64] = "murder";
static char syslog_ident[128] = "murder";
static int log_fd = -1;         /* -1: syslog */
static int debug_on;
static int in_fatal;
static void (*fatal_hook)(int, const char *);

static struct {
    char key[32];
    char value[256];
} ctx[LOG_CTX_MAX];
static int nctx;

void log_open(const char *name, const char *prefix)
{
    str_lcpy(ident, name, sizeof(ident));
    if (prefix && *prefix)
        snprintf(syslog_ident, sizeof(syslog_ident), "%s/%s", prefix, name);
    else
        str_lcpy(syslog_ident, name, sizeof(syslog_ident));
    if (log_fd < 0) {
        closelog();
        openlog(syslog_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
    }
}

const char *log_ident(void)
{
    return ident;
}

int log_set_file(const char *path)
{
    int fd;

    if (!path || !*path) {
        if (log_fd > STDERR_FILENO)
            close(log_fd);
        log_fd = -1;
        openlog(syslog_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
        return 0;
    }
    if (strcmp(path, "-") == 0) {
        fd = STDERR_FILENO;
    } else {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0)
            return -1;
    }
    if (log_fd > STDERR_FILENO)
        close(log_fd);
    log_fd = fd;
    closelog();
    return 0;
}

void log_set_debug(int on)
{
    debug_on = on;
}

void log_ctx_set(const char *key, const char *value)
{
    int i;
    for (i = 0; i < nctx; i++)
        if (strcmp(ctx[i].key, key) == 0)
            break;
    if (!value) {
        if (i < nctx) {
            memmove(&ctx[i], &ctx[i + 1], (size_t)(nctx - i - 1) * sizeof(ctx[0]));
            nctx--;
        }
        return;
    }
    if (i == nctx) {
        if (nctx == LOG_CTX_MAX)
            return;
        str_lcpy(ctx[nctx++].key, key, sizeof(ctx[0].key));
    }
    str_lcpy(ctx[i].value, value, sizeof(ctx[0].value));
}

void log_ctx_clear(void)
{
    nctx = 0;
}

static const char *const level_names[] = {
    "debug", "info", "notice", "warning", "error",
};
static const int level_prio[] = {
    LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERR,
};

/* emit - format one line with its context and send it to the destination */
static void emit(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void emit(enum log_level level, const char *fmt, va_list ap)
{
    char line[LOG_LINE_MAX];
    size_t n = 0, cap = sizeof(line) - 2; /* room for "\n\0" */
    int r;

    if (log_fd >= 0) {
        struct timeval tv;
        struct tm tm;
        gettimeofday(&tv, NULL);
        gmtime_r(&tv.tv_sec, &tm);
        r = snprintf(line, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%d]: %s: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, (long)tv.tv_usec / 1000, ident,
                     (int)getpid(), level_names[level]);
        n = r > 0 ? (size_t)r : 0;
    }
    r = vsnprintf(line + n, cap - n, fmt, ap);
    if (r > 0)
        n = n + (size_t)r >= cap ? cap - 1 : n + (size_t)r;
    for (int i = 0; i < nctx && n < cap - 1; i++) {
        r = snprintf(line + n, cap - n, " %s=<%s>", ctx[i].key, ctx[i].value);
        if (r > 0)
            n = n + (size_t)r >= cap ? cap - 1 : n + (size_t)r;
    }
    /* Never let a peer's bytes forge a second log line. */
    for (size_t i = 0; i < n; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';

    if (log_fd < 0) {
        line[n] = '\0';
        syslog(level_prio[level], "%s", line);
        return;
    }
    line[n++] = '\n';
    while (write(log_fd, line, n) < 0 && errno == EINTR)
        ;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
    int saved = errno;
    if (level == LOG_LEVEL_DEBUG && !debug_on)
        return;
    emit(level, fmt, ap);
    errno = saved;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}

void log_set_fatal_hook(void (*hook)(int code, const char *msg))
{
    fatal_hook = hook;
}

/* run_fatal_hook - format the message and give it to the hook, once */
static void run_fatal_hook(int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void run_fatal_hook(int code, const char *fmt, va_list ap)
{
    char msg[LOG_LINE_MAX];
    void (*hook)(int, const char *) = fatal_hook;

    if (!hook || in_fatal)
        return;
    in_fatal = 1;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    hook(code, msg);
}

/* echo_stderr - a fatal error is also shown on stderr, so that an admin
 * starting a program by hand sees why it refused to run */
static void echo_stderr(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));
static void echo_stderr(const char *fmt, va_list ap)
{
    char msg[LOG_LINE_MAX];
    if (log_fd == STDERR_FILENO)
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    dprintf(STDERR_FILENO, "%s: %s\n", ident, msg);
}

void fatal(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(LOG_LEVEL_ERROR, fmt, ap);
    va_end(ap);
    va_start(ap, fmt);
    echo_stderr(fmt, ap);
    va_end(ap);
    va_start(ap, fmt);
    run_fatal_hook(code, fmt, ap);
    va_end(ap);
    exit(code);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(LOG_LEVEL_ERROR, fmt, ap);
    va_end(ap);
    va_start(ap, fmt);
    run_fatal_hook(-1, fmt, ap);
    va_end(ap);
    abort();
}
