/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpus.c - the files that count the CPUs, served by synthetic.c when
 * num_cpus is set: /proc/cpuinfo and /sys/devices/system/cpu/{online,
 * possible,present}.
 *
 * The command is pinned to num_cpus CPUs (plan.c), so sched_getaffinity
 * (nproc, Python's os.sched_getaffinity) answers that by itself.  glibc's
 * get_nprocs (sysconf(_SC_NPROCESSORS_ONLN), Python's os.cpu_count) reads
 * /sys/devices/system/cpu/online, get_nprocs_conf reads .../possible, and
 * programs that size thread pools parse /proc/cpuinfo: all three say the
 * same count here.  The CPUs are numbered from 0 in the views, whichever
 * the command runs on: a program that pins threads to CPU k of the view
 * gets EINVAL for a k outside its affinity, as on a host of that many.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "synthetic.h"
#include "util.h"

static int append(struct sl_buf *b, const char *s, size_t n)
{
	int r = sl_buf_reserve(b, n);
	if (r == 0) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
	return r;
}

int cpus_range(struct sl_buf *out, const struct synth_src *src)
{
	char line[32];
	int n = src->ncpus > 1 ? snprintf(line, sizeof(line), "0-%u\n", src->ncpus - 1)
			       : snprintf(line, sizeof(line), "0\n");
	return append(out, line, (size_t)n);
}

/* "processor", blanks, ':' at the start of a block (x86, arm64, riscv). */
static bool processor_line(const char *s, size_t len)
{
	static const char key[] = "processor";
	size_t k = sizeof(key) - 1;
	if (len < k || memcmp(s, key, k) != 0)
		return false;
	while (k < len && (s[k] == ' ' || s[k] == '\t'))
		k++;
	return k < len && s[k] == ':';
}

int cpus_cpuinfo_keep(struct sl_buf *out, const char *text, size_t len, unsigned n)
{
	unsigned kept = 0;
	for (size_t at = 0; at < len;) {
		/* a block runs to the end of its empty line */
		const char *sep = memmem(text + at, len - at, "\n\n", 2);
		size_t end = sep ? (size_t)(sep - text) + 2 : len;
		const char *b = text + at;
		size_t blen = end - at;
		int r = 0;
		if (!processor_line(b, blen)) {
			r = append(out, b, blen);
		} else if (kept < n) {
			const char *nl = memchr(b, '\n', blen);
			size_t rest = nl ? blen - (size_t)(nl - b) : 0;
			char head[32];
			int h = snprintf(head, sizeof(head), "processor\t: %u", kept);
			r = append(out, head, (size_t)h);
			if (r == 0)
				r = append(out, nl ? nl : "\n", nl ? rest : 1);
			kept++;
		}
		if (r < 0)
			return r;
		at = end;
	}
	return (int)kept;
}

int cpus_cpuinfo(struct sl_buf *out, const struct synth_src *src)
{
	size_t start = out->len;
	int kept = src->host ? cpus_cpuinfo_keep(out, src->host, src->host_len, src->ncpus) : 0;
	if (kept < 0)
		return kept;
	if ((unsigned)kept == src->ncpus)
		return 0;
	/* a format without such blocks (s390's, an unreadable file): blocks
	 * of our own, as 0.8.0 made them */
	out->len = start;
	for (unsigned i = 0; i < src->ncpus; i++) {
		char blk[128];
		int h = snprintf(
		    blk, sizeof(blk),
		    "processor\t: %u\nmodel name\t: Virtual CPU\ncpu MHz\t\t: 2400.000\n\n", i);
		int r = append(out, blk, (size_t)h);
		if (r < 0)
			return r;
	}
	return 0;
}
