/* SPDX-License-Identifier: Apache-2.0 */
/*
 * portremap.h - port_remap: each sandbox's own virtual TCP port space
 * (portremap.c), as other modules reach it.
 */
#ifndef SL_PORTREMAP_H
#define SL_PORTREMAP_H

#include <stdint.h>

struct sl_sup;

/* The real port the sandbox's virtual TCP port vport is on for family
 * (AF_INET, AF_INET6), or else for the other family (a dual-stack IPv6
 * listener takes IPv4 connections too); 0 when the sandbox bound no
 * such port, or port_remap is off.  What a loopback connect made on the
 * sandbox's behalf goes to instead of vport.  Any thread (the map's own
 * lock). */
int portremap_real(struct sl_sup *s, int family, uint16_t vport);

/* The remapped ports (virtual != real) as JSON, {"6379":40123}: *out is
 * malloc'd, or NULL when none is, or port_remap is off.  Any thread, for
 * as long as the engine lives.  0 or -ENOMEM. */
int portremap_json(struct sl_sup *s, char **out);

#endif
