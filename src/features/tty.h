/* SPDX-License-Identifier: Apache-2.0 */
/* tty.h - the terminal's foreground group, set on the sandbox's behalf (see tty.c). */
#ifndef SL_TTY_H
#define SL_TTY_H

#include "supervisor.h"

/* ioctl(fd, TIOCSPGRP, &pgid), notified for an interactive sandbox:
 * done by the supervisor when pgid is a group of the sandbox, else
 * EPERM. */
void tty_on_setpgrp(struct sl_ctx *c, struct sl_action *a, void *arg);

#endif
