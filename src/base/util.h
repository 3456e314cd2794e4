/* SPDX-License-Identifier: Apache-2.0 */
/* util.h - small containers and helpers shared by the library modules. */
#ifndef SL_UTIL_H
#define SL_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SL_API		 __attribute__((visibility("default")))
#define SL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Growable list of owned, NUL-terminated strings.  v[n] is always NULL so
 * the list can be passed as an argv/envp array. */
struct sl_strv {
	char **v;
	size_t n, cap;
};

int sl_strv_push(struct sl_strv *l, const char *s); /* copies s */
int sl_strv_push_owned(struct sl_strv *l, char *s); /* takes s */
int sl_strv_copy(struct sl_strv *dst, const struct sl_strv *src);
void sl_strv_free(struct sl_strv *l);

/* Growable list of u32 (ports, cores, devices). */
struct sl_u32v {
	uint32_t *v;
	size_t n, cap;
};

int sl_u32v_push(struct sl_u32v *l, uint32_t x);
int sl_u32v_copy(struct sl_u32v *dst, const struct sl_u32v *src);
bool sl_u32v_contains(const struct sl_u32v *l, uint32_t x);
/* Sorts ascending and drops repeats. */
void sl_u32v_sort_unique(struct sl_u32v *l);
void sl_u32v_free(struct sl_u32v *l);

/* Growable byte buffer (captured output). */
struct sl_buf {
	uint8_t *p;
	size_t len, cap;
};

int sl_buf_reserve(struct sl_buf *b, size_t extra);
/* Appends what fd holds from offset 0 to its end (pread: the fd's
 * position is not used), stopping at max bytes in b: 0, -EFBIG (max
 * reached: a kernel table, not data, has no reason to be that large),
 * -ENOMEM, or -errno. */
int sl_buf_read_fd(struct sl_buf *b, int fd, size_t max);
void sl_buf_free(struct sl_buf *b);

/* Optional scalars: `set` distinguishes "not given" from a zero value. */
struct sl_opt_u64 {
	bool set;
	uint64_t v;
};

char *sl_strdup(const char *s); /* NULL on NULL or ENOMEM */
bool sl_is_space(char c);
/* Trims white space in place (writes a NUL); returns the first non-space. */
char *sl_trim(char *s);
bool sl_utf8_valid(const char *s, size_t len);
/* Copy of bytes with invalid UTF-8 replaced by U+FFFD, NUL-terminated. */
char *sl_utf8_lossy(const uint8_t *p, size_t len);

/* pthread_create of a thread that starts with every signal blocked (the
 * host's handlers stay on the host's threads).  0 or an errno value. */
int sl_thread_start(pthread_t *th, void *(*fn)(void *), void *arg);
/* Moves thread tid, asleep until the caller hands it work and sleeping
 * while it works, onto the CPU the caller runs on (no migration of a
 * running task), when that CPU changed since *cpu (-1 at first; -2 once
 * the kernel refused: left alone from then on).  Woken on another, idle
 * vCPU, a hand-off cost 35 us more each way on a 2-vCPU VM (a halted vCPU
 * to wake); on the caller's, it takes over the CPU the caller gives up. */
void sl_thread_follow(pid_t tid, int *cpu);

/* Close fd if >= 0 and set it to -1, keeping errno. */
void sl_close(int *fd);

/* CLOCK_MONOTONIC in milliseconds: deadlines and timers (a wall-clock
 * jump moves none of them). */
int64_t sl_now_ms(void);
/* The kernel's page size (what /proc/PID/statm counts in). */
size_t sl_page_size(void);

#endif
