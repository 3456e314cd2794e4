/* SPDX-License-Identifier: Apache-2.0 */
/* exechint.c - why an exec failed, in the policy's terms (exechint.h). */
#include "exechint.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan.h"

/* Whether the file (canonical) lies in one of the grants. */
static bool granted(const char *real, const struct sl_strv *grants)
{
	for (size_t i = 0; i < grants->n; i++) {
		char *g = realpath(grants->v[i], NULL);
		size_t n = g ? strlen(g) : 0;
		bool in = g && strncmp(real, g, n) == 0 &&
			  (real[n] == '/' || real[n] == 0 || (n == 1 && g[0] == '/'));
		free(g);
		if (in)
			return true;
	}
	return false;
}

bool exechint_needs(const char *path, char *out, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char head[256];
	ssize_t n = pread(fd, head, sizeof(head) - 1, 0);
	bool found = false;
	if (n > 2 && head[0] == '#' && head[1] == '!') {
		head[n] = 0;
		char *s = head + 2 + strspn(head + 2, " \t");
		s[strcspn(s, " \t\n")] = 0;
		found = snprintf(out, size, "%s", s) > 0;
	} else if (n >= (ssize_t)sizeof(Elf64_Ehdr) && memcmp(head, ELFMAG, SELFMAG) == 0 &&
		   head[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		memcpy(&eh, head, sizeof(eh));
		for (int i = 0; !found && i < eh.e_phnum && i < 64; i++) {
			Elf64_Phdr ph;
			off_t at = (off_t)eh.e_phoff + (off_t)i * eh.e_phentsize;
			if (pread(fd, &ph, sizeof(ph), at) != sizeof(ph))
				break;
			if (ph.p_type != PT_INTERP || ph.p_filesz >= size)
				continue;
			found =
			    pread(fd, out, ph.p_filesz, (off_t)ph.p_offset) == (ssize_t)ph.p_filesz;
			out[found ? ph.p_filesz : 0] = 0;
		}
	}
	close(fd);
	return found && out[0] == '/';
}

/* "add -r DIR": the directory of the file, the narrowest grant. */
static void dir_of(const char *real, char *out, size_t size)
{
	snprintf(out, size, "%s", real);
	char *slash = strrchr(out, '/');
	if (slash && slash != out)
		*slash = 0;
	else
		snprintf(out, size, "/");
}

void exechint(const char *cmd, const struct sl_strv *cands, const struct sl_strv *grants, int err,
	      char *out, size_t size)
{
	const char *reason = plan_exec_reason(err);
	char *real = NULL;
	for (size_t i = 0; !real && i < cands->n; i++)
		real = realpath(cands->v[i], NULL);
	if (!real || (err != EACCES && err != ENOENT)) {
		snprintf(out, size, "%.100s: %s", cmd, reason);
		free(real);
		return;
	}
	/* the program, then what it needs to start, and what that needs (a
	 * script's interpreter has a loader too) */
	char need[PATH_MAX], dir[PATH_MAX];
	snprintf(out, size, "%.100s: %s", cmd, reason);
	for (int depth = 0; real && depth < 4; depth++) {
		if (!granted(real, grants)) {
			dir_of(real, dir, sizeof(dir));
			snprintf(out, size,
				 "%.100s: %s: %s%.100s%s not under any -r tree (add -r %.100s)",
				 cmd, reason, depth ? "it needs " : "", real,
				 depth ? ", which is" : " is", dir);
			break;
		}
		char *next = exechint_needs(real, need, sizeof(need)) ? realpath(need, NULL) : NULL;
		free(real);
		real = next;
	}
	free(real);
}
