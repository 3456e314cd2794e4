/* SPDX-License-Identifier: Apache-2.0 */
/*
 * execsize.h - whether the command's exec can take its arguments and
 * environment, decided in the parent before anything starts: the strings
 * the kernel copies (the path it runs, and for a script the interpreters
 * its #! lines add, nested ones too) against the room the command's stack
 * limit gives them.  A run that could never exec fails as a setup error
 * naming the sizes, not in the child as "Argument list too long".
 */
#ifndef SL_EXECSIZE_H
#define SL_EXECSIZE_H

struct sl_plan;

/* 0, or -E2BIG with a message.  The plan's argv, envp, exec candidates,
 * cwd and memory limit are set. */
int execsize_check(const struct sl_plan *p);

#endif
