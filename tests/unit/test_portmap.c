/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of port_remap's map and its views (src/features/portmap.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "feature.h"
#include "harness.h"
#include "policy.h"
#include "portmap.h"
#include "portremap.h"
#include "registry.h"
#include "supervisor.h"

/* Two lines of a real /proc/net/tcp (padded as the kernel pads them). */
#define TCP_HEAD                                                                                   \
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "      \
	"timeout inode                                                     \n"
#define TCP_LINE(sl, port, ino)                                                                    \
	"   " sl ": 00000000:" port                                                                \
	" 00000000:0000 0A 00000000:00000000 00:00000000 00000000     "                            \
	"0        0 " ino " 1 00000000ba20a71d 100 0 0 10 0                  \n"

TEST(portmap_empty_has_nothing)
{
	struct portmap m = {0};
	char *json = (char *)1;
	CHECK_EQ(portmap_real(&m, AF_INET, 6379), 0);
	CHECK_EQ(portmap_virtual(&m, AF_INET, 6379), 0);
	CHECK_EQ(portmap_json(&m, &json), 0);
	CHECK(json == NULL);
	portmap_free(&m);
}

TEST(portmap_both_directions_per_family)
{
	struct portmap m = {0};
	CHECK_EQ(portmap_set(&m, AF_INET, 6379, 40123, 7), 0);
	CHECK_EQ(portmap_set(&m, AF_INET6, 6379, 6379, 8), 0);
	CHECK_EQ(portmap_real(&m, AF_INET, 6379), 40123);
	CHECK_EQ(portmap_real(&m, AF_INET6, 6379), 6379);
	CHECK_EQ(portmap_virtual(&m, AF_INET, 40123), 6379);
	CHECK_EQ(portmap_virtual(&m, AF_INET6, 40123), 0);
	CHECK_EQ(portmap_virtual(&m, AF_INET6, 6379), 6379);
	CHECK_EQ(portmap_real(&m, AF_UNIX, 6379), 0);
	portmap_free(&m);
}

TEST(portmap_refuses_zero_ports_and_other_families)
{
	struct portmap m = {0};
	CHECK_EQ(portmap_set(&m, AF_INET, 0, 1, 0), -EINVAL);
	CHECK_EQ(portmap_set(&m, AF_INET, 1, 0, 0), -EINVAL);
	CHECK_EQ(portmap_set(&m, AF_UNIX, 1, 1, 0), -EINVAL);
	CHECK_EQ(m.fwd.n, 0);
	portmap_free(&m);
}

/* A new real port for a virtual one drops the old real port's entry; a
 * real port given to another virtual port drops the first one (its
 * socket is gone: the kernel gave the port away). */
TEST(portmap_records_replace)
{
	struct portmap m = {0};
	CHECK_EQ(portmap_set(&m, AF_INET, 8080, 40000, 0), 0);
	CHECK_EQ(portmap_set(&m, AF_INET, 8080, 40001, 0), 0);
	CHECK_EQ(portmap_virtual(&m, AF_INET, 40000), 0);
	CHECK_EQ(portmap_virtual(&m, AF_INET, 40001), 8080);
	CHECK_EQ(portmap_set(&m, AF_INET, 9090, 40001, 0), 0);
	CHECK_EQ(portmap_real(&m, AF_INET, 8080), 0);
	CHECK_EQ(portmap_real(&m, AF_INET, 9090), 40001);
	CHECK_EQ(m.fwd.n, 1);
	CHECK_EQ(m.rev.n, 1);
	portmap_free(&m);
}

/* Whether anything is remapped follows every replacement. */
TEST(portmap_remaps_counts)
{
	struct portmap m = {0};
	CHECK(!portmap_remaps(&m));
	CHECK_EQ(portmap_set(&m, AF_INET, 80, 80, 0), 0);
	CHECK(!portmap_remaps(&m));
	CHECK_EQ(portmap_set(&m, AF_INET, 80, 40080, 0), 0); /* 80 moved */
	CHECK_EQ(m.remapped, 1);
	CHECK_EQ(portmap_set(&m, AF_INET6, 80, 40080, 0), 0);
	CHECK_EQ(m.remapped, 2);
	CHECK_EQ(portmap_set(&m, AF_INET, 80, 40080, 0), 0); /* the same again */
	CHECK_EQ(m.remapped, 2);
	CHECK_EQ(portmap_set(&m, AF_INET, 40080, 40080, 0), 0); /* takes 80's real port */
	CHECK_EQ(m.remapped, 1);
	CHECK_EQ(portmap_real(&m, AF_INET, 80), 0);
	CHECK_EQ(portmap_set(&m, AF_INET6, 80, 80, 0), 0); /* back home */
	CHECK(!portmap_remaps(&m));
	CHECK_EQ(portmap_set(&m, AF_INET, 9000, 40080, 0), 0); /* drops 40080's identity */
	CHECK_EQ(m.remapped, 1);
	CHECK_EQ(portmap_real(&m, AF_INET, 40080), 0);
	portmap_free(&m);
	CHECK(!portmap_remaps(&m));
}

