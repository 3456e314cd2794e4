/* SPDX-License-Identifier: Apache-2.0 */
/* test_fsdeny.c - the grants expanded around denied paths, without
 * Landlock: which inodes get a rule, with which rights. */
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "fsdeny.h"
#include "fstree.h"
#include "harness.h"
#include "mounts.h"
#include "util.h"

/* What the sandbox builds for fs_deny alone: fsdeny_create, the mount
 * table, fsdeny_add_denied, fsdeny_seal; *out is NULL when paths is
 * empty.  Returns 0 or -errno with a message. */
static int fsdeny_new(const struct sl_strv *paths, struct fsdeny **out)
{
	*out = NULL;
	if (!paths || !paths->n)
		return 0;
	struct fsdeny *d;
	struct mounts mnts;
	int r = fsdeny_create(&d);
	if (r < 0)
		return r;
	if ((r = mounts_read(&mnts, "fs_deny")) == 0) {
		r = fsdeny_add_denied(d, paths, &mnts);
		mounts_free(&mnts);
	}
	if (r < 0) {
		fsdeny_free(d);
		return r;
	}
	fsdeny_seal(d);
	*out = d;
	return 0;
}

static struct fsdeny *deny(const char *p1, const char *p2)
{
	struct sl_strv l = {0};
	CHECK_EQ(sl_strv_push(&l, p1), 0);
	if (p2)
		CHECK_EQ(sl_strv_push(&l, p2), 0);
	struct fsdeny *d = NULL;
	if (fsdeny_new(&l, &d) < 0)
		th_fail(__FILE__, __LINE__, "fsdeny_new: %s", sl_error_get());
	sl_strv_free(&l);
	CHECK(d != NULL);
	return d;
}

/* Classifies a granted tree asking for ALL. */
static int classify(const struct fsdeny *d, const char *path)
{
	struct stat st;
	uint64_t a = ALL;
	CHECK_EQ(stat(path, &st), 0);
	return fsdeny_classify(d, path, &st, &a);
}

/* Expands the granted tree at path into r; returns 0 or -errno. */
static int expand(struct fsdeny *d, const char *path, uint64_t access, struct rec *r)
{
	int fd = open(path, O_PATH | O_CLOEXEC);
	CHECK(fd >= 0);
	int ret = fsdeny_expand(d, "test", path, fd, access, record, r);
	close(fd);
	return ret;
}

TEST(fsdeny_empty_list)
{
	struct sl_strv l = {0};
	struct fsdeny *d = (struct fsdeny *)1;
	CHECK_EQ(fsdeny_new(&l, &d), 0);
	CHECK(d == NULL);
	CHECK_EQ(fsdeny_new(NULL, &d), 0);
	CHECK(d == NULL);
}

/* A denied file: its directory is expanded, lists but creates nothing;
 * the file, its hard links and symlinks to it get nothing. */
TEST(fsdeny_file_in_tree)
{
	char *r = mkd("r"), *pub = mkf("r/pub"), *secret = mkf("r/secret"), *sub = mkd("r/sub");
	char *hard = at("r/hard"), *lnk = at("r/link"), *f = mkf("r/sub/f");
	CHECK_EQ(link(secret, hard), 0);
	CHECK_EQ(symlink("secret", lnk), 0);
	struct fsdeny *d = deny(secret, NULL);
	CHECK_EQ(classify(d, r), FSDENY_EXPAND);
	CHECK_EQ(classify(d, secret), FSDENY_SKIP);
	CHECK_EQ(classify(d, hard), FSDENY_SKIP); /* same inode */
	CHECK_EQ(classify(d, sub), FSDENY_GRANT);
	CHECK_EQ(classify(d, th_tmpdir()), FSDENY_EXPAND);

	struct rec rec = {0};
	CHECK_EQ(expand(d, r, ALL, &rec), 0);
	CHECK_EQ(rights(&rec, r), LS);
	CHECK_EQ(rights(&rec, pub), ALL);
	CHECK_EQ(rights(&rec, sub), ALL);
	CHECK_EQ(rights(&rec, secret), 0);
	CHECK_EQ(rights(&rec, lnk), 0);
	CHECK_EQ(rights(&rec, f), 0); /* covered by sub's rule */
	CHECK_EQ(rec.n, 3);

	/* Expanded once per rights: a second tree naming it adds nothing. */
	CHECK_EQ(expand(d, r, RD, &rec), 0);
	CHECK_EQ(rec.n, 3);
	fsdeny_free(d);
}

/* A denied directory: no READ_DIR on the way (it would reach the denied
 * directory), nothing beneath it is granted. */
