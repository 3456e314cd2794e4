/* SPDX-License-Identifier: Apache-2.0 */
/* layerdir.c - merged directory listings and the upper's usage (layer.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cowfs.h"
#include "layerint.h"

/* What getdents64 writes: the kernel's struct linux_dirent64. */
struct dirent64_rec {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

void layer_list_free(struct layer_dent *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static void free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

static int push(struct layer_dent **v, size_t *n, size_t *cap, const char *name,
		const struct layer_ent *e)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 32;
		struct layer_dent *nv = realloc(*v, c * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	struct layer_dent *d = &(*v)[*n];
	*d = (struct layer_dent){NULL, e->where, e->low_dir, e->st};
	if (!(d->name = strdup(name)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* Both sorted lists merged: each name once, judged by layer_entry
 * (whiteouts and what an opaque directory hides left out). */
int layer_list(const struct layer *l, int up, int low, struct layer_dent **out, size_t *nout)
{
	int r = 0;
	char **a = up >= 0 ? cowfs_list(up, &r) : NULL;
	char **b = r == 0 && low >= 0 ? cowfs_list(low, &r) : NULL;
	struct layer_dent *v = NULL;
	size_t n = 0, cap = 0, i = 0, j = 0;
	while (r == 0 && ((a && a[i]) || (b && b[j]))) {
		int c = !(a && a[i]) ? 1 : !(b && b[j]) ? -1 : strcmp(a[i], b[j]);
		const char *name = c <= 0 ? a[i] : b[j];
		struct layer_ent e;
		if ((r = layer_entry(l, up, low, name, &e)) == 0 && e.where != LAYER_NONE)
			r = push(&v, &n, &cap, name, &e);
		i += c <= 0;
		j += c >= 0;
	}
	free_names(a);
	free_names(b);
	if (r < 0) {
		layer_list_free(v, n);
		return r;
	}
	*out = v;
	*nout = n;
	return 0;
}

static unsigned char dtype(mode_t m)
{
	return (unsigned char)(S_ISREG(m)    ? DT_REG
			       : S_ISDIR(m)  ? DT_DIR
			       : S_ISLNK(m)  ? DT_LNK
			       : S_ISFIFO(m) ? DT_FIFO
			       : S_ISSOCK(m) ? DT_SOCK
			       : S_ISCHR(m)  ? DT_CHR
			       : S_ISBLK(m)  ? DT_BLK
					     : DT_UNKNOWN);
}

static int add_rec(struct layer_dir *d, size_t *cap, const char *name, const struct stat *st)
{
	size_t nl = strlen(name);
	size_t reclen = (offsetof(struct dirent64_rec, d_name) + nl + 1 + 7) & ~(size_t)7;
	if (d->len + reclen > *cap) {
		size_t c = *cap ? *cap * 2 : 4096;
		while (c < d->len + reclen)
			c *= 2;
		unsigned char *nb = realloc(d->buf, c);
		size_t *no = realloc(d->off, (c / 24 + 1) * sizeof(*no));
		if (nb)
			d->buf = nb;
		if (no)
			d->off = no;
		if (!nb || !no)
			return -ENOMEM;
		*cap = c;
	}
	struct dirent64_rec *rec = (struct dirent64_rec *)(d->buf + d->len);
	memset(rec, 0, reclen);
	rec->d_ino = st->st_ino;
	rec->d_off = (int64_t)d->n + 1;
	rec->d_reclen = (unsigned short)reclen;
	rec->d_type = dtype(st->st_mode);
	memcpy(rec->d_name, name, nl + 1);
	d->off[d->n++] = d->len;
	d->len += reclen;
	return 0;
}

int layer_readdir(const struct layer *l, const char *path, struct layer_dir *d)
{
	*d = (struct layer_dir){0};
	struct layer_node n;
	int up = -1, low = -1, r = layer_lookup(l, path, LAYER_FOLLOW, &n);
	if (r != 0)
		return r > 0 ? -EXDEV : r; /* the caller resolves outside paths first */
	struct layer_dent *v = NULL;
	size_t nv = 0, cap = 0;
	struct stat parent = n.st;
	if ((r = layer_node_dirs(&n, &up, &low)) == 0)
		r = layer_list(l, up, low, &v, &nv);
	/* ".." is the parent's inode, the root's own at the top (the
	 * workdir's parent is not ours to stat) */
	int pfd = n.up >= 0 ? n.up : n.low;
	if (r == 0 && strcmp(n.name, ".") != 0 && fstat(pfd, &parent) < 0)
		r = -errno;
	if (r == 0 && (r = add_rec(d, &cap, ".", &n.st)) == 0)
		r = add_rec(d, &cap, "..", &parent);
	for (size_t i = 0; r == 0 && i < nv; i++)
		r = add_rec(d, &cap, v[i].name, &v[i].st);
	layer_list_free(v, nv);
	if (up >= 0)
		close(up);
	if (low >= 0)
		close(low);
	layer_node_put(&n);
	if (r < 0)
		layer_dir_free(d);
	return r;
}

ssize_t layer_dir_page(const struct layer_dir *d, uint64_t *pos, void *out, size_t size)
{
	size_t done = 0;
	while (*pos < d->n) {
		size_t at = d->off[*pos];
		size_t reclen = ((const struct dirent64_rec *)(d->buf + at))->d_reclen;
		if (done + reclen > size)
			break;
		memcpy((unsigned char *)out + done, d->buf + at, reclen);
		done += reclen;
		(*pos)++;
	}
	if (done == 0 && *pos < d->n)
		return -EINVAL; /* getdents64: the buffer is too small for one */
	return (ssize_t)done;
}

void layer_dir_free(struct layer_dir *d)
{
	free(d->buf);
	free(d->off);
	*d = (struct layer_dir){0};
}

/* The blocks beneath directory fd, each directory counted too; *n counts
 * the entries met.  A tree deeper than the open-file limit fails with
 * EMFILE (the upper's depth is the command's). */
static int64_t usage_dir(int fd, size_t *n)
{
	int r;
	char **names = cowfs_list(fd, &r);
	struct stat st;
	int64_t sum = fstat(fd, &st) < 0 ? -errno : (int64_t)st.st_blocks * 512;
	for (size_t i = 0; names && names[i] && sum >= 0; i++, (*n)++) {
		if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			sum = errno == ENOENT ? sum : -errno;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			/* a hard link counts once per name: an upper bound */
			sum += (int64_t)st.st_blocks * 512;
			continue;
		}
		int c = layer_open_one(fd, names[i], O_PATH | O_DIRECTORY);
		int64_t s = c < 0 ? c : usage_dir(c, n);
		if (c >= 0)
			close(c);
		sum = s < 0 ? s : sum + s;
	}
	free_names(names);
	return r < 0 ? r : sum;
}

int64_t layer_usage_count(const struct layer *l, size_t *entries)
{
	*entries = 0;
	return usage_dir(l->upper, entries);
}

int64_t layer_usage(const struct layer *l)
{
	size_t n;
	return layer_usage_count(l, &n);
}
