/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy_pool.c - a session's backend connections, one per server, kept
 * for reuse across commands (proxyd opens them lazily as the user
 * touches mailboxes; lmtpproxyd per transaction).
 *
 * A connection idle for PROXY_HANGUP_CHECK_MS whose backend hung up
 * meanwhile (a restart), or one idle for more than PROXY_PING_IDLE_S
 * seconds that does not answer a ping (the protocol's NOOP), is closed
 * and replaced by a fresh connection before it is handed out again.  The pool owns every
 * connection it hands out.  A session uses a handful of backends, so a
 * small array searched linearly is enough.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "proxy/proxy_backend.h"

struct proxy_pool {
    const struct proxy_protocol *proto;
    char *authzid;
    struct proxy_backend **be;
    size_t n, alloc;
};

struct proxy_pool *proxy_pool_new(const struct proxy_protocol *proto,
                                  const char *authzid)
{
    struct proxy_pool *pool = xzmalloc(sizeof(*pool));

    pool->proto = proto;
    pool->authzid = xstrdupnull(authzid);
    return pool;
}

void proxy_pool_free(struct proxy_pool **pp)
{
    struct proxy_pool *pool = *pp;
    size_t i;

    if (!pool)
        return;
    *pp = NULL;
    for (i = 0; i < pool->n; i++)
        proxy_backend_close(&pool->be[i], 1);
    free(pool->be);
    free(pool->authzid);
    free(pool);
}

/* pool_find - the index of server's connection, or -1 */
static long pool_find(const struct proxy_pool *pool, const char *server)
{
    size_t i;

    for (i = 0; i < pool->n; i++) {
        if (strcmp(pool->be[i]->server, server) == 0)
            return (long)i;
    }
    return -1;
}

/* pool_remove - take index i out of the pool and close it */
static void pool_remove(struct proxy_pool *pool, size_t i, int polite)
{
    struct proxy_backend *be = pool->be[i];

    pool->be[i] = pool->be[--pool->n];
    proxy_backend_close(&be, polite);
}

int proxy_pool_get(struct proxy_pool *pool, const char *server,
                   struct proxy_backend **be_r, const char **error_r)
{
    long i = pool_find(pool, server);
    int64_t now = clock_now_ms();
    struct proxy_backend *be;

    if (i >= 0) {
        int64_t idle = now - pool->be[i]->last_used_ms;

        be = pool->be[i];
        if (!(idle >= PROXY_HANGUP_CHECK_MS && proxy_backend_hung_up(be)) &&
            (idle <= PROXY_PING_IDLE_S * 1000LL ||
             !be->proto->ping || be->proto->ping(be) == 0)) {
            be->last_used_ms = now;
            *be_r = be;
            return 0;
        }
        log_notice("backend connection dead, reconnecting server=<%s> "
                   "proto=<%s>", server, pool->proto->name);
        pool_remove(pool, (size_t)i, 0);
    }
    if (proxy_backend_connect(pool->proto, server, pool->authzid, &be,
                              error_r) < 0)
        return -1;
    if (pool->n == pool->alloc) {
        pool->alloc = pool->alloc ? 2 * pool->alloc : 4;
        pool->be = xreallocarray(pool->be, pool->alloc, sizeof(*pool->be));
    }
    pool->be[pool->n++] = be;
    *be_r = be;
    return 0;
}

void proxy_pool_drop(struct proxy_pool *pool, struct proxy_backend *be)
{
    size_t i;

    for (i = 0; i < pool->n; i++) {
        if (pool->be[i] == be) {
            pool_remove(pool, i, 0);
            return;
        }
    }
}

void proxy_pool_foreach(struct proxy_pool *pool,
                        void (*cb)(struct proxy_backend *be, void *rock),
                        void *rock)
{
    size_t i;

    for (i = 0; i < pool->n; i++)
        cb(pool->be[i], rock);
}
