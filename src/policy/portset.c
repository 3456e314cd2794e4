/* SPDX-License-Identifier: Apache-2.0 */
/* portset.c - sets of ports (see portset.h). */
#include "portset.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "policy.h"

/* ---- the set ---------------------------------------------------------------- */

static int push(struct sl_portset *s, uint16_t lo, uint16_t hi)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		struct sl_port_range *v = reallocarray(s->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (struct sl_port_range){lo, hi};
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct sl_port_range *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->hi > y->hi) - (x->hi < y->hi);
}

static void make_all(struct sl_portset *s)
{
	free(s->v);
	*s = (struct sl_portset){.all = true};
}

/* Sorts, then merges overlapping and adjacent ranges: the one form a set
 * has, so that equal sets compare equal. */
static void normalize(struct sl_portset *s)
{
	if (s->all || s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_range);
	size_t o = 0;
	for (size_t i = 1; i < s->n; i++) {
		/* in 32 bits: hi + 1 of 65535 must not wrap */
		if ((uint32_t)s->v[i].lo <= (uint32_t)s->v[o].hi + 1) {
			if (s->v[i].hi > s->v[o].hi)
				s->v[o].hi = s->v[i].hi;
		} else {
			s->v[++o] = s->v[i];
		}
	}
	s->n = o + 1;
	if (s->n == 1 && s->v[0].lo == 0 && s->v[0].hi == UINT16_MAX)
		make_all(s);
}

int portset_add(struct sl_portset *s, uint16_t lo, uint16_t hi)
{
	if (s->all || lo > hi)
		return 0;
	if (push(s, lo, hi) < 0)
		return -ENOMEM;
	normalize(s);
	return 0;
}

int portset_union(struct sl_portset *dst, const struct sl_portset *src)
{
	if (dst->all)
		return 0;
	if (src->all) {
		make_all(dst);
		return 0;
	}
	size_t n = dst->n;
	for (size_t i = 0; i < src->n; i++) {
		if (push(dst, src->v[i].lo, src->v[i].hi) < 0) {
			dst->n = n; /* the ranges pushed so far go, dst is as it was */
			return -ENOMEM;
		}
	}
	normalize(dst);
	return 0;
}

int portset_subtract(struct sl_portset *dst, const struct sl_portset *src)
{
	if (src->all) {
		portset_free(dst);
		return 0;
	}
	if (src->n == 0)
		return 0;
	struct sl_portset out = {0};
	struct sl_port_range every = {0, UINT16_MAX};
	const struct sl_port_range *a = dst->all ? &every : dst->v;
	size_t na = dst->all ? 1 : dst->n, j = 0;
	for (size_t i = 0; i < na; i++) {
		uint32_t lo = a[i].lo, hi = a[i].hi;
		/* src is sorted: its ranges wholly below this one are below
		 * every later one too */
		while (j < src->n && src->v[j].hi < lo)
			j++;
		for (size_t k = j; k < src->n && src->v[k].lo <= hi && lo <= hi; k++) {
			if (src->v[k].lo > lo && push(&out, (uint16_t)lo, src->v[k].lo - 1) < 0)
				goto nomem;
			lo = (uint32_t)src->v[k].hi + 1;
		}
		if (lo <= hi && push(&out, (uint16_t)lo, (uint16_t)hi) < 0)
			goto nomem;
	}
	portset_free(dst);
	*dst = out;
	normalize(dst);
	return 0;
nomem:
	portset_free(&out);
	return -ENOMEM;
}

