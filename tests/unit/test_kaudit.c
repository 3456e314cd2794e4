/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_kaudit.c - Landlock's audit records read back as the sandbox's
 * refusals: only its own domain's, told by the pid and the program that
 * made it; a path the kernel logs in hex; a refusal logged before the
 * record that names its domain.
 */
#include "harness.h"
#include "kaudit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denials.h"

#define ACCESS 1423
#define DOMAIN 1424

static void rec(struct kaudit *k, int type, const char *text)
{
	kaudit_record(k, type, text, strlen(text));
}

static char *events(struct sl_denials *d)
{
	static char *last;
	free(last);
	CHECK_EQ(denials_json(d, &last), 0);
	return last;
}

TEST(kaudit_first_refusal_waits_for_its_domain)
{
	struct sl_denials d;
	CHECK_EQ(denials_init(&d), 0);
	struct kaudit k = {.fd = -1, .root = 300, .out = &d};
	snprintf(k.exe, sizeof(k.exe), "/usr/bin/sandlock");
	rec(&k, ACCESS, "domain=1a2b blockers=fs.read_file path=\"/etc/shadow\" dev=\"vda\" ino=5");
	CHECK_STR(events(&d), "");
	/* another sandbox's domain (another pid), then the command's own
	 * domain made after its exec (same pid, another program) */
	rec(&k, DOMAIN,
	    "domain=1a2b status=allocated mode=enforcing pid=301 uid=0 "
	    "exe=\"/usr/bin/sandlock\" comm=\"sandlock\"");
	rec(&k, DOMAIN,
	    "domain=1a2b status=allocated mode=enforcing pid=300 uid=0 "
	    "exe=\"/usr/bin/python3\" comm=\"python3\"");
	CHECK_STR(events(&d), "");
	rec(&k, DOMAIN,
	    "domain=1a2b status=allocated mode=enforcing pid=300 uid=0 "
	    "exe=\"/usr/bin/sandlock\" comm=\"sandlock\"");
	char *e = events(&d);
	CHECK_CONTAINS(e, "\"syscall\":\"open\",\"errno\":\"EACCES\",\"target\":\"/etc/shadow\"");
	CHECK_CONTAINS(e, "(-r /etc/shadow would allow it)");
	CHECK_CONTAINS(e, "\"source\":\"audit\"");
	/* another domain's refusals are not the sandbox's */
	rec(&k, ACCESS, "domain=99 blockers=fs.read_file path=\"/x\" dev=\"vda\" ino=6");
	e = events(&d);
	CHECK(strchr(e, '\n') == e + strlen(e) - 1);
	denials_release(&d);
}

TEST(kaudit_hex_path_and_other_objects)
{
	struct sl_denials d;
	CHECK_EQ(denials_init(&d), 0);
	struct kaudit k = {.fd = -1, .root = 7, .out = &d, .domain = 0x10, .domain_known = true};
	/* "/tmp/a b": a space makes audit log it in hex */
	rec(&k, ACCESS, "domain=10 blockers=fs.make_reg path=2F746D702F612062 dev=\"vda\" ino=1");
	rec(&k, ACCESS, "domain=10 blockers=net.connect_tcp daddr=10.0.0.1 dest=443");
	char *e = events(&d);
	CHECK_CONTAINS(e, "\"syscall\":\"create\",\"errno\":\"EACCES\",\"target\":\"/tmp/a b\"");
	CHECK_CONTAINS(e, "fs.make_reg: not under any -w tree (-w /tmp/a b would allow it)");
	CHECK_CONTAINS(e, "\"target\":\"daddr=10.0.0.1 dest=443\",\"rule\":\"net.connect_tcp: "
			  "refused by Landlock\"");
	denials_release(&d);
}
