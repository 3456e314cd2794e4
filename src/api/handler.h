/* SPDX-License-Identifier: Apache-2.0 */
/* handler.h - the engine side of custom handlers (see handler.c). */
#ifndef SL_HANDLER_H
#define SL_HANDLER_H

#include "supervisor.h"

/* Chain link calling the user handler arg (a sandlock_handler_t). */
void handler_dispatch(struct sl_ctx *c, struct sl_action *a, void *arg);

#endif
