/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpgate.h - the HTTP ACL proxy's decision on one request.
 *
 * A request reaches the proxy on a connection whose real destination
 * the supervisor decided (net_allow) and recorded when it redirected the
 * connect: that address, not anything the request says, is where the
 * proxy forwards it.  What the request says is checked against it:
 *   - first what servers could read otherwise than the rules (400): a
 *     standard method in another case ("head"), a body on GET or HEAD;
 *   - over TLS, the host the client asked for (the absolute URI's
 *     authority, or Host) must be the name the client's handshake gave
 *     (SNI), which is the name the upstream certificate is verified for;
 *   - that host must be that address, or a name that is that address: a
 *     name the sandbox's /etc/hosts pins (the rules' hosts, resolved once
 *     at the start: the only answer the sandbox itself could have had),
 *     else the system resolver's answer (cached 30 s, failures too),
 *     asked only once the rules let the request go (the sandbox must not
 *     have the supervisor resolve names of its choosing).  So a request
 *     to an allowed name cannot be sent to another site's address (Host
 *     spoofing);
 *   - the rules: a matching http_deny rule denies, else with any
 *     http_allow rule one must match (httprule.h), on the normalized path
 *     and on each reading of it servers of other families make (";"
 *     parameters dropped, %5C as "/", decoded twice): a deny rule on any,
 *     an allow rule on each.  A deny rule also speaks of its host's
 *     address: a rule naming an address applies whatever the request
 *     calls it, a rule naming a host applies to a request naming only the
 *     address (a literal, "localhost") when the host is that address.
 * An allowed request over TLS to a host with an http_auth credential
 * gets that header (the client's own header of that name dropped): only
 * there, so a redirect to another origin, or a plain-text request, never
 * carries it.
 *
 * Runs on the proxy's thread only (the resolver cache is its own).
 */
#ifndef SL_HTTPGATE_H
#define SL_HTTPGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sandlock_sandbox;
struct sl_netplan;
struct sl_net_addr;
struct httpmsg_req;
struct httpgate;

/* What becomes of a request. */
enum gate_status {
	GATE_ALLOW,
	GATE_DENY, /* 403: a rule, or the host does not match the connection */
	GATE_BAD,  /* 400: a path the rules cannot be checked on (%00), or a
		    * request servers could read otherwise */
};

struct gate_verdict {
	enum gate_status status;
	char reason[384]; /* the 403's or 400's body line */
	/* ALLOW with a credential: drop the client's header of this name and
	 * add the line (malloc'd, "Name: value"; gate_verdict_free) */
	const char *drop;
	char *add;
};

/* The gate for policy's rules and credentials and net's pins (both must
 * outlive it).  0, -ENOMEM. */
int httpgate_new(struct httpgate **out, const struct sandlock_sandbox *policy,
		 const struct sl_netplan *net);
void httpgate_free(struct httpgate *g);

/* Decides rq, a request that came on a connection to dest.  sni: the
 * client's TLS server name when the connection is TLS (tls), NULL
 * without one.  Fills *v (gate_verdict_free it).  0 or -ENOMEM. */
int httpgate_check(struct httpgate *g, const struct httpmsg_req *rq, const struct sl_net_addr *dest,
		   bool tls, const char *sni, struct gate_verdict *v);
void gate_verdict_free(struct gate_verdict *v);

/* Whether the upgrade a request head (head_len bytes, parsed: one field
 * per line) asks for is one the proxy may tunnel: WebSocket only, whose
 * messages are the application's.  Any other (h2c: HTTP/2 requests the
 * proxy would not see; TLS/1.x) is refused.  On refusal the protocol
 * named is copied to what (cap bytes). */
bool httpgate_upgrade_ok(const char *head, size_t head_len, char *what, size_t cap);

#endif
