/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpconn.h - one connection through the HTTP ACL proxy (httpconn.c),
 * on the proxy's thread.
 */
#ifndef SL_HTTPCONN_H
#define SL_HTTPCONN_H

#include <stdint.h>
#include <sys/socket.h>

struct httpproxy;

/* Takes fd (accepted, its destination dest) into the proxy's loop; on
 * failure fd is closed.  0 or -errno. */
int hconn_open(struct httpproxy *px, int fd, const struct sockaddr_storage *dest,
	       socklen_t destlen);
/* Closes every connection of px (the proxy stops). */
void hconn_close_all(struct httpproxy *px);
/* The timeouts: the earliest (monotonic ms, -1 none), and the sweep that
 * closes the connections past theirs. */
int64_t hconn_next(struct httpproxy *px);
void hconn_sweep(struct httpproxy *px, int64_t now_ms);

#endif
