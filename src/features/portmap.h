/* SPDX-License-Identifier: Apache-2.0 */
/*
 * portmap.h - a sandbox's virtual TCP port space (port_remap): the real
 * port each virtual port it bound is on, per address family, and the two
 * views of it the sandbox and its host see (portremap.c keeps one per
 * sandbox and fills it at each bind).
 *
 *   - a virtual port maps to one real port per family (AF_INET,
 *     AF_INET6), and a real port to one virtual port: a record that
 *     takes a real port drops any other virtual port of that family on
 *     it (the kernel gave the port away: the socket that held it is
 *     gone).  Identity records (real == virtual) are kept too: they are
 *     the sandbox's bound ports, which its /proc/net/tcp shows;
 *   - the inode numbers of the last PORTMAP_SOCKS sockets bound, with
 *     their real ports: what tells a port held by the sandbox itself
 *     (a second bind of a virtual port it holds is EADDRINUSE, as it
 *     would be without the remap) from one another process took;
 *   - the host's view: the remapped entries as JSON, {"6379":40123};
 *   - the sandbox's view of /proc/net/tcp and tcp6: only the lines whose
 *     local port is one of its real ports, shown as the virtual port.
 *
 * Pure: no system calls, unit-tested.  Not thread-safe (the caller
 * locks).
 */
#ifndef SL_PORTMAP_H
#define SL_PORTMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define PORTMAP_SOCKS 256 /* sockets remembered for the own-port check */

/* One direction's index: (family, key) -> val, sorted by (family, key). */
struct portmap_pair {
	uint16_t fam, key, val;
};

struct portmap_index {
	struct portmap_pair *v;
	size_t n, cap;
};

struct portmap_sock {
	uint16_t fam, real;
	uint64_t ino;
};

struct portmap {
	struct portmap_index fwd; /* virtual -> real */
	struct portmap_index rev; /* real -> virtual */
	size_t remapped;	  /* entries whose real port is not the virtual one */
	struct portmap_sock socks[PORTMAP_SOCKS];
	size_t nsocks, next_sock; /* a ring: the newest replace the oldest */
};

/* The real port of vport for fam (AF_INET or AF_INET6), 0 when none is
 * recorded. */
uint16_t portmap_real(const struct portmap *m, int fam, uint16_t vport);
/* The virtual port on real port real for fam, 0 when none. */
uint16_t portmap_virtual(const struct portmap *m, int fam, uint16_t real);

/* Records that a socket of inode ino (0: none to remember) of family fam
 * was bound to virtual port vport on real port real (both non-zero).
 * 0, -EINVAL (a zero port, an unknown family) or -ENOMEM (nothing
 * changed). */
int portmap_set(struct portmap *m, int fam, uint16_t vport, uint16_t real, uint64_t ino);

/* Whether any port is remapped (real != virtual): else every name the
 * kernel gives is the virtual one. */
bool portmap_remaps(const struct portmap *m);

/* Whether the table text (len bytes of /proc/net/tcp or tcp6) lists a
 * socket of the sandbox on real port real: a line with that local port
 * and the inode of a socket recorded on it (either family: a dual-stack
 * IPv6 socket and an IPv4 one conflict on a port). */
bool portmap_holds(const struct portmap *m, const char *text, size_t len, uint16_t real);

/* The remapped entries (real != virtual) as a JSON object, virtual ports
 * ascending ({"6379":40123,"8080":40124}).  A port with an entry in both
 * families is shown by its IPv4 one (not at all when that one is an
 * identity).  *out is malloc'd and NUL-terminated, or NULL when nothing
 * is remapped.  0 or -ENOMEM. */
int portmap_json(const struct portmap *m, char **out);

/* The sandbox's view of a /proc/net/tcp (fam AF_INET) or tcp6 (AF_INET6)
 * table, text (len bytes, as the kernel printed it), appended to out: the
 * header line, then each line whose local port is a real port of fam,
 * with that port shown as its virtual port and the lines numbered again
 * from 0.  A line the parser does not read is left out.  0 or -ENOMEM. */
int portmap_tcp_view(const struct portmap *m, int fam, const char *text, size_t len,
		     struct sl_buf *out);

/* Frees what m owns and empties it.  Accepts NULL. */
void portmap_free(struct portmap *m);

#endif