bool portset_contains(const struct sl_portset *s, uint32_t port)
{
	if (port > UINT16_MAX)
		return false;
	if (s->all)
		return true;
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (port < s->v[mid].lo)
			hi = mid;
		else if (port > s->v[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool portset_empty(const struct sl_portset *s)
{
	return !s->all && s->n == 0;
}

bool portset_equal(const struct sl_portset *a, const struct sl_portset *b)
{
	if (a->all != b->all || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].lo != b->v[i].lo || a->v[i].hi != b->v[i].hi)
			return false;
	return true;
}

uint32_t portset_count(const struct sl_portset *s)
{
	if (s->all)
		return UINT16_MAX + 1u;
	uint32_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += (uint32_t)s->v[i].hi - s->v[i].lo + 1;
	return n;
}

int portset_format(const struct sl_portset *s, char **out)
{
	/* "65535-65535," is the longest item */
	size_t cap = s->all ? 2 : s->n * 12 + 1;
	char *buf = malloc(cap), *p = buf;
	if (!(*out = buf))
		return -ENOMEM;
	*p = 0;
	if (s->all)
		strcpy(buf, "*");
	for (size_t i = 0; i < s->n && !s->all; i++) {
		const char *sep = i ? "," : "";
		if (s->v[i].lo == s->v[i].hi)
			p += snprintf(p, cap - (size_t)(p - buf), "%s%u", sep, s->v[i].lo);
		else
			p += snprintf(p, cap - (size_t)(p - buf), "%s%u-%u", sep, s->v[i].lo,
				      s->v[i].hi);
	}
	return 0;
}

int portset_copy(struct sl_portset *dst, const struct sl_portset *src)
{
	*dst = (struct sl_portset){.all = src->all};
	if (src->n == 0)
		return 0;
	dst->v = reallocarray(NULL, src->n, sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	return 0;
}

void portset_free(struct sl_portset *s)
{
	if (!s)
		return;
	free(s->v);
	*s = (struct sl_portset){0};
}

/* ---- parsing ------------------------------------------------------------------ */

struct where {
	const char *field, *spec;
	bool bind;
};

/* Records "<field>: '<spec>': <reason>" and returns -EINVAL. */
__attribute__((format(printf, 2, 3))) static int bad(const struct where *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = sl_error_value(w->field, w->spec, fmt, ap);
	va_end(ap);
	return r;
}

/* A decimal number of n characters, or -1 for anything else (empty, a
 * sign, white space).  A value past 65535 stays above it, whatever its
 * length. */
static long number(const char *s, size_t n)
{
	if (n == 0)
		return -1;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v <= UINT16_MAX)
			v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* One end of an item, already known to be a number: in 1-65535. */
static int check_port(const struct where *w, const char *s, size_t n, long v)
{
	if (v == 0)
		return w->bind ? bad(w, "port 0 is not allowed (it would let the sandbox "
					"bind an ephemeral port)")
			       : bad(w, "port 0 is not valid");
	if (v > UINT16_MAX)
		return bad(w, "port %.*s is out of range (1-65535)", (int)n, s);
	return 0;
}

/* One item, s[0..n) trimmed: a port or lo-hi, added to out. */
static int parse_item(const struct where *w, const char *s, size_t n, struct sl_portset *out)
{
	const char *dash = memchr(s, '-', n);
	size_t nlo = dash ? (size_t)(dash - s) : n;
	long lo = number(s, nlo), hi = lo;
	if (dash) {
		hi = number(dash + 1, n - nlo - 1);
		if (lo < 0 || hi < 0)
			return bad(w, "invalid port range '%.*s' (write lo-hi)", (int)n, s);
	} else if (lo < 0) {
		return bad(w, "invalid port '%.*s'", (int)n, s);
	}
	int r = check_port(w, s, nlo, lo);
	if (r < 0 || (dash && (r = check_port(w, dash + 1, n - nlo - 1, hi)) < 0))
		return r;
	if (lo > hi)
		return bad(w, "invalid port range '%.*s': %ld is above %ld", (int)n, s, lo, hi);
	return push(out, (uint16_t)lo, (uint16_t)hi);
}

int portset_parse(const char *field, const char *spec, const char *list, bool bind,
		  struct sl_portset *out)
{
	const struct where w = {field, spec, bind};
	bool star = false;
	int r = 0;
	*out = (struct sl_portset){0};
	/* by hand: strtok would merge empty items, which must be refused */
	for (const char *p = list;; p++) {
		const char *end = strchrnul(p, ',');
		while (p < end && sl_is_space(*p))
			p++;
		size_t n = (size_t)(end - p);
		while (n > 0 && sl_is_space(p[n - 1]))
			n--;
		if (n == 1 && *p == '*')
			star = true;
		else if (n == 0)
			r = bad(&w, "invalid port '' (an empty item in the list)");
		else
			r = parse_item(&w, p, n, out);
		if (r < 0)
			break;
		if (!*end)
			break;
		p = end;
	}
	if (r == 0 && star && out->n > 0)
		r = bad(&w, "cannot mix '*' with port numbers");
	if (r < 0) {
		portset_free(out);
		return r;
	}
	if (star)
		make_all(out);
	normalize(out);
	return 0;
}
