/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nprobe.c - a probe with no libc at all (built -nostdlib), so that it can
 * run without making a single syscall the supervisor is notified of
 * (static glibc's start-up grows the heap with brk).
 *
 *   nprobe memfd MB MS [uname]
 *       fills a memfd with MB MiB (write, not notified), maps it read-only
 *       and shared (not notified) and reads every page, so the memory is
 *       resident in this process (RssShmem); prints "ok MB" and stays MS
 *       ms (nanosleep), then exits 0.  With "uname", makes one notified
 *       syscall (uname) first.
 */
#include <stddef.h>

#include "rawsys.h" /* the library's own raw syscalls: no libc */

#if defined(__x86_64__)
__asm__(".globl _start\n_start:\n mov %rsp,%rdi\n and $-16,%rsp\n call nprobe_main\n hlt\n");
#elif defined(__aarch64__)
__asm__(".globl _start\n_start:\n mov x0, sp\n bl nprobe_main\n brk #0\n");
#else
#error "nprobe: no start-up code for this architecture"
#endif

#define MIB (1UL << 20)

static char chunk[MIB];

void nprobe_main(long *sp);

static int eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static unsigned long num(const char *s)
{
	unsigned long v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned long)(*s++ - '0');
	return v;
}

static void say(const char *s, unsigned long v)
{
	char buf[64];
	size_t n = 0;
	while (*s)
		buf[n++] = *s++;
	char d[24];
	int k = 0;
	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < 20);
	while (k)
		buf[n++] = d[--k];
	buf[n++] = '\n';
	sl_sys6(SYS_write, 1, (long)buf, (long)n, 0, 0, 0);
}

static void leave(int code)
{
	sl_sys6(SYS_exit_group, code, 0, 0, 0, 0, 0);
	for (;;)
		;
}

static void cmd_memfd(unsigned long mb, unsigned long ms, int uname)
{
	if (uname) {
		static char uts[512];
		sl_sys6(SYS_uname, (long)uts, 0, 0, 0, 0, 0);
	}
	long fd = sl_sys6(SYS_memfd_create, (long)"nprobe", 0, 0, 0, 0, 0);
	if (fd < 0) {
		say("errno=", (unsigned long)-fd);
		leave(1);
	}
	for (size_t i = 0; i < sizeof(chunk); i += 4096)
		chunk[i] = 1;
	for (unsigned long i = 0; i < mb; i++)
		if (sl_sys6(SYS_write, fd, (long)chunk, (long)MIB, 0, 0, 0) != (long)MIB) {
			say("short write at MiB ", i);
			leave(1);
		}
	/* PROT_READ, MAP_SHARED: neither form is notified */
	long m = sl_sys6(SYS_mmap, 0, (long)(mb * MIB), 1, 1, fd, 0);
	if (m < 0 && m > -4096) {
		say("mmap errno=", (unsigned long)-m);
		leave(1);
	}
	volatile const char *p = (const char *)m;
	unsigned long sum = 0;
	for (unsigned long i = 0; i < mb * MIB; i += 4096)
		sum += (unsigned long)p[i];
	(void)sum;
	say("ok ", mb);
	struct {
		long s, ns;
	} ts = {(long)(ms / 1000), (long)(ms % 1000) * 1000000L};
	sl_sys6(SYS_nanosleep, (long)&ts, 0, 0, 0, 0, 0);
	leave(0);
}

void nprobe_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	if (argc >= 4 && eq(argv[1], "memfd"))
		cmd_memfd(num(argv[2]), num(argv[3]), argc >= 5 && eq(argv[4], "uname"));
	say("usage: nprobe memfd MB MS [uname] ", 0);
	leave(2);
}