/* Many ports, set out of order: every lookup still finds its own. */
TEST(portmap_many_sorted)
{
	struct portmap m = {0};
	for (unsigned i = 0; i < 2000; i++) {
		uint16_t v = (uint16_t)(1 + (i * 7919u) % 30000u);
		CHECK_EQ(portmap_set(&m, i % 2 ? AF_INET6 : AF_INET, v, (uint16_t)(v + 30000), 0),
			 0);
	}
	for (unsigned i = 0; i < 2000; i++) {
		uint16_t v = (uint16_t)(1 + (i * 7919u) % 30000u);
		int f = i % 2 ? AF_INET6 : AF_INET;
		CHECK_EQ(portmap_real(&m, f, v), v + 30000);
		CHECK_EQ(portmap_virtual(&m, f, (uint16_t)(v + 30000)), v);
	}
	for (size_t i = 1; i < m.fwd.n; i++) {
		uint32_t a = (uint32_t)m.fwd.v[i - 1].fam << 16 | m.fwd.v[i - 1].key;
		uint32_t b = (uint32_t)m.fwd.v[i].fam << 16 | m.fwd.v[i].key;
		CHECK(a < b);
	}
	portmap_free(&m);
}

/* Only remapped ports, ascending across both families; a port with an
 * IPv4 entry is shown by it. */
TEST(portmap_json_remapped_only)
{
	struct portmap m = {0};
	char *json = NULL;
	CHECK_EQ(portmap_set(&m, AF_INET6, 80, 40080, 0), 0);
	CHECK_EQ(portmap_set(&m, AF_INET, 6379, 40123, 0), 0);
	CHECK_EQ(portmap_set(&m, AF_INET6, 6379, 40999, 0), 0);
	CHECK_EQ(portmap_set(&m, AF_INET, 8000, 8000, 0), 0);
	CHECK_EQ(portmap_set(&m, AF_INET6, 9000, 40900, 0), 0);
	CHECK_EQ(portmap_set(&m, AF_INET, 9000, 9000, 0), 0);
	CHECK_EQ(portmap_json(&m, &json), 0);
	CHECK_STR(json, "{\"80\":40080,\"6379\":40123}");
	free(json);
	portmap_free(&m);
	CHECK_EQ(portmap_set(&m, AF_INET, 22, 22, 0), 0);
	json = (char *)1;
	CHECK_EQ(portmap_json(&m, &json), 0);
	CHECK(json == NULL);
	portmap_free(&m);
}

/* The sandbox's view: the header, its lines only, renumbered, at their
 * virtual ports; the host's others gone. */
TEST(portmap_tcp_view_filters_and_rewrites)
{
	static const char table[] = TCP_HEAD TCP_LINE("0", "0016", "100") /* 22, the host's */
	    TCP_LINE("1", "9CBB", "200")				  /* 40123: ours */
	    TCP_LINE("2", "1F90", "300");				  /* 8080, the host's */
	struct portmap m = {0};
	struct sl_buf out = {0};
	CHECK_EQ(portmap_set(&m, AF_INET, 6379, 40123, 200), 0);
	CHECK_EQ(portmap_tcp_view(&m, AF_INET, table, sizeof(table) - 1, &out), 0);
	static const char want[] = TCP_HEAD TCP_LINE("0", "18EB", "200");
	CHECK_EQ(out.len, sizeof(want) - 1);
	CHECK(memcmp(out.p, want, out.len) == 0);
	sl_buf_free(&out);
	/* another family's map shows nothing but the header */
	CHECK_EQ(portmap_tcp_view(&m, AF_INET6, table, sizeof(table) - 1, &out), 0);
	CHECK_EQ(out.len, sizeof(TCP_HEAD) - 1);
	sl_buf_free(&out);
	portmap_free(&m);
}

