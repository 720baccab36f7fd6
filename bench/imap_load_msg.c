/* SPDX-License-Identifier: BSD-3-Clause */
/* imap_load_msg.c - the test messages imap_load appends (populate, imap)
 * and delivers (lmtp): deterministic from their number, of about the
 * requested size, every third one multipart with a base64 attachment;
 * run_nonce keeps Message-IDs unique across runs. */
#include <stdio.h>
#include <string.h>

#include "bench/imap_load.h"

/* make_message - deterministic test message number i of about `size`
 * bytes; every third one is multipart (text + base64 attachment). */
size_t make_message(char *buf, size_t cap, unsigned i, size_t size,
                    const char *to, const char *tag)
{
    size_t n;
    static const char words[] = "lorem ipsum dolor sit amet consectetur "
        "adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore "
        "magna aliqua ut enim ad minim veniam quis nostrud exercitation ";
    n = (size_t)snprintf(buf, cap,
        "Return-Path: <sender%u@example.org>\r\n"
        "From: Sender %u <sender%u@example.org>\r\n"
        "To: %s\r\n"
        "Subject: bench message %u %s\r\n"
        "Date: Mon, 2 Nov 2026 10:%02u:%02u +0000\r\n"
        "Message-ID: <%s.%u.%u@bench.example.org>\r\n"
        "MIME-Version: 1.0\r\n",
        i % 97, i % 97, i % 97, to, i, tag, (i / 60) % 60, i % 60, tag, i,
        run_nonce);
    int multi = i % 3 == 0;
    if (multi)
        n += (size_t)snprintf(buf + n, cap - n,
            "Content-Type: multipart/mixed; boundary=\"b%u\"\r\n\r\n"
            "--b%u\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n",
            i, i);
    else
        n += (size_t)snprintf(buf + n, cap - n,
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
    size_t body_end = size > n + 200 ? size - (multi ? 120 : 0) : n + 80;
    size_t half = multi ? n + (body_end - n) / 2 : body_end;
    size_t col = 0, w = i;
    while (n < half && n + 80 < cap) {
        const char *p = words + (w++ * 7) % (sizeof(words) - 12);
        int k = 6;
        while (k-- > 0 && n < half)
            buf[n++] = *p++;
        if (++col % 12 == 0) {
            buf[n++] = '\r';
            buf[n++] = '\n';
        }
    }
    n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    if (multi) {
        n += (size_t)snprintf(buf + n, cap - n,
            "--b%u\r\nContent-Type: application/octet-stream; name=\"a%u.bin\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n", i, i);
        static const char b64[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        while (n < body_end && n + 80 < cap) {
            for (int k = 0; k < 76; k++)
                buf[n++] = b64[(w++ * 13 + (unsigned)k) % 64];
            buf[n++] = '\r';
            buf[n++] = '\n';
        }
        n += (size_t)snprintf(buf + n, cap - n, "--b%u--\r\n", i);
    }
    return n;
}
