/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_loop.h - the event loop of the mupdate daemon: one epoll set
 * over the listener, master's status pipe and every peer.
 *
 * A caller embeds a struct mupdate_loop_io per fd (in its connection
 * object), registers it, and gets cb(rock, events) when the fd is ready.
 * The io must stay allocated until mupdate_loop_del() and the end of the
 * current mupdate_loop_run_once() (callbacks of one batch may refer to an
 * io another callback of the same batch removed: free such objects after
 * run_once returns).  Level-triggered.  Single-threaded.
 */
#ifndef MUPDATE_MUPDATE_LOOP_H
#define MUPDATE_MUPDATE_LOOP_H

/* Event bits (wanted and delivered). */
#define MUPDATE_LOOP_IN   0x1u   /* readable */
#define MUPDATE_LOOP_OUT  0x2u   /* writable */
#define MUPDATE_LOOP_HUP  0x4u   /* delivered only: hung up or error */

struct mupdate_loop_io;
typedef void mupdate_loop_cb(struct mupdate_loop_io *io, unsigned events);

struct mupdate_loop_io {
    int fd;
    unsigned want;          /* MUPDATE_LOOP_IN | MUPDATE_LOOP_OUT */
    mupdate_loop_cb *cb;
    void *rock;
    int registered;
};

struct mupdate_loop;

/* mupdate_loop_new - an epoll set; NULL with errno on failure. */
struct mupdate_loop *mupdate_loop_new(void);
/* mupdate_loop_free - close the set (not the fds), NULL *lp. */
void mupdate_loop_free(struct mupdate_loop **lp);

/* mupdate_loop_add - watch io->fd for io->want.  0, or -1 with errno. */
int mupdate_loop_add(struct mupdate_loop *l, struct mupdate_loop_io *io);
/* mupdate_loop_want - change what io waits for (no system call when it
 * is unchanged).  0 or -1 with errno. */
int mupdate_loop_want(struct mupdate_loop *l, struct mupdate_loop_io *io,
                      unsigned want);
/* mupdate_loop_del - stop watching io (before closing its fd). */
void mupdate_loop_del(struct mupdate_loop *l, struct mupdate_loop_io *io);

/* mupdate_loop_run_once - wait up to timeout_ms (-1: forever) and call
 * the callback of every ready io.  The number of ios dispatched, 0 on
 * timeout, -1 with errno (EINTR: a signal arrived). */
int mupdate_loop_run_once(struct mupdate_loop *l, int timeout_ms);

#endif /* MUPDATE_MUPDATE_LOOP_H */
