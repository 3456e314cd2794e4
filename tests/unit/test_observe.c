/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_observe.c - the DNS queries learn reads names from: a standard
 * query of one question only, the name lower-cased, anything else no
 * query.
 */
#include "harness.h"
#include "observe.h"

#include <string.h>

static const unsigned char query[] = {0x12, 0x34, 0x01, 0x00, 0,   1,	0,   0,	  0,   0,   0,
				      0,    3,	  'A',	'p',  'i', 7,	'e', 'x', 'a', 'm', 'p',
				      'l',  'e',  3,	'c',  'o', 'm', 0,   0,	  1,   0,   1};

TEST(observe_dns_query_name)
{
	char name[256];
	CHECK(observe_dns_query(query, sizeof(query), name, sizeof(name)));
	CHECK_STR(name, "api.example.com");
	unsigned char q[sizeof(query)];
	memcpy(q, query, sizeof(q));
	q[2] |= 0x80; /* a response */
	CHECK(!observe_dns_query(q, sizeof(q), name, sizeof(name)));
	memcpy(q, query, sizeof(q));
	q[5] = 2; /* two questions */
	CHECK(!observe_dns_query(q, sizeof(q), name, sizeof(name)));
	memcpy(q, query, sizeof(q));
	q[14] = '/'; /* no host name */
	CHECK(!observe_dns_query(q, sizeof(q), name, sizeof(name)));
	/* a label running past the end, a question cut short, class CH */
	CHECK(!observe_dns_query(query, 20, name, sizeof(name)));
	CHECK(!observe_dns_query(query, sizeof(query) - 1, name, sizeof(name)));
	memcpy(q, query, sizeof(q));
	q[sizeof(q) - 1] = 3;
	CHECK(!observe_dns_query(q, sizeof(q), name, sizeof(name)));
	/* too long for the buffer */
	CHECK(!observe_dns_query(query, sizeof(query), name, 8));
}
