/* SPDX-License-Identifier: Apache-2.0 */
/* portmap.c - a sandbox's virtual TCP port space (see portmap.h). */
#include "portmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- the two indexes ------------------------------------------------------------- */

/* The first position whose (fam, key) is not below the one given. */
static size_t lower(const struct portmap_index *x, uint16_t fam, uint16_t key)
{
	size_t lo = 0, hi = x->n;
	uint32_t want = (uint32_t)fam << 16 | key;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t at = (uint32_t)x->v[mid].fam << 16 | x->v[mid].key;
		if (at < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct portmap_pair *get(const struct portmap_index *x, uint16_t fam, uint16_t key)
{
	size_t i = lower(x, fam, key);
	return i < x->n && x->v[i].fam == fam && x->v[i].key == key ? &x->v[i] : NULL;
}

static void del(struct portmap_index *x, uint16_t fam, uint16_t key)
{
	size_t i = lower(x, fam, key);
	if (i < x->n && x->v[i].fam == fam && x->v[i].key == key) {
		memmove(&x->v[i], &x->v[i + 1], (x->n - i - 1) * sizeof(x->v[0]));
		x->n--;
	}
}

/* Room for one more: 0 or -ENOMEM. */
static int reserve(struct portmap_index *x)
{
	if (x->n < x->cap)
		return 0;
	size_t cap = x->cap ? x->cap * 2 : 8;
	struct portmap_pair *v = realloc(x->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	x->v = v;
	x->cap = cap;
	return 0;
}

/* Inserts or replaces (fam, key); the room was reserved. */
static void put(struct portmap_index *x, uint16_t fam, uint16_t key, uint16_t val)
{
	size_t i = lower(x, fam, key);
	if (i < x->n && x->v[i].fam == fam && x->v[i].key == key) {
		x->v[i].val = val;
		return;
	}
	memmove(&x->v[i + 1], &x->v[i], (x->n - i) * sizeof(x->v[0]));
	x->v[i] = (struct portmap_pair){fam, key, val};
	x->n++;
}

/* ---- lookups and records ---------------------------------------------------------- */

static bool fam_ok(int fam)
{
	return fam == AF_INET || fam == AF_INET6;
}

uint16_t portmap_real(const struct portmap *m, int fam, uint16_t vport)
{
	const struct portmap_pair *p = fam_ok(fam) ? get(&m->fwd, (uint16_t)fam, vport) : NULL;
	return p ? p->val : 0;
}

uint16_t portmap_virtual(const struct portmap *m, int fam, uint16_t real)
{
	const struct portmap_pair *p = fam_ok(fam) ? get(&m->rev, (uint16_t)fam, real) : NULL;
	return p ? p->val : 0;
}

static void remember(struct portmap *m, uint16_t fam, uint16_t real, uint64_t ino)
{
	if (!ino)
		return;
	m->socks[m->next_sock] = (struct portmap_sock){fam, real, ino};
	m->next_sock = (m->next_sock + 1) % PORTMAP_SOCKS;
	if (m->nsocks < PORTMAP_SOCKS)
		m->nsocks++;
}

int portmap_set(struct portmap *m, int fam, uint16_t vport, uint16_t real, uint64_t ino)
{
	if (!fam_ok(fam) || !vport || !real)
		return -EINVAL;
	uint16_t f = (uint16_t)fam;
	if (reserve(&m->fwd) < 0 || reserve(&m->rev) < 0)
		return -ENOMEM;
	/* values, not pointers: a deletion moves the entries after it */
	const struct portmap_pair *o = get(&m->fwd, f, vport);
	uint16_t old = o ? o->val : 0;
	if (old && old != real) {
		m->remapped -= old != vport;
		del(&m->rev, f, old);
	}
	/* the real port's previous virtual port: its socket is gone */
	const struct portmap_pair *p = get(&m->rev, f, real);
	uint16_t prev = p ? p->val : 0;
	if (prev && prev != vport) {
		m->remapped -= prev != real;
		del(&m->fwd, f, prev);
	}
	if (old != real)
		m->remapped += vport != real;
	put(&m->fwd, f, vport, real);
	put(&m->rev, f, real, vport);
	remember(m, f, real, ino);
	return 0;
}

bool portmap_remaps(const struct portmap *m)
{
	return m->remapped > 0;
}

/* ---- /proc/net/tcp ---------------------------------------------------------------- */

/* What the view reads of one line of the table:
 *   "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu ..."
 * (tcp6: 32 hex digits of address), the fields split by blanks: the
 * slot, the local address and port, ..., the inode tenth. */
struct tcp_line {
	const char *local; /* the local address's first digit */
	const char *port;  /* its port's four digits */
	const char *end;   /* the line's end (its '\n' or the text's end) */
	uint16_t lport;
	uint64_t ino;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next field of [*p, end): its start, *p after it; NULL at the end. */
static const char *field(const char **p, const char *end, size_t *n)
{
	const char *s = *p;
	while (s < end && is_blank(*s))
		s++;
	const char *e = s;
	while (e < end && !is_blank(*e))
		e++;
	*p = e;
	*n = (size_t)(e - s);
	return e > s ? s : NULL;
}

static bool hex(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (!n || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
					       : -1;
		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

static bool dec(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (!n || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* Parses the line [s, end); false when it is not one of the table's. */
static bool parse_line(const char *s, const char *end, struct tcp_line *l)
{
	const char *p = s, *f;
	size_t n;
	uint64_t v;
	if (!(f = field(&p, end, &n)) || f[n - 1] != ':' || !(f = field(&p, end, &n)))
		return false;
	const char *colon = memchr(f, ':', n);
	if (!colon || f + n - colon != 5 || !hex(colon + 1, 4, &v))
		return false;
	*l = (struct tcp_line){.local = f, .port = colon + 1, .end = end, .lport = (uint16_t)v};
	for (int i = 2; i < 10; i++)
		if (!(f = field(&p, end, &n)))
			return false;
	return dec(f, n, &l->ino);
}

/* Calls fn on each line of the table after its header; stops at the
 * first non-zero answer and returns it. */
static int each_line(const char *text, size_t len, int (*fn)(const struct tcp_line *, void *),
		     void *arg)
{
	const char *end = text + len, *s = memchr(text, '\n', len);
	for (s = s ? s + 1 : end; s < end;) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		e = e ? e : end;
		struct tcp_line l;
		int r = parse_line(s, e, &l) ? fn(&l, arg) : 0;
		if (r)
			return r;
		s = e + 1;
	}
	return 0;
}

struct holds_arg {
	const struct portmap *m;
	uint16_t real;
};

static int holds_line(const struct tcp_line *l, void *arg)
{
	const struct holds_arg *h = arg;
	if (l->lport != h->real)
		return 0;
	for (size_t i = 0; i < h->m->nsocks; i++)
		if (h->m->socks[i].real == h->real && h->m->socks[i].ino == l->ino)
			return 1;
	return 0;
}

bool portmap_holds(const struct portmap *m, const char *text, size_t len, uint16_t real)
{
	struct holds_arg h = {m, real};
	return each_line(text, len, holds_line, &h) == 1;
}

static int append(struct sl_buf *b, const void *p, size_t n)
{
	if (sl_buf_reserve(b, n) < 0)
		return -ENOMEM;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

struct view_arg {
	const struct portmap *m;
	int fam;
	struct sl_buf *out;
	size_t slot;
};

static int view_line(const struct tcp_line *l, void *arg)
{
	struct view_arg *v = arg;
	uint16_t vport = portmap_virtual(v->m, v->fam, l->lport);
	if (!vport)
		return 0;
	char head[32], port[8];
	int hn = snprintf(head, sizeof(head), "%4zu: ", v->slot++);
	snprintf(port, sizeof(port), "%04X", vport);
	const char *rest = l->port + 4;
	if (append(v->out, head, (size_t)hn) < 0 ||
	    append(v->out, l->local, (size_t)(l->port - l->local)) < 0 ||
	    append(v->out, port, 4) < 0 || append(v->out, rest, (size_t)(l->end - rest)) < 0 ||
	    append(v->out, "\n", 1) < 0)
		return -ENOMEM;
	return 0;
}

int portmap_tcp_view(const struct portmap *m, int fam, const char *text, size_t len,
		     struct sl_buf *out)
{
	const char *nl = memchr(text, '\n', len);
	size_t head = nl ? (size_t)(nl - text) + 1 : len;
	if (append(out, text, head) < 0)
		return -ENOMEM;
	struct view_arg v = {m, fam, out, 0};
	return each_line(text, len, view_line, &v);
}

/* ---- the host's view ------------------------------------------------------------------ */

/* Appends "{" or "," and "V":R. */
static int json_item(struct sl_buf *b, uint16_t vport, uint16_t real)
{
	char item[24];
	int n = snprintf(item, sizeof(item), "%c\"%u\":%u", b->len ? ',' : '{', vport, real);
	return append(b, item, (size_t)n);
}

int portmap_json(const struct portmap *m, char **out)
{
	struct sl_buf b = {0};
	int r = 0;
	*out = NULL;
	/* fwd holds AF_INET's entries, then AF_INET6's: merged by port,
	 * IPv4's entry first when a port has both */
	size_t i = 0, j = lower(&m->fwd, AF_INET6, 0), n4 = j;
	while (r == 0 && (i < n4 || j < m->fwd.n)) {
		const struct portmap_pair *a = i < n4 ? &m->fwd.v[i] : NULL;
		const struct portmap_pair *c = j < m->fwd.n ? &m->fwd.v[j] : NULL;
		const struct portmap_pair *p = a && (!c || a->key <= c->key) ? a : c;
		if (p == a) {
			i++;
			if (c && c->key == a->key)
				j++; /* the IPv4 entry speaks for the port */
		} else {
			j++;
		}
		if (p->val != p->key)
			r = json_item(&b, p->key, p->val);
	}
	if (r == 0 && b.len)
		r = append(&b, "}", 2); /* with its NUL */
	if (r < 0) {
		sl_buf_free(&b);
		return r;
	}
	*out = (char *)b.p;
	return 0;
}

void portmap_free(struct portmap *m)
{
	if (!m)
		return;
	free(m->fwd.v);
	free(m->rev.v);
	*m = (struct portmap){0};
}
