/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * master_conf.c - turn cyrus.conf into running services, and reload it.
 *
 * At start every SERVICES entry is bound or master exits naming the
 * service and address.  On SIGHUP the file is read again; if it does not
 * parse, the error is logged and nothing changes.  Otherwise the
 * generation goes up and:
 *   - a service whose name and listen=/proto= are unchanged keeps its
 *     sockets; its settings are replaced and its old children are
 *     recycled (SIGHUP: idle ones exit now, busy ones after their
 *     connection), new ones are forked at the new generation;
 *   - a removed service (or one whose address changed) stops listening
 *     at once; its children are recycled the same way;
 *   - a new service is bound (a failure is logged, the rest goes on);
 *   - EVENTS and DAEMON entries are updated (master_events.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "master/master.h"

void master_conf_log_warnings(const struct cyrusconf *conf)
{
    for (size_t i = 0; i < conf->warnings.count; i++)
        log_warning("cyrus.conf warning: %s", conf->warnings.data[i]);
}

/* service_configure - (re)apply e's settings to s at the current generation */
static void service_configure(struct mservice *s, const struct cyrusconf_entry *e)
{
    int rate = e->maxforkrate;
    if (rate == 0 && e->babysit)
        rate = 10; /* cyrus.conf(5): babysit sets maxforkrate 10 if 0 */
    s->e = e;
    s->generation = master.generation;
    forkrate_init(&s->fr, rate, clock_now_ms());
    backoff_reset(&s->bo);
    s->not_before_ms = 0;
}

/* service_new - an mservice for one bound listener of e */
static struct mservice *service_new(const struct cyrusconf_entry *e,
                                    struct master_listener *l)
{
    struct mservice *s = xzmalloc(sizeof(*s)), **pp = &master.services;
    int p[2];

    s->name = xstrdup(e->name);
    s->addr = l->addr;
    s->unix_path = l->unix_path;
    s->listen_fd = l->fd;
    if (pipe2(p, O_CLOEXEC) < 0 || fcntl(p[0], F_SETFL, O_NONBLOCK) < 0)
        fatal(EX_OSERR, "IOERROR: cannot create a status pipe error=<%m>");
    s->status_rd = p[0];
    s->status_wr = p[1];
    /* The accept lock: children take an fcntl lock on this anonymous file
     * (locks belong to processes, so a shared descriptor still excludes). */
    s->lock_fd = memfd_create("accept-lock", MFD_CLOEXEC);
    if (s->lock_fd < 0)
        fatal(EX_OSERR, "IOERROR: cannot create an accept lock error=<%m>");
    service_configure(s, e);
    while (*pp)
        pp = &(*pp)->next;
    *pp = s;
    log_info("service started name=<%s> listen=<%s> prefork=<%d> gen=<%u>",
             s->name, s->addr, e->prefork, s->generation);
    return s;
}

/* open_entry - bind e and create its services; -1 (logged) on failure */
static int open_entry(const struct cyrusconf_entry *e, int fatal_on_error)
{
    struct master_listener *ls;
    const char *err;
    int n = master_listen_open(e, master.backlog, &ls, &err);

    if (n < 0) {
        if (fatal_on_error)
            fatal(EX_CONFIG, "cannot listen name=<%s> listen=<%s> error=<%s>",
                  e->name, e->listen_str, err);
        log_error("cannot listen name=<%s> listen=<%s> error=<%s>", e->name,
                  e->listen_str, err);
        return -1;
    }
    for (int i = 0; i < n; i++)
        service_new(e, &ls[i]);
    free(ls);
    return 1;
}

void master_conf_start(struct cyrusconf *conf)
{
    master.conf = conf;
    for (size_t i = 0; i < conf->count; i++)
        if (conf->entries[i]->section == CYRUSCONF_SERVICES)
            open_entry(conf->entries[i], 1);
    master_events_reload(conf);
}

/* live_service - a non-retired service called name, or NULL */
static struct mservice *live_service(const char *name)
{
    for (struct mservice *s = master.services; s; s = s->next)
        if (s->e && strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

void master_conf_reload(void)
{
    struct cyrusconf *conf = NULL, *old = master.conf;
    const char *err;

    log_info("reloading file=<%s>", master.cyrus_conf);
    if (cyrusconf_load(master.cyrus_conf, &conf, &err) < 0) {
        log_error("reload failed, keeping the old configuration error=<%s>", err);
        return;
    }
    master_conf_log_warnings(conf);
    master.generation++;
    for (struct mservice *s = master.services; s; s = s->next) {
        const struct cyrusconf_entry *e;
        if (!s->e)
            continue;
        e = cyrusconf_find(conf, CYRUSCONF_SERVICES, s->name);
        if (!e || !cyrusconf_same_listen(e, s->e)) {
            master_service_retire(s);
            continue;
        }
        service_configure(s, e);
        master_service_recycle(s);
        log_info("service reloaded name=<%s> listen=<%s> prefork=<%d> gen=<%u>",
                 s->name, s->addr, e->prefork, s->generation);
    }
    for (size_t i = 0; i < conf->count; i++) {
        const struct cyrusconf_entry *e = conf->entries[i];
        if (e->section == CYRUSCONF_SERVICES && !live_service(e->name))
            open_entry(e, 0);
    }
    master_events_reload(conf);
    master_daemons_reload(conf);
    master.conf = conf;
    cyrusconf_free(&old);
    log_info("reload done gen=<%u>", master.generation);
}
