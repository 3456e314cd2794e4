/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netproto.h - which socket protocols a network policy can ever let out.
 *
 * socket()'s arguments are registers: the seccomp filter decides there,
 * with no notification, whether a UDP or an ICMP (ping) socket may be
 * made at all.  It may when some destination could be allowed for it;
 * which destination, the supervisor decides at connect and send
 * (netmatch.h).  Pure.
 */
#ifndef SL_NETPROTO_H
#define SL_NETPROTO_H

#include <stdbool.h>

#include "netmatch.h"

/* Whether a socket of protocol p can ever be allowed a destination under
 * the lists l: with an allow list, when one of its rules is of protocol
 * p (an empty allow list allows nothing); with only a deny list, always
 * (what no rule denies is allowed); with neither, never (0.8.0's
 * default: no UDP or ICMP socket; TCP is Landlock's, decided apart). */
bool netproto_used(const struct netmatch_lists *l, enum sl_proto p);

#endif
