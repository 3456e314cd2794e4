/* SPDX-License-Identifier: Apache-2.0 */
/*
 * portset.h - sets of ports: the port part of net rules and the bind specs
 * (net_allow_bind, net_deny_bind).
 *
 *   list  := item (',' item)*        each item trimmed of white space
 *   item  := '*' | port | port '-' port
 *   port  := 1-65535 in decimal
 *
 * '*' is every port and cannot share a list with numbers.  A range is
 * written lo-hi with lo <= hi; a '-' never appears in a port list
 * otherwise (the host of a net rule ends at the last ':'), so ranges
 * cannot be read two ways.  Port 0 is refused: bound, it is the kernel's
 * pick of an ephemeral port; as a destination it is meaningless.
 *
 * A set is kept sorted, its ranges disjoint and never adjacent, so two
 * equal sets have equal arrays; the full range 0-65535 is stored as '*'.
 * Pure functions.
 */
#ifndef SL_PORTSET_H
#define SL_PORTSET_H

#include <stdbool.h>
#include <stdint.h>

struct sl_portset;

/* Parses list into *out (overwritten).  Errors name field and spec (the
 * whole text the user gave, which holds list): -EINVAL with
 * "<field>: '<spec>': <reason>", or -ENOMEM; *out then holds nothing to
 * free.  bind words the port-0 refusal for a bind spec. */
int portset_parse(const char *field, const char *spec, const char *list, bool bind,
		  struct sl_portset *out);

/* Adds lo..hi (lo <= hi, else nothing is added): 0 or -ENOMEM. */
int portset_add(struct sl_portset *s, uint16_t lo, uint16_t hi);
/* dst |= src: 0 or -ENOMEM (dst then unchanged). */
int portset_union(struct sl_portset *dst, const struct sl_portset *src);
/* dst -= src: 0 or -ENOMEM (dst then unchanged). */
int portset_subtract(struct sl_portset *dst, const struct sl_portset *src);

/* Whether port is in s; any value, so a caller never needs to check one
 * first (above 65535: never). */
bool portset_contains(const struct sl_portset *s, uint32_t port);
bool portset_empty(const struct sl_portset *s);
bool portset_equal(const struct sl_portset *a, const struct sl_portset *b);
/* The number of ports in s (65536 for '*'). */
uint32_t portset_count(const struct sl_portset *s);

/* "*", "22,80-90", or "" for the empty set, which parses back to the same
 * set (the empty one excepted).  0 or -ENOMEM; *out is malloc'd. */
int portset_format(const struct sl_portset *s, char **out);

/* Deep copy; 0 or -ENOMEM (then *dst holds nothing to free). */
int portset_copy(struct sl_portset *dst, const struct sl_portset *src);
/* Frees what s owns and empties it.  Accepts NULL. */
void portset_free(struct sl_portset *s);

#endif