TEST(portmap_tcp_view_odd_text)
{
	struct portmap m = {0};
	struct sl_buf out = {0};
	CHECK_EQ(portmap_set(&m, AF_INET, 6379, 6379, 0), 0);
	/* no newline at all, a line cut short, garbage, a last line with no
	 * newline: the header and the one whole line */
	static const char cut[] = "header";
	CHECK_EQ(portmap_tcp_view(&m, AF_INET, cut, sizeof(cut) - 1, &out), 0);
	CHECK_EQ(out.len, 6);
	sl_buf_free(&out);
	static const char odd[] = "h\n   0: 00000000:18EB 00000000:0000 0A\n"
				  "zz\n\n   1: 00000000:18EB 0:0 0A 0:0 0:0 0 0 0 42";
	CHECK_EQ(portmap_tcp_view(&m, AF_INET, odd, sizeof(odd) - 1, &out), 0);
	static const char want[] = "h\n   0: 00000000:18EB 0:0 0A 0:0 0:0 0 0 0 42\n";
	CHECK_EQ(out.len, sizeof(want) - 1);
	CHECK(memcmp(out.p, want, out.len) == 0);
	sl_buf_free(&out);
	portmap_free(&m);
}

/* Held: a line at the real port whose inode is a socket the sandbox
 * bound there. */
TEST(portmap_holds_own_sockets_only)
{
	static const char table[] =
	    TCP_HEAD TCP_LINE("0", "9CBB", "200") TCP_LINE("1", "1F90", "300");
	struct portmap m = {0};
	CHECK_EQ(portmap_set(&m, AF_INET, 6379, 40123, 200), 0);
	CHECK_EQ(portmap_set(&m, AF_INET, 80, 8080, 301), 0);
	CHECK(portmap_holds(&m, table, sizeof(table) - 1, 40123));
	CHECK(!portmap_holds(&m, table, sizeof(table) - 1, 8080));
	CHECK(!portmap_holds(&m, table, sizeof(table) - 1, 22));
	portmap_free(&m);
}

/* The sockets remembered are the last PORTMAP_SOCKS bound. */
TEST(portmap_socks_ring)
{
	struct portmap m = {0};
	for (uint64_t i = 1; i <= PORTMAP_SOCKS + 10; i++)
		CHECK_EQ(portmap_set(&m, AF_INET, 6379, 40123, i), 0);
	CHECK_EQ(m.nsocks, PORTMAP_SOCKS);
	bool first = false, last = false;
	for (size_t i = 0; i < m.nsocks; i++) {
		first |= m.socks[i].ino == 1;
		last |= m.socks[i].ino == PORTMAP_SOCKS + 10;
	}
	CHECK(!first);
	CHECK(last);
	portmap_free(&m);
}

/* The feature's side for other modules: nothing while port_remap is off,
 * nothing yet before a bind. */
TEST(portremap_real_and_json_through_the_engine)
{
	th_skip_under_valgrind("the engine asks the seccomp syscall for its sizes");
	static struct sl_sup s;
	struct sandlock_sandbox cfg;
	char *json = (char *)1;
	policy_init(&cfg);
	const struct sl_feature *const v[] = {&feature_portremap};
	struct sl_feature_set set = {v, 1};
	struct sl_sup_cfg sc = {.policy = &cfg, .name = "t", .features = &set};
	CHECK_EQ(supervisor_init(&s, &sc), 0);
	CHECK_EQ(s.nfeat, 0);
	CHECK_EQ(portremap_real(&s, AF_INET, 6379), 0);
	CHECK_EQ(portremap_json(&s, &json), 0);
	CHECK(json == NULL);
	supervisor_release(&s);
	cfg.port_remap = true;
	CHECK_EQ(supervisor_init(&s, &sc), 0);
	CHECK_EQ(s.nfeat, 1);
	CHECK(supervisor_chain_len(&s, __NR_bind) == 1 &&
	      supervisor_chain_len(&s, __NR_getsockname) == 1);
	CHECK_EQ(portremap_real(&s, AF_INET6, 6379), 0);
	json = (char *)1;
	CHECK_EQ(portremap_json(&s, &json), 0);
	CHECK(json == NULL);
	supervisor_release(&s);
	policy_release(&cfg);
}
