/* SPDX-License-Identifier: Apache-2.0 */
// httprule.h - HTTP ACL rules: "METHOD HOST[/PATH]".
//
// (Line comments in this file: the wildcard examples contain a slash-star
// that would end a block comment's opening under -Wcomment.)
//
//   GET api.example.com/v1/*     method GET, host api.example.com, prefix /v1/
//   * *                          any method, any host, any path
//   POST example.com/upload      exact path /upload
//
// The method is upper-cased ('*' = any), the host lower-cased ('*' = any, no
// port, no partial wildcards, "[v6]" loses its brackets), the path
// normalized with httprule_normalize_path() keeping a trailing '*' (no path
// means "/*").  A '*' anywhere else in the path is refused: 0.8.0 takes it
// literally, which silently never matches.
//
// Pure functions: no I/O, reusable by the proxy.
#ifndef SL_HTTPRULE_H
#define SL_HTTPRULE_H

#include <stdbool.h>
#include <stddef.h>

struct sl_http_rule;

/* Parses one rule into *out, which is overwritten.  Returns 0; -EINVAL with
 * the message "invalid http rule: '<rule>': <reason>"; or -ENOMEM.  On
 * failure *out holds nothing to free. */
int httprule_parse(const char *rule, struct sl_http_rule *out);

/* Deep copy; 0 or -ENOMEM (then *dst holds nothing to free). */
int httprule_copy(struct sl_http_rule *dst, const struct sl_http_rule *src);

/* Frees what the rule owns and zeroes it.  Accepts NULL. */
void httprule_free(struct sl_http_rule *r);

// Normalizes an HTTP path (without query or fragment): percent-decodes each
// valid %XX once (malformed escapes stay literal), splits on '/', drops
// empty and "." segments (a backslash, written or %5C, is a '/': some
// servers separate segments with it), lets ".." pop a segment (never above the root) and
// rejoins with a leading '/'.  "/foo//bar" -> "/foo/bar",
// "/v1/%2e%2e/admin" -> "/admin", "/v1/" -> "/v1".
//
// With is_rule, a trailing '*' is a wildcard: the part up to the last '/'
// is normalized and the partial segment between that '/' and the '*' is
// kept as it is (it starts a name, it is not a segment), so "/v1/*" stays
// "/v1/*" and "/api/v*" stays "/api/v*".
//
// *out receives a malloc'd string.  Returns 0, -ENOMEM, or -EINVAL when the
// path decodes to a NUL byte (%00), which no C string carries faithfully:
// the proxy must refuse such a request rather than match a truncated path.
int httprule_normalize_path(const char *path, bool is_rule, char **out);

// Does a rule path match a normalized request path?  "/*" and "*" match
// everything; a pattern ending in '*' is a string prefix match; anything
// else must be equal.
bool httprule_path_match(const char *pattern, const char *path);

/* Does rule r match the request?  method is compared case-insensitively,
 * host is the request host without port (brackets around an IPv6 literal
 * are ignored), path must be normalized (httprule_normalize_path). */
bool httprule_match(const struct sl_http_rule *r, const char *method, const char *host,
		    const char *path);

/* The ACL decision: a matching deny rule denies; else no allow rules
 * allows; else some allow rule must match.  rules holds n_allow allow
 * rules followed by n_deny deny rules (struct sandlock_sandbox layout). */
bool httprule_allows(const struct sl_http_rule *rules, size_t n_allow, size_t n_deny,
		     const char *method, const char *host, const char *path);

#endif