TEST(fsdeny_directory)
{
	char *r = mkd("r"), *a = mkd("r/a"), *secret = mkd("r/a/secret"),
	     *in = mkf("r/a/secret/in");
	char *pub = mkf("r/a/pub"), *other = mkd("r/other");
	struct fsdeny *d = deny(secret, NULL);
	CHECK_EQ(classify(d, r), FSDENY_EXPAND);
	CHECK_EQ(classify(d, in), FSDENY_SKIP);
	struct rec rec = {0};
	CHECK_EQ(expand(d, r, RD, &rec), 0);
	CHECK_EQ(rights(&rec, r), 0);
	CHECK_EQ(rights(&rec, a), 0);
	CHECK_EQ(rights(&rec, secret), 0);
	CHECK_EQ(rights(&rec, pub), RD);
	CHECK_EQ(rights(&rec, other), RD);
	CHECK_EQ(rec.n, 2);
	fsdeny_free(d);
}

/* A denied path that disappeared after the policy was built: its deepest
 * existing directory is expanded and gets no right to create. */
TEST(fsdeny_missing_path)
{
	char *r = mkd("r"), *w = mkd("r/w"), *gone = mkd("r/w/gone"), *deeper = mkf("r/w/gone/x");
	char *keep = mkf("r/w/keep");
	struct fsdeny *d = deny(deeper, NULL);
	fsdeny_free(d);
	CHECK_EQ(unlink(deeper), 0);
	CHECK_EQ(rmdir(gone), 0);
	d = deny(deeper, NULL);
	CHECK_EQ(classify(d, r), FSDENY_EXPAND);
	CHECK_EQ(classify(d, w), FSDENY_EXPAND);
	struct rec rec = {0};
	CHECK_EQ(expand(d, r, ALL, &rec), 0);
	CHECK_EQ(rights(&rec, r), LS);
	CHECK_EQ(rights(&rec, w), LS);
	CHECK_EQ(rights(&rec, keep), ALL);
	fsdeny_free(d);
}

/* A dangling symlink on the way of a missing denied path: the path leads
 * to its target's directory, which cannot get the missing entry. */
TEST(fsdeny_missing_through_dangling_symlink)
{
	char *r = mkd("r"), *t = mkd("t"), *lnk = at("r/link");
	CHECK_EQ(symlink("../t/later", lnk), 0);
	char *p = at("r/link/secret");
	struct fsdeny *d = deny(p, NULL);
	CHECK_EQ(classify(d, r), FSDENY_GRANT);
	CHECK_EQ(classify(d, t), FSDENY_EXPAND);
	struct rec rec = {0};
	CHECK_EQ(expand(d, t, ALL, &rec), 0);
	CHECK_EQ(rights(&rec, t), LS);
	CHECK_EQ(rec.n, 1);
	fsdeny_free(d);
}

/* Deny wins: a granted tree that is denied or beneath a denied path gets
 * nothing; a denied symlink denies what it leads to. */
TEST(fsdeny_deny_wins)
{
	char *r = mkd("r"), *sub = mkd("r/sub"), *f = mkf("r/sub/f"), *lnk = at("link");
	CHECK_EQ(symlink("r", lnk), 0);
	struct fsdeny *d = deny(lnk, NULL);
	CHECK_EQ(classify(d, r), FSDENY_SKIP);
	CHECK_EQ(classify(d, sub), FSDENY_SKIP);
	CHECK_EQ(classify(d, f), FSDENY_SKIP);
	CHECK_EQ(classify(d, th_tmpdir()), FSDENY_EXPAND);
	CHECK_EQ(classify(d, "/"), FSDENY_EXPAND);
	fsdeny_free(d);
	d = deny("/", NULL);
	CHECK_EQ(classify(d, r), FSDENY_SKIP);
	fsdeny_free(d);
}

/* Two denied paths under one tree, one a file, one a directory. */
TEST(fsdeny_two_paths)
{
	char *r = mkd("r"), *a = mkd("r/a"), *b = mkd("r/b"), *fa = mkf("r/a/secret");
	char *db = mkd("r/b/secret"), *pa = mkf("r/a/pub"), *pb = mkf("r/b/pub");
	struct fsdeny *d = deny(fa, db);
	struct rec rec = {0};
	CHECK_EQ(expand(d, r, RD, &rec), 0);
	CHECK_EQ(rights(&rec, r), 0); /* b/secret is a directory beneath */
	CHECK_EQ(rights(&rec, a), LS);
	CHECK_EQ(rights(&rec, b), 0);
	CHECK_EQ(rights(&rec, pa), RD);
	CHECK_EQ(rights(&rec, pb), RD);
	CHECK_EQ(rec.n, 3);
	fsdeny_free(d);
}

/* The number of rules is bounded, and the error names where. */
TEST(fsdeny_rule_bound)
{
	char *r = mkd("r"), *secret = mkf("r/secret");
	mkf("r/a");
	mkf("r/b");
	mkf("r/c");
	struct fsdeny *d = deny(secret, NULL);
	fsdeny_set_max_rules(d, 3);
	struct rec rec = {0};
	sl_error_clear();
	CHECK_EQ(expand(d, r, ALL, &rec), -E2BIG);
	CHECK(strstr(sl_error_get(), "more than 3 Landlock rules"));
	CHECK(strstr(sl_error_get(), r));
	fsdeny_free(d);
}

