/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unix_addr.c - unix-domain socket addresses for paths of any length
 * (see unix_addr.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/str.h"
#include "lib/unix_addr.h"
#include "lib/xmalloc.h"

/* open_parent - the directory holding path's last component, O_PATH */
static int open_parent(const char *path, const char *slash)
{
    char *dir = slash == path ? xstrdup("/")
                              : xstrndup(path, (size_t)(slash - path));
    int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

    free(dir);
    return fd;
}

int unix_addr_init(struct unix_addr *a, const char *path)
{
    const char *slash;
    int n;

    memset(a, 0, sizeof(*a));
    a->dirfd = -1;
    a->sun.sun_family = AF_UNIX;
    a->len = sizeof(a->sun);
    if (str_lcpy(a->sun.sun_path, path, sizeof(a->sun.sun_path)) <
        sizeof(a->sun.sun_path))
        return 0;
    slash = strrchr(path, '/');
    if (!slash || !slash[1]) {
        errno = ENAMETOOLONG;
        return -1;
    }
    a->dirfd = open_parent(path, slash);
    if (a->dirfd < 0)
        return -1;
    n = snprintf(a->sun.sun_path, sizeof(a->sun.sun_path),
                 "/proc/self/fd/%d/%s", a->dirfd, slash + 1);
    if (n < 0 || (size_t)n >= sizeof(a->sun.sun_path)) {
        unix_addr_done(a);
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

void unix_addr_done(struct unix_addr *a)
{
    if (a->dirfd >= 0) {
        int saved = errno;

        close(a->dirfd);
        errno = saved;
    }
    a->dirfd = -1;
}
