/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.h - `sandlock check`: what this kernel offers and which protections
 * sandlock can enforce on it.
 */
#ifndef SL_CLI_CHECK_H
#define SL_CLI_CHECK_H

#include <stdio.h>

#include "sandlock.h"

struct check_facts {
	sandlock_features_t features;
	int min_abi;	     /* sandlock_min_landlock_abi() */
	const char *machine; /* uname -m, may be NULL */
	const char *kernel;  /* uname -r, may be NULL */
};

/* Writes the report.  Returns 0 when everything sandlock needs is there,
 * 1 when something is missing (the report's last line says what). */
int check_report(FILE *out, const struct check_facts *c);

#endif
