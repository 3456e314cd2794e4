/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nlroute.h - the answers of the NETLINK_ROUTE view (netlink.c serves
 * them): a host with one interface, lo, and the loopback addresses.
 *
 *   RTM_GETLINK dump   one RTM_NEWLINK: lo, index 1, ARPHRD_LOOPBACK,
 *                      UP|LOOPBACK|RUNNING|LOWER_UP (what a real lo
 *                      shows), MTU 65536, txqlen 1000, qdisc noqueue,
 *                      zero address and broadcast, operstate unknown;
 *                      then NLMSG_DONE
 *   RTM_GETADDR dump   RTM_NEWADDR 127.0.0.1/8 and 127.0.1.1/8 (label lo) and ::1/128,
 *                      scope host, on index 1, permanent (as the family
 *                      asked: AF_INET, AF_INET6, or AF_UNSPEC both, any
 *                      other none); then NLMSG_DONE
 *   another request    NLMSG_ERROR -EOPNOTSUPP (a GET without the dump
 *                      flags included)
 *   not a request      nothing, or an ack (error 0) when it asks for one,
 *                      as the kernel (netlink_rcv_skb): NLM_F_REQUEST
 *                      missing, or a control type (below NLMSG_MIN_TYPE)
 * Every answer echoes the request's nlmsg_seq and carries the socket's
 * port id in nlmsg_pid; dump parts and NLMSG_DONE have NLM_F_MULTI; an
 * error or ack carries the request's header only (NLM_F_CAPPED, as the
 * kernel's with NETLINK_CAP_ACK).
 *
 * A request datagram is walked as netlink_rcv_skb walks it: a message
 * shorter than its header or longer than what is left ends the walk
 * (the kernel drops the rest silently), each message advances by its
 * aligned length.  All the answers of one datagram go into one reply
 * datagram of at most NLROUTE_REPLY_MAX bytes (what glibc reads at
 * once); a datagram asking for more ends its reply with NLMSG_ERROR
 * -ENOBUFS for the first message not answered (where the kernel would
 * overrun the receiver and report ENOBUFS on its socket).
 *
 * Pure: no I/O (unit-tested, fuzzed).
 */
#ifndef SL_NLROUTE_H
#define SL_NLROUTE_H

#include <stddef.h>
#include <stdint.h>

#define NLROUTE_REPLY_MAX 8192
#define NLROUTE_LO_INDEX  1

/* The reply to the request datagram req[0..len) for a socket of port id
 * portid, written to out (NLROUTE_REPLY_MAX bytes); its length, 0 when
 * nothing is answered. */
size_t nlroute_answer(const void *req, size_t len, uint32_t portid, void *out);

#endif
