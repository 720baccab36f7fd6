/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_loop.c - epoll(7) behind the small interface of mupdate_loop.h.
 *
 * Used by the master (mupdate_master.c) and available to the slave.
 * Errors are returned with errno; nothing here logs.
 */
#include "config.h"

#include <stdlib.h>
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "mupdate/mupdate_loop.h"

/* Events fetched per epoll_wait call. */
#define LOOP_BATCH 256

struct mupdate_loop {
    int epfd;
};

struct mupdate_loop *mupdate_loop_new(void)
{
    struct mupdate_loop *l;
    int fd = epoll_create1(EPOLL_CLOEXEC);

    if (fd < 0)
        return NULL;
    l = xzmalloc(sizeof(*l));
    l->epfd = fd;
    return l;
}

void mupdate_loop_free(struct mupdate_loop **lp)
{
    if (!*lp)
        return;
    close((*lp)->epfd);
    free(*lp);
    *lp = NULL;
}

/* loop_events - epoll bits for a want mask */
static uint32_t loop_events(unsigned want)
{
    uint32_t ev = 0;

    if (want & MUPDATE_LOOP_IN)
        ev |= EPOLLIN | EPOLLRDHUP;
    if (want & MUPDATE_LOOP_OUT)
        ev |= EPOLLOUT;
    return ev;
}

int mupdate_loop_add(struct mupdate_loop *l, struct mupdate_loop_io *io)
{
    struct epoll_event ev = { .events = loop_events(io->want) };

    ev.data.ptr = io;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, io->fd, &ev) < 0)
        return -1;
    io->registered = 1;
    return 0;
}

int mupdate_loop_want(struct mupdate_loop *l, struct mupdate_loop_io *io,
                      unsigned want)
{
    struct epoll_event ev = { .events = loop_events(want) };

    if (io->want == want || !io->registered) {
        io->want = want;
        return 0;
    }
    ev.data.ptr = io;
    if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
        return -1;
    io->want = want;
    return 0;
}

void mupdate_loop_del(struct mupdate_loop *l, struct mupdate_loop_io *io)
{
    if (!io->registered)
        return;
    (void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
    io->registered = 0;
}

int mupdate_loop_run_once(struct mupdate_loop *l, int timeout_ms)
{
    struct epoll_event evs[LOOP_BATCH];
    int n, i;

    n = epoll_wait(l->epfd, evs, LOOP_BATCH, timeout_ms);
    if (n < 0)
        return -1;
    for (i = 0; i < n; i++) {
        struct mupdate_loop_io *io = evs[i].data.ptr;
        unsigned got = 0;

        if (!io->registered)
            continue;   /* removed by an earlier callback of this batch */
        if (evs[i].events & (EPOLLIN | EPOLLRDHUP))
            got |= MUPDATE_LOOP_IN;
        if (evs[i].events & EPOLLOUT)
            got |= MUPDATE_LOOP_OUT;
        if (evs[i].events & (EPOLLHUP | EPOLLERR))
            got |= MUPDATE_LOOP_HUP;
        io->cb(io, got);
    }
    return n;
}
