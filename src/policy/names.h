/* SPDX-License-Identifier: Apache-2.0 */
/*
 * names.h - what a sandbox name and an environment variable name may be.
 *
 * A sandbox name becomes the hostname the sandbox sees and a file name (a
 * per-sandbox directory, a control socket), and it is printed in messages:
 * only letters, digits, '.', '_' and '-' pass, starting with a letter or a
 * digit ("..", "a/b", "-rf", spaces, control bytes and non-ASCII refused).
 * An environment variable name may be any valid UTF-8 without '=' or a
 * control byte.  A refused value is quoted in the message with every
 * control and non-ASCII byte escaped.
 */
#ifndef SL_NAMES_H
#define SL_NAMES_H

/* 0, or -EINVAL with a message naming the offending byte. */
int names_check_sandbox(const char *name);
int names_check_env_key(const char *key);

#endif
