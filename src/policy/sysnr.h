/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysnr.h - every syscall number of the native ABI: the installed kernel
 * headers' (<asm/unistd.h>: x86_64's table, or the generic one aarch64
 * uses), and the syscalls Linux added after the oldest headers we build
 * with (Linux 6.1, Debian 12).  Each of those is defined only where the
 * headers lack it, so newer headers win.  tools/gen_syscalls.sh makes the
 * name table from the __NR_ macros this header leaves defined.
 *
 * Every number below is "common" in the kernel's generic table
 * (scripts/syscall.tbl) and in x86_64's (syscall_64.tbl): one number on
 * both architectures.  map_shadow_stack too: x86's shadow stacks brought
 * it, arm64's guarded control stacks (6.13) use the same call.  A syscall
 * Linux adds: one guarded line here, with the release that brought it.
 */
#ifndef SL_SYSNR_H
#define SL_SYSNR_H

#include <asm/unistd.h>

#ifndef __NR_cachestat
#define __NR_cachestat 451 /* 6.5 */
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452 /* 6.6 */
#endif
#ifndef __NR_map_shadow_stack
#define __NR_map_shadow_stack 453 /* 6.6 */
#endif
#ifndef __NR_futex_wake
#define __NR_futex_wake 454 /* 6.7 */
#endif
#ifndef __NR_futex_wait
#define __NR_futex_wait 455 /* 6.7 */
#endif
#ifndef __NR_futex_requeue
#define __NR_futex_requeue 456 /* 6.7 */
#endif
#ifndef __NR_statmount
#define __NR_statmount 457 /* 6.8 */
#endif
#ifndef __NR_listmount
#define __NR_listmount 458 /* 6.8 */
#endif
#ifndef __NR_lsm_get_self_attr
#define __NR_lsm_get_self_attr 459 /* 6.8 */
#endif
#ifndef __NR_lsm_set_self_attr
#define __NR_lsm_set_self_attr 460 /* 6.8 */
#endif
#ifndef __NR_lsm_list_modules
#define __NR_lsm_list_modules 461 /* 6.8 */
#endif
#ifndef __NR_mseal
#define __NR_mseal 462 /* 6.10 */
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463 /* 6.13 */
#endif
#ifndef __NR_getxattrat
#define __NR_getxattrat 464 /* 6.13 */
#endif
#ifndef __NR_listxattrat
#define __NR_listxattrat 465 /* 6.13 */
#endif
#ifndef __NR_removexattrat
#define __NR_removexattrat 466 /* 6.13 */
#endif
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467 /* 6.15 */
#endif
#ifndef __NR_file_getattr
#define __NR_file_getattr 468 /* 6.17 */
#endif
#ifndef __NR_file_setattr
#define __NR_file_setattr 469 /* 6.17 */
#endif
#ifndef __NR_listns
#define __NR_listns 470 /* 6.19 */
#endif

#endif
