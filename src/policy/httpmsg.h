/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpmsg.h - HTTP/1.1 message heads and body framing, for the HTTP ACL
 * proxy: a request head parsed strictly (RFC 9112), a response head parsed
 * with its body framing (RFC 9112 6.3), a streaming chunked-body framer, and
 * a head rewriter that swaps one header field.
 *
 * The proxy checks a request's method, host and path and forwards the
 * original bytes: any message that two parsers could frame or route
 * differently (request smuggling) is refused, never guessed.  Refused:
 *
 *   - a line not ended by CRLF (a bare LF or CR anywhere in the head), a NUL
 *     or other control byte (HTAB only inside field values), DEL;
 *   - an empty line before the request line, obs-fold (a field line that
 *     starts with SP or HTAB), whitespace between a field name and ':', a
 *     field name that is not a token;
 *   - a request field named Content-Length or Transfer-Encoding with '_' for
 *     a '-' (CGI-style servers read it as the field itself);
 *   - a request line with other than one SP between its parts, a method that
 *     is not a token of 1 to 31 bytes, a version other than HTTP/1.1 or
 *     HTTP/1.0 (HTTP/2 and later: -ENOSYS, the rest -EINVAL);
 *   - the CONNECT method (any case) and so the authority-form: -ENOSYS; a
 *     target with a fragment, userinfo, a malformed %-escape, a '\' or
 *     another byte outside RFC 3986 in its path (the query may hold any
 *     visible ASCII but '#'); "*" but with OPTIONS;
 *   - for HTTP/1.1 no Host or several (several for 1.0 too); an absolute-form
 *     target whose host or port (a missing port is the scheme's default)
 *     differs from the Host field's;
 *   - a host that is not a reg-name of [A-Za-z0-9._~-] with non-empty labels
 *     (so no trailing dot) of at most 255 bytes, a dotted-quad IPv4 address (a name whose last
 *     label is numeric must be one, in canonical form: "127.1" and "0x7f.1"
 *     are refused) or a bracketed IPv6 address (no zone); a port that is not
 *     1-65535 in decimal without a leading zero;
 *   - Transfer-Encoding other than exactly "chunked" (-ENOSYS), several of
 *     it, with Content-Length, or on an HTTP/1.0 request; Content-Length
 *     other than decimal digits fitting in 64 bits, or several of it (even
 *     equal; a comma list is not digits);
 *   - an Expect other than "100-continue" (a server may answer 417 without
 *     reading the body, which would then be read as the next request), or
 *     several Expect fields;
 *   - an upgrade (Upgrade, and "upgrade" in Connection) offering HTTP again
 *     (h2c, h2, h3, HTTP/...): -ENOSYS; after the 101 the requests would go
 *     in a tunnel the proxy only relays.
 *
 * Pure functions: no I/O, no globals.  Errors are -errno: -EAGAIN (the head
 * is not complete yet), -EINVAL (malformed or ambiguous), -E2BIG (the head
 * is too large or has too many fields), -ENOMEM, -ENOSYS (a feature the
 * proxy does not support).  The functions that take why set *why (when why
 * is not NULL) at every error to a short static reason fit for a 400
 * response's body, and to NULL at success (the chunked framer leaves it).
 */
#ifndef SL_HTTPMSG_H
#define SL_HTTPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest head, through its final CRLFCRLF. */
#define HTTPMSG_HEAD_MAX (64 * 1024)
/* The most header fields in one head. */
#define HTTPMSG_FIELDS_MAX 100

/* How a message's body is framed. */
enum httpmsg_body {
	HM_NONE,    /* no body */
	HM_LENGTH,  /* length bytes */
	HM_CHUNKED, /* the chunked coding: httpmsg_chunked_feed() finds its end */
	HM_CLOSE,   /* until the server closes the connection (responses) */
	HM_TUNNEL,  /* 101 Switching Protocols: opaque bytes both ways (responses) */
};

/* A parsed request head.  Owns target, path and host. */
struct httpmsg_req {
	size_t head_len; /* bytes of the head, through the final CRLFCRLF */
	char method[32]; /* as sent (case kept) */
	char *target;	 /* request-target as sent, malloc'd */
	/* the path part of target (before '?'), as sent: "/..."; "*" for the
	 * asterisk-form; "/" for an absolute-form without a path; malloc'd */
	char *path;
	/* lower-case, no brackets, no port (an IPv6 address in inet_ntop's
	 * canonical form); from the absolute-form target, else the Host field;
	 * malloc'd; NULL only for an HTTP/1.0 request without any host */
	char *host;
	uint16_t port;		/* 0 when not given */
	bool absolute;		/* absolute-form target */
	bool https_scheme;	/* its scheme was https */
	int minor;		/* 0 or 1 */
	enum httpmsg_body body; /* HM_NONE, HM_LENGTH or HM_CHUNKED */
	uint64_t length;	/* HM_LENGTH */
	/* keep_alive: HTTP/1.1 without "Connection: close", or HTTP/1.0 with
	 * "Connection: keep-alive" (and no close); upgrade: an Upgrade field and
	 * "upgrade" listed in Connection; expect_continue: "Expect:
	 * 100-continue" in an HTTP/1.1 request (a server ignores it in 1.0) */
	bool keep_alive, upgrade, expect_continue;
};

/* Parses the request head at the start of buf[0..len).  Returns 0 with *out
 * filled (free it with httpmsg_req_free; the body, if any, starts at
 * buf + out->head_len), -EAGAIN when the head is not complete in fewer than
 * HTTPMSG_HEAD_MAX bytes (bytes already seen are checked: a bad one is
 * refused at once), -E2BIG, -EINVAL, -ENOSYS or -ENOMEM.  On failure *out
 * holds nothing to free (it is zeroed). */
int httpmsg_parse_req(const char *buf, size_t len, struct httpmsg_req *out, const char **why);

/* The head's bytes and size checked as they arrive, for a buffer that
 * grows: examines buf[*checked..len) (*checked starts at 0; the bytes before
 * it were found valid by earlier calls on the same, longer-grown buffer) and
 * updates *checked.  Returns what httpmsg_parse_req() would about the head's
 * bytes, lines and size: -EAGAIN, -EINVAL (a bare CR or LF, a control byte,
 * an empty first line), -E2BIG, or 0 when the head is complete (*checked is
 * then its length: parse it).  A head that arrives a byte at a time costs
 * O(n) this way, where calling the parser at each byte costs O(n^2).  Works
 * for responses too. */
int httpmsg_head_scan(const char *buf, size_t len, size_t *checked, const char **why);

/* Frees what r owns and zeroes it.  Accepts NULL. */
void httpmsg_req_free(struct httpmsg_req *r);

/* A parsed response head.  Owns nothing. */
struct httpmsg_resp {
	size_t head_len;
	int status; /* 100..999 */
	int minor;
	/* per RFC 9112 6.3, given the request: a HEAD request, 1xx (but 101),
	 * 204 and 304 -> HM_NONE; 101 -> HM_TUNNEL; Transfer-Encoding whose
	 * final coding is chunked -> HM_CHUNKED, another final coding ->
	 * HM_CLOSE; Content-Length -> HM_LENGTH; neither -> HM_CLOSE */
	enum httpmsg_body body;
	uint64_t length; /* HM_LENGTH */
	/* the connection may carry another request after this response: false
	 * for HM_CLOSE, HM_TUNNEL, "Connection: close", HTTP/1.0 without
	 * "Connection: keep-alive", and both Transfer-Encoding and
	 * Content-Length (the message is framed by the chunks, but whoever sent
	 * it is not to be trusted with the next one) */
	bool keep_alive;
	bool interim; /* 1xx other than 101: another response follows for the same request */
};

/* Parses the response head at the start of buf[0..len).  req_method is the
 * method of the request it answers ("HEAD": no body; NULL: not HEAD);
 * req_upgrade, that request asked to upgrade (a 101 answering any other
 * request is refused).  Returns as httpmsg_parse_req (no -ENOMEM, -ENOSYS).
 *
 * Lenient where a server's slip cannot frame a message two ways:
 *   - "HTTP/1.1 200\r\n" (no SP, no reason) is taken;
 *   - several Content-Length values (fields or a comma list) are taken when
 *     all are equal (RFC 9110 8.6);
 *   - Transfer-Encoding may be a list and appear several times: only its
 *     final coding matters; not chunked means reading until close.
 * Refused also: Transfer-Encoding in an HTTP/1.0 response (RFC 9112 6.1
 * calls its framing faulty). */
int httpmsg_parse_resp(const char *buf, size_t len, const char *req_method, bool req_upgrade,
		       struct httpmsg_resp *out, const char **why);

/* The chunked-body framer's state; fields other than done are private. */
struct httpmsg_chunked {
	int state;
	uint64_t left;	    /* hex size being read, then data bytes left */
	size_t linelen;	    /* bytes of the current size or trailer line */
	bool done;	    /* the last chunk and the trailer section are consumed */
	size_t trailers;    /* bytes of trailer lines so far */
	const char *failed; /* the reason of a refusal, repeated by later calls */
};

/* The longest chunk-size line (with its chunk-ext) or trailer line, and the
 * most bytes of trailer lines in one body. */
#define HTTPMSG_CHUNK_LINE_MAX (8 * 1024)
#define HTTPMSG_TRAILERS_MAX   (64 * 1024)

/* Starts a body. */
void httpmsg_chunked_init(struct httpmsg_chunked *c);

/* Consumes up to len bytes of a chunked body (fed in any pieces, one byte at
 * a time as well); returns how many belong to the body (<= len; fewer only
 * once c->done, the rest is the next message; 0 once done), or -EINVAL with
 * *why: a chunk size of other than hex digits (no whitespace, no "0x"), one
 * of 2^63 or more, other than CRLF after a chunk's data, a chunk-ext or
 * trailer line longer than HTTPMSG_CHUNK_LINE_MAX, trailer lines of more than
 * HTTPMSG_TRAILERS_MAX bytes in all, a trailer line that is not "token:
 * value", a bare CR or LF, a control byte (but HTAB) in a line.  After a
 * refusal every call refuses again.  The chunk-ext is not parsed further. */
long httpmsg_chunked_feed(struct httpmsg_chunked *c, const char *buf, size_t len, const char **why);

/* Copy of the head (head_len bytes of a request parsed by httpmsg_parse_req)
 * with every field named drop (case-insensitive; may be NULL) removed and
 * the line add ("Name: value" without CRLF; may be NULL) inserted just
 * before the final empty line.  *out is malloc'd (NUL-terminated, not
 * counted in *outlen).  Returns 0, -ENOMEM, or -EINVAL: a head that does not
 * end in CRLFCRLF, or an add that contains CR, LF or another control byte
 * but HTAB, or does not start with a token and ':'. */
int httpmsg_rewrite_head(const char *head, size_t head_len, const char *drop, const char *add,
			 char **out, size_t *outlen);

#endif
