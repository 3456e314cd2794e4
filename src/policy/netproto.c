/* SPDX-License-Identifier: Apache-2.0 */
/* netproto.c - which socket protocols a policy can let out (see netproto.h). */
#include "netproto.h"

bool netproto_used(const struct netmatch_lists *l, enum sl_proto p)
{
	if (!l->has_allow)
		return l->n_deny > 0;
	for (size_t i = 0; i < l->n_allow; i++)
		if (l->allow[i].proto == p)
			return true;
	return false;
}
