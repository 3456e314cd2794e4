/* SPDX-License-Identifier: Apache-2.0 */
/* util.c - small containers and helpers (see util.h). */
#include "util.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	void *np = reallocarray(*p, ncap, elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

int sl_strv_push_owned(struct sl_strv *l, char *s)
{
	if (!s)
		return -ENOMEM;
	/* one extra slot keeps v[n] == NULL */
	if (grow((void **)&l->v, &l->cap, l->n + 2, sizeof(char *)) < 0) {
		free(s);
		return -ENOMEM;
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
	return 0;
}

int sl_strv_push(struct sl_strv *l, const char *s)
{
	return sl_strv_push_owned(l, sl_strdup(s));
}

int sl_strv_copy(struct sl_strv *dst, const struct sl_strv *src)
{
	*dst = (struct sl_strv){0};
	for (size_t i = 0; i < src->n; i++) {
		if (sl_strv_push(dst, src->v[i]) < 0) {
			sl_strv_free(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

void sl_strv_free(struct sl_strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct sl_strv){0};
}

int sl_u32v_push(struct sl_u32v *l, uint32_t x)
{
	if (grow((void **)&l->v, &l->cap, l->n + 1, sizeof(uint32_t)) < 0)
		return -ENOMEM;
	l->v[l->n++] = x;
	return 0;
}

int sl_u32v_copy(struct sl_u32v *dst, const struct sl_u32v *src)
{
	*dst = (struct sl_u32v){0};
	for (size_t i = 0; i < src->n; i++) {
		if (sl_u32v_push(dst, src->v[i]) < 0) {
			sl_u32v_free(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

bool sl_u32v_contains(const struct sl_u32v *l, uint32_t x)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == x)
			return true;
	return false;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

void sl_u32v_sort_unique(struct sl_u32v *l)
{
	if (l->n < 2)
		return;
	qsort(l->v, l->n, sizeof(l->v[0]), cmp_u32);
	size_t o = 1;
	for (size_t i = 1; i < l->n; i++)
		if (l->v[i] != l->v[o - 1])
			l->v[o++] = l->v[i];
	l->n = o;
}

void sl_u32v_free(struct sl_u32v *l)
{
	free(l->v);
	*l = (struct sl_u32v){0};
}

int sl_buf_reserve(struct sl_buf *b, size_t extra)
{
	if (b->len + extra < b->len)
		return -ENOMEM;
	return grow((void **)&b->p, &b->cap, b->len + extra, 1);
}

int sl_buf_read_fd(struct sl_buf *b, int fd, size_t max)
{
	size_t start = b->len;
	for (;;) {
		if (b->len >= max)
			return -EFBIG;
		if (sl_buf_reserve(b, 65536) < 0)
			return -ENOMEM;
		ssize_t n = pread(fd, b->p + b->len, b->cap - b->len, (off_t)(b->len - start));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		b->len += (size_t)n;
	}
}

void sl_buf_free(struct sl_buf *b)
{
	free(b->p);
	*b = (struct sl_buf){0};
}

char *sl_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

bool sl_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

char *sl_trim(char *s)
{
	while (sl_is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && sl_is_space(s[n - 1]))
		s[--n] = 0;
	return s;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t utf8_seq(const uint8_t *p, size_t left)
{
	uint8_t c = p[0];
	size_t n;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* reject overlong forms, surrogates and values past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool sl_utf8_valid(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

char *sl_utf8_lossy(const uint8_t *p, size_t len)
{
	/* worst case: every byte becomes the 3-byte U+FFFD */
	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	char *out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(p + i, len - i);
		if (n) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = 0;
	return out;
}

void sl_close(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
		*fd = -1;
	}
}

int64_t sl_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

size_t sl_page_size(void)
{
	static size_t page;
	if (!page) {
		long v = sysconf(_SC_PAGESIZE);
		page = v > 0 ? (size_t)v : 4096;
	}
	return page;
}

int sl_thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

void sl_thread_follow(pid_t tid, int *cpu)
{
	int here = sched_getcpu();
	cpu_set_t set;
	if (here < 0 || here == *cpu || here >= CPU_SETSIZE || *cpu == -2)
		return;
	CPU_ZERO(&set);
	CPU_SET(here, &set);
	*cpu = sched_setaffinity(tid, sizeof(set), &set) == 0 ? here : -2;
}
