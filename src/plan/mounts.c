/* SPDX-License-Identifier: Apache-2.0 */
/* mounts.c - /proc/self/mountinfo, parsed once (see mounts.h). */
#include "mounts.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

/* The kernel escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
}

/* The next space-separated field of the line at *s, terminated in place;
 * NULL at the end of the line or for an empty field (malformed). */
static char *field(char **s)
{
	char *p = *s;
	size_t n = strcspn(p, " ");
	if (n == 0)
		return NULL;
	*s = p + n + (p[n] == ' ');
	p[n] = 0;
	return p;
}

/* A field that escapes as \ooo (paths, the source), unescaped in place. */
static char *esc_field(char **s)
{
	char *f = field(s);
	if (f)
		unescape(f);
	return f;
}

static bool parse_int(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX)
		return false;
	*out = (int)v;
	return true;
}

static bool parse_dev(const char *s, unsigned int *major, unsigned int *minor)
{
	char *end;
	errno = 0;
	unsigned long a = strtoul(s, &end, 10);
	if (errno || end == s || *end != ':' || a > UINT_MAX)
		return false;
	const char *m = end + 1;
	unsigned long b = strtoul(m, &end, 10);
	if (errno || end == m || *end || b > UINT_MAX)
		return false;
	*major = (unsigned int)a;
	*minor = (unsigned int)b;
	return true;
}

void mounts_entry_free(struct mounts_entry *e)
{
	free(e->buf);
	*e = (struct mounts_entry){0};
}

/* The line is copied once and cut into fields in place: the strings of e
 * point into e->buf (a table of a few hundred mounts is parsed at every
 * start, so no allocation per field). */
int mounts_parse_line(const char *line, struct mounts_entry *e)
{
	*e = (struct mounts_entry){0};
	size_t len = strcspn(line, "\n");
	if (!(e->buf = malloc(len + 1)))
		return -ENOMEM;
	memcpy(e->buf, line, len);
	e->buf[len] = 0;
	char *s = e->buf;
	char *id = field(&s), *parent = id ? field(&s) : NULL;
	char *dev = parent ? field(&s) : NULL;
	bool ok = false;
	if (dev && parse_int(id, &e->id) && parse_int(parent, &e->parent) &&
	    parse_dev(dev, &e->major, &e->minor) && (e->root = esc_field(&s)) &&
	    (e->point = esc_field(&s)) && (e->opts = field(&s))) {
		/* Optional fields ("shared:1", "master:2", ...) up to a lone "-". */
		char *opt;
		bool sep = false;
		while (!sep && (opt = field(&s)))
			sep = !strcmp(opt, "-");
		ok = sep && (e->fstype = field(&s)) && (e->source = esc_field(&s)) &&
		     (e->sb_opts = field(&s));
	}
	if (ok)
		return 0;
	mounts_entry_free(e);
	return -EINVAL;
}

static int push(struct mounts *m, size_t *cap, const struct mounts_entry *e)
{
	if (m->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct mounts_entry *v = realloc(m->v, ncap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		m->v = v;
		*cap = ncap;
	}
	m->v[m->n++] = *e;
	return 0;
}

/* Line n of the input (len bytes at line): parsed and appended, or -errno
 * with a message. */
static int add_line(struct mounts *m, size_t *cap, const char *line, size_t len, size_t n,
		    const char *who)
{
	struct mounts_entry e;
	int r = mounts_parse_line(line, &e);
	if (r == 0 && (r = push(m, cap, &e)) < 0)
		mounts_entry_free(&e);
	if (r == -ENOMEM)
		return sl_errorf(ENOMEM, "%s: /proc/self/mountinfo: out of memory", who);
	if (r < 0)
		return sl_errorf(-r, "%s: /proc/self/mountinfo: line %zu is malformed: %.*s", who,
				 n, (int)(len < 200 ? len : 200), line);
	return 0;
}

int mounts_parse(struct mounts *m, const char *text, const char *who)
{
	*m = (struct mounts){0};
	size_t cap = 0, n = 0;
	int r = 0;
	for (const char *p = text; r == 0 && *p;) {
		size_t len = strcspn(p, "\n");
		r = add_line(m, &cap, p, len, ++n, who);
		p += len + (p[len] == '\n');
	}
	if (r < 0)
		mounts_free(m);
	return r;
}

/* The whole file behind fd, read from its start (the kernel formats the
 * table at every read: few, large reads).  A malloc'd NUL-terminated
 * text, or NULL with errno. */
static char *read_all(int fd)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return NULL;
	size_t len = 0, cap = 65536;
	char *text = malloc(cap);
	while (text) {
		if (cap - len < 4096) {
			char *t = realloc(text, cap * 2);
			if (!t)
				break;
			text = t;
			cap *= 2;
		}
		ssize_t n = read(fd, text + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0) {
				text[len] = 0;
				return text;
			}
			break;
		}
		len += (size_t)n;
	}
	int e = text ? errno : ENOMEM;
	free(text);
	errno = e;
	return NULL;
}

