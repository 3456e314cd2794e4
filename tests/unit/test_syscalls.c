/* SPDX-License-Identifier: Apache-2.0 */
/* The syscall name table (generated from the kernel headers, with the
 * supplement of newer syscalls), checked against itself and against
 * libseccomp's own tables. */
#include <seccomp.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "harness.h"
#include "syscalls.h"
#include "util.h"

/* A native number is below x32's bit 30. */
#define NATIVE_LIMIT 0x40000000

static int highest_nr(void)
{
	size_t n;
	const struct sl_sysent *t = syscalls_all(&n);
	int max = -1;
	for (size_t i = 0; i < n; i++)
		if (t[i].nr > max)
			max = t[i].nr;
	return max;
}

/* Sorted by strcmp (bsearch relies on it), hence one row per name; names
 * as the kernel spells them; native numbers only. */
TEST(syscalls_table_sorted_and_native)
{
	size_t n;
	const struct sl_sysent *t = syscalls_all(&n);
	CHECK(n > 300);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(t[i - 1].name, t[i].name) >= 0)
			th_fail(__FILE__, __LINE__, "'%s' before '%s'", t[i - 1].name, t[i].name);
		CHECK(t[i].name[0] != 0);
		CHECK_EQ(strspn(t[i].name, "abcdefghijklmnopqrstuvwxyz0123456789_"),
			 strlen(t[i].name));
		if (t[i].nr < 0 || t[i].nr >= NATIVE_LIMIT)
			th_fail(__FILE__, __LINE__, "%s: %d is no native number", t[i].name,
				t[i].nr);
		/* the generic table's helpers are no syscalls */
		CHECK(strcmp(t[i].name, "syscalls") != 0);
		CHECK(strcmp(t[i].name, "arch_specific_syscall") != 0);
	}
}

/* Every number up to the highest one that has a name maps to it and back;
 * every name maps to its number and back. */
TEST(syscalls_numbers_and_names_round_trip)
{
	int max = highest_nr();
	CHECK(max >= 469); /* file_setattr, from the supplement at least */
	int named = 0;
	for (int nr = 0; nr <= max; nr++) {
		const char *name = syscalls_name(nr);
		if (!name)
			continue;
		named++;
		if (syscalls_nr(name) != nr)
			th_fail(__FILE__, __LINE__, "%d -> %s -> %d", nr, name, syscalls_nr(name));
	}
	size_t n;
	const struct sl_sysent *t = syscalls_all(&n);
	CHECK_EQ((size_t)named, n); /* no two names share a number */
	for (size_t i = 0; i < n; i++) {
		CHECK_EQ(syscalls_nr(t[i].name), t[i].nr);
		CHECK_STR(syscalls_name(t[i].nr), t[i].name);
	}
	CHECK(syscalls_name(-1) == NULL);
	CHECK(syscalls_name(max + 1) == NULL);
}

/* libseccomp keeps its own per-architecture tables, written by hand from
 * the kernel's: every name it knows for this architecture is ours with the
 * same number, and no name of ours has another number there.  Names it
 * lacks (syscalls newer than its release) are ours alone. */
TEST(syscalls_match_libseccomp)
{
	int max = highest_nr();
	int known = 0;
	for (int nr = 0; nr < 4096; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (!name)
			continue;
		known++;
		int ours = syscalls_nr(name);
		if (ours != nr)
			th_fail(__FILE__, __LINE__, "libseccomp: %s is %d, ours %d", name, nr,
				ours);
		CHECK(nr <= max);
		free(name);
	}
	CHECK(known > 300);
	size_t n;
	const struct sl_sysent *t = syscalls_all(&n);
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, t[i].name);
		/* negative: unknown to it, or a pseudo-number (a name this
		 * architecture lacks) */
		if (nr >= 0 && nr != t[i].nr)
			th_fail(__FILE__, __LINE__, "%s: ours %d, libseccomp %d", t[i].name,
				t[i].nr, nr);
	}
}

struct spot {
	const char *name;
	int nr;
};

static void check_spots(const struct spot *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (syscalls_nr(s[i].name) != s[i].nr)
			th_fail(__FILE__, __LINE__, "%s: %d, expected %d", s[i].name,
				syscalls_nr(s[i].name), s[i].nr);
}

TEST(syscalls_spot_checks)
{
	static const struct spot common[] = {
	    /* the supplement: one number on x86_64 and the generic table */
	    {"cachestat", 451},
	    {"fchmodat2", 452},
	    {"map_shadow_stack", 453},
	    {"futex_wake", 454},
	    {"futex_wait", 455},
	    {"futex_requeue", 456},
	    {"statmount", 457},
	    {"listmount", 458},
	    {"lsm_get_self_attr", 459},
	    {"lsm_set_self_attr", 460},
	    {"lsm_list_modules", 461},
	    {"mseal", 462},
	    {"setxattrat", 463},
	    {"getxattrat", 464},
	    {"listxattrat", 465},
	    {"removexattrat", 466},
	    {"open_tree_attr", 467},
	    {"file_getattr", 468},
	    {"file_setattr", 469},
	    {"listns", 470},
	    {"clone3", 435},
	    {"landlock_restrict_self", 446},
	    /* not names: 32-bit only, helpers, case, spaces */
	    {"fcntl64", -1},
	    {"syscalls", -1},
	    {"arch_specific_syscall", -1},
	    {"READ", -1},
	    {"read ", -1},
	    {"", -1},
	};
	check_spots(common, SL_ARRAY_SIZE(common));
#if defined(__x86_64__)
	static const struct spot arch[] = {
	    {"read", 0},     {"write", 1},	  {"open", 2},	     {"close", 3},
	    {"execve", 59},  {"exit", 60},	  {"getppid", 110},  {"rt_sigprocmask", 14},
	    {"sendmsg", 46}, {"exit_group", 231}, {"openat", 257},   {"_sysctl", 156},
	    {"uselib", 134}, {"fork", 57},	  {"renameat", 264},
	};
	check_spots(arch, SL_ARRAY_SIZE(arch));
	CHECK(syscalls_name(335) == NULL); /* unassigned up to 423 */
#elif defined(__aarch64__)
	static const struct spot arch[] = {
	    {"read", 63},     {"write", 64},	  {"close", 57},    {"execve", 221},
	    {"exit", 93},     {"exit_group", 94}, {"getppid", 173}, {"rt_sigprocmask", 135},
	    {"sendmsg", 211}, {"openat", 56},	  {"fcntl", 25},    {"renameat", 38},
	    {"open", -1},     {"fork", -1},	  {"_sysctl", -1},
	};
	check_spots(arch, SL_ARRAY_SIZE(arch));
#endif
	CHECK_EQ(syscalls_nr("read"), SYS_read);
	CHECK_EQ(syscalls_nr("execveat"), SYS_execveat);
	CHECK_EQ(syscalls_nr(NULL), -1);
}
