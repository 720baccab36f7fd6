/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/unix_addr.c - unit tests for lib/unix_addr.c: sockets bound and
 * reached at paths longer than sockaddr_un holds */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/unix_addr.h"

/* deep_dir - a directory under the test's tmpdir whose path is longer
 * than min bytes */
static void deep_dir(struct buf *path, size_t min)
{
    buf_setcstr(path, cunit_tmpdir());
    while (buf_len(path) <= min) {
        buf_appendcstr(path, "/a-rather-long-directory-name-0123456789");
        CU_ASSERT_FATAL(mkdir(buf_cstring(path), 0700) == 0 ||
                        errno == EEXIST);
    }
}

/* listen_at - a listening socket at path, or -1 */
static int listen_at(const char *path)
{
    struct unix_addr a;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0 || unix_addr_init(&a, path) < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&a.sun, a.len) < 0 ||
        listen(fd, 4) < 0) {
        unix_addr_done(&a);
        close(fd);
        return -1;
    }
    unix_addr_done(&a);
    return fd;
}

/* connect_to - a socket connected to path, or -1 */
static int connect_to(const char *path)
{
    struct unix_addr a;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

    if (fd < 0 || unix_addr_init(&a, path) < 0)
        return -1;
    r = connect(fd, (struct sockaddr *)&a.sun, a.len);
    unix_addr_done(&a);
    if (r < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* round_trip - listen at path, connect, one byte across */
static void round_trip(const char *path)
{
    struct stat st;
    char c = 0;
    int lfd = listen_at(path), cfd, afd;

    CU_ASSERT_FATAL(lfd >= 0);
    CU_ASSERT(stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
    cfd = connect_to(path);
    CU_ASSERT_FATAL(cfd >= 0);
    afd = accept(lfd, NULL, NULL);
    CU_ASSERT_FATAL(afd >= 0);
    CU_ASSERT_EQUAL(write(cfd, "x", 1), 1);
    CU_ASSERT_EQUAL(read(afd, &c, 1), 1);
    CU_ASSERT_EQUAL(c, 'x');
    close(afd);
    close(cfd);
    close(lfd);
    unlink(path);
}

static void test_short_path_is_direct(void)
{
    struct unix_addr a;

    CU_ASSERT_EQUAL(unix_addr_init(&a, "/run/x/lmtp"), 0);
    CU_ASSERT_STRING_EQUAL(a.sun.sun_path, "/run/x/lmtp");
    CU_ASSERT_EQUAL(a.dirfd, -1);
    unix_addr_done(&a);
}

static void test_short_path_round_trip(void)
{
    struct buf path = BUF_INIT;

    buf_printf(&path, "%s/s", cunit_tmpdir());
    CU_ASSERT_FATAL(buf_len(&path) < sizeof(((struct sockaddr_un *)0)->sun_path));
    round_trip(buf_cstring(&path));
    buf_free(&path);
}

static void test_long_path_round_trip(void)
{
    struct buf path = BUF_INIT;

    /* 107 and 108 bytes were the edge that broke a frontend's slave */
    deep_dir(&path, 300);
    buf_appendcstr(&path, "/mupdate.target");
    round_trip(buf_cstring(&path));
    buf_free(&path);
}

static void test_path_at_the_edge(void)
{
    struct buf path = BUF_INIT;
    size_t want;

    for (want = 106; want <= 110; want++) {
        buf_setcstr(&path, cunit_tmpdir());
        buf_appendcstr(&path, "/");
        while (buf_len(&path) < want)
            buf_appendcstr(&path, "s");
        CU_ASSERT_FATAL(buf_len(&path) == want);
        round_trip(buf_cstring(&path));
    }
    buf_free(&path);
}

static void test_name_too_long(void)
{
    struct buf path = BUF_INIT;
    struct unix_addr a;

    buf_printf(&path, "%s/", cunit_tmpdir());
    while (buf_len(&path) < 300)
        buf_appendcstr(&path, "n");
    CU_ASSERT_EQUAL(unix_addr_init(&a, buf_cstring(&path)), -1);
    CU_ASSERT_EQUAL(errno, ENAMETOOLONG);
    CU_ASSERT_EQUAL(a.dirfd, -1);
    buf_free(&path);
}

static void test_missing_directory(void)
{
    struct buf path = BUF_INIT;
    struct unix_addr a;

    deep_dir(&path, 120);
    buf_appendcstr(&path, "/no-such-dir/sock");
    CU_ASSERT_EQUAL(unix_addr_init(&a, buf_cstring(&path)), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    buf_free(&path);
}

const char *cunit_suite_name = "unix_addr";
void (*cunit_setup)(void);
void (*cunit_teardown)(void);
CU_TestInfo cunit_tests[] = {
    { "short_path_is_direct", test_short_path_is_direct },
    { "short_path_round_trip", test_short_path_round_trip },
    { "long_path_round_trip", test_long_path_round_trip },
    { "path_at_the_edge", test_path_at_the_edge },
    { "name_too_long", test_name_too_long },
    { "missing_directory", test_missing_directory },
    CU_TEST_INFO_NULL,
};