/*
 * The table is read afresh at every start.  A kept copy (re-read when a
 * poll of mountinfo reports POLLPRI) went stale without a report: renaming
 * a directory above a mount point changes the paths mountinfo prints but
 * not the table, so a devtmpfs under a grant was looked for at its old
 * path and granted whole.
 */
int mounts_read(struct mounts *m, const char *who)
{
	*m = (struct mounts){0};
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	char *text = fd < 0 ? NULL : read_all(fd);
	int r = text ? mounts_parse(m, text, who)
		     : sl_errorf(errno, "%s: /proc/self/mountinfo: %s", who, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(text);
	return r;
}

void mounts_free(struct mounts *m)
{
	for (size_t i = 0; i < m->n; i++)
		mounts_entry_free(&m->v[i]);
	free(m->v);
	*m = (struct mounts){0};
}

const struct mounts_entry *mounts_find(const struct mounts *m, int id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].id == id)
			return &m->v[i];
	return NULL;
}

bool mounts_has_opt(const struct mounts_entry *e, const char *opt)
{
	size_t n = strlen(opt);
	for (const char *p = e->opts; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, opt, n))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

int mounts_id(const char *path, bool follow, int *id)
{
	struct statx stx;
	if (statx(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -ENOSYS;
	*id = (int)stx.stx_mnt_id;
	return 0;
}

/* The next layer of an overlay's list at *s (\ooo unescaped already):
 * overlayfs's own syntax, where ':' ends a layer and a backslash makes
 * the character after it literal ("\:" a colon in a path).  Unescaped in
 * place; NULL at the end. */
static char *next_layer(char **s)
{
	char *start = *s, *r = start, *w = start;
	if (!*start)
		return NULL;
	for (; *r && *r != ':'; r++) {
		if (r[0] == '\\' && r[1])
			r++;
		*w++ = *r;
	}
	*s = *r ? r + 1 : r;
	*w = 0;
	return start;
}

int mounts_overlay_layers(const struct mounts_entry *e, mounts_layer_fn fn, void *ctx)
{
	static const char *const keys[] = {"upperdir=", "lowerdir=", "lowerdir+=", "datadir+="};
	if (strcmp(e->fstype, "overlay") != 0)
		return 0;
	char *opts = strdup(e->sb_opts ? e->sb_opts : "");
	if (!opts)
		return -ENOMEM;
	int r = 0;
	/* (mountinfo escapes a comma, a space or a backslash in a path as
	 * \ooo: a raw comma ends an option) */
	for (char *save = NULL, *o = strtok_r(opts, ",", &save); r == 0 && o;
	     o = strtok_r(NULL, ",", &save)) {
		size_t k = 0;
		while (k < sizeof(keys) / sizeof(keys[0]) && strncmp(o, keys[k], strlen(keys[k])))
			k++;
		if (k == sizeof(keys) / sizeof(keys[0]))
			continue;
		char *v = o + strlen(keys[k]);
		unescape(v);
		for (char *l; r == 0 && (l = next_layer(&v));)
			r = fn(ctx, l, k == 0);
	}
	free(opts);
	return r;
}