/* Errors of the rule callback carry the path. */
static int refuse(void *ctx, int fd, const struct stat *st, uint64_t access)
{
	return -EBADFD;
}

TEST(fsdeny_rule_error_names_path)
{
	char *r = mkd("r"), *secret = mkf("r/secret");
	struct fsdeny *d = deny(secret, NULL);
	int fd = open(r, O_PATH | O_CLOEXEC);
	CHECK(fd >= 0);
	sl_error_clear();
	CHECK_EQ(fsdeny_expand(d, "fs_write /x", r, fd, ALL, refuse, NULL), -EBADFD);
	CHECK(strstr(sl_error_get(), "fs_write /x: landlock rule for "));
	CHECK(strstr(sl_error_get(), r));
	close(fd);
	fsdeny_free(d);
}

/* A denied UNIX socket is refused: Landlock does not mediate connect(2)
 * to it, so denying it would be a promise not kept. */
TEST(fsdeny_socket_refused)
{
	char *sock = at("s.sock");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	struct sl_strv l = {0};
	CHECK_EQ(sl_strv_push(&l, sock), 0);
	struct fsdeny *d = NULL;
	sl_error_clear();
	CHECK_EQ(fsdeny_new(&l, &d), -ENOTSUP);
	CHECK(d == NULL);
	CHECK(strstr(sl_error_get(), "is a UNIX socket"));
	CHECK(strstr(sl_error_get(), sock));
	sl_strv_free(&l);
	close(fd);
}

/* A restriction that leaves fewer rights (a pseudo filesystem's mount
 * under a write grant): the directories above it get at most what it may
 * have, its siblings the tree's rule; it needs no rule of its own when
 * its directory's rule holds its rights. */
TEST(fsdeny_restrict_fewer_rights)
{
	char *r = mkd("r"), *pub = mkf("r/pub"), *a = mkd("r/a"), *sp = mkd("r/a/special");
	char *in = mkf("r/a/special/in"), *b = mkd("r/a/b");
	struct fsdeny *d;
	CHECK_EQ(fsdeny_create(&d), 0);
	CHECK_EQ(fsdeny_restrict(d, "test", sp, RD, RD), 0);
	fsdeny_seal(d);
	CHECK(!fsdeny_empty(d));
	/* A read grant holds nothing more than the restriction allows. */
	struct stat st;
	uint64_t acc = RD;
	CHECK_EQ(stat(r, &st), 0);
	CHECK_EQ(fsdeny_classify(d, r, &st, &acc), FSDENY_GRANT);
	CHECK_EQ(acc, RD);
	/* A write grant beneath it keeps only what it allows. */
	acc = ALL;
	CHECK_EQ(stat(in, &st), 0);
	CHECK_EQ(fsdeny_classify(d, in, &st, &acc), FSDENY_GRANT);
	CHECK_EQ(acc, RD);
	acc = ALL;
	CHECK_EQ(stat(r, &st), 0);
	CHECK_EQ(fsdeny_classify(d, r, &st, &acc), FSDENY_EXPAND);
	CHECK_EQ(acc, ALL);

	struct rec rec = {0};
	CHECK_EQ(expand(d, r, ALL, &rec), 0);
	CHECK_EQ(rights(&rec, r), RD);
	CHECK_EQ(rights(&rec, pub), ALL);
	CHECK_EQ(rights(&rec, a), RD);
	CHECK_EQ(rights(&rec, b), ALL);
	CHECK_EQ(rights(&rec, sp), 0); /* RD from r/a's rule */
	CHECK_EQ(rights(&rec, in), 0);
	CHECK_EQ(rec.n, 4);
	fsdeny_free(d);
}

/* A denied file beside a fewer-rights restriction: the directories above
 * both get what both allow; the denied file nothing. */
TEST(fsdeny_restrict_and_deny)
{
	char *r = mkd("r"), *sp = mkd("r/special"), *dev = mkf("r/dev"), *pub = mkf("r/pub");
	struct fsdeny *d;
	CHECK_EQ(fsdeny_create(&d), 0);
	CHECK_EQ(fsdeny_restrict(d, "test", sp, RD, RD), 0);
	CHECK_EQ(fsdeny_restrict(d, "test", dev, 0, LS), 0);
	fsdeny_seal(d);
	struct rec rec = {0};
	CHECK_EQ(expand(d, r, ALL, &rec), 0);
	CHECK_EQ(rights(&rec, r), LS);
	CHECK_EQ(rights(&rec, sp), RD);
	CHECK_EQ(rights(&rec, dev), 0);
	CHECK_EQ(rights(&rec, pub), ALL);
	CHECK_EQ(rec.n, 3);
	/* A grant of the restricted file itself gets nothing. */
	struct stat st;
	uint64_t acc = RD;
	CHECK_EQ(stat(dev, &st), 0);
	CHECK_EQ(fsdeny_classify(d, dev, &st, &acc), FSDENY_SKIP);
	fsdeny_free(d);
}
