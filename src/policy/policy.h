/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.h - the configuration model.
 *
 * struct sandlock_sandbox is the validated, immutable policy returned by
 * sandlock_sandbox_build().  The builder wraps the same struct plus a
 * deferred error (an allocation failure or a malformed argument seen by a
 * builder call is reported by build, since builder calls cannot fail).
 *
 * Everything here is plain data; turning it into kernel objects happens in
 * plan.c (before fork) and child.c (after fork).
 */
#ifndef SL_POLICY_H
#define SL_POLICY_H

#include "sandlock.h"
#include "util.h"

#define SL_DEFAULT_MAX_PROCESSES 64u
#define SL_NAME_MAX		 64u

enum sl_fs_isolation { SL_ISO_NONE = 0, SL_ISO_OVERLAYFS = 1, SL_ISO_BRANCHFS = 2 };
enum sl_branch_action { SL_BRANCH_COMMIT = 0, SL_BRANCH_ABORT = 1, SL_BRANCH_KEEP = 2 };

/* A set of ports (portset.h): '*' (every port, 0 included), or ranges. */
struct sl_port_range {
	uint16_t lo, hi; /* lo <= hi */
};
struct sl_portset {
	bool all;		 /* '*' */
	struct sl_port_range *v; /* when !all: sorted, disjoint, never adjacent */
	size_t n, cap;
};

/* An IP address or a CIDR range.  addr is the network address in network
 * byte order (an IPv4 one in its first 4 bytes, the rest zero), with no bit
 * set past prefix; an address alone has prefix 32 or 128.  A v4-mapped
 * IPv6 address (::ffff:a.b.c.d) is always stored as its IPv4 address. */
struct sl_net_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t prefix;
	uint8_t addr[16];
};

/* A net_allow or net_deny rule after parsing (netrule.h). */
enum sl_proto { SL_PROTO_TCP = 0, SL_PROTO_UDP = 1, SL_PROTO_ICMP = 2 };
enum sl_net_target {
	SL_TARGET_ANY = 0,  /* '*' or empty: every address */
	SL_TARGET_ADDR = 1, /* an IP literal or CIDR range, in addr */
	SL_TARGET_NAME = 2, /* a hostname, in host (resolved before fork) */
};
struct sl_net_rule {
	enum sl_proto proto;
	enum sl_net_target target;
	struct sl_net_addr addr; /* SL_TARGET_ADDR */
	char *host;		 /* SL_TARGET_NAME, else NULL */
	struct sl_portset ports; /* TCP/UDP: never empty; ICMP: empty (no ports) */
};

/* An http_allow/http_deny rule after parsing. */
struct sl_http_rule {
	char *method; /* upper-cased, "*" = any */
	char *host;   /* lower-cased, "*" = any */
	char *path;   /* normalized, may end in '*' */
};

/* A credential after loading (credential.h): the secret is read when the
 * policy is built, and zeroed when it is freed. */
struct sl_credential {
	char *name;
	char *secret; /* NUL-terminated; no CR, LF or NUL inside */
	size_t len;
};

/* An http_auth after parsing: the proxy adds the credential to the
 * requests for host. */
struct sl_http_auth {
	char *host;			  /* lower-cased, no port, no brackets */
	const struct sl_credential *cred; /* into the same policy's credentials */
	char *header;			  /* NULL: Authorization: Bearer <secret> */
};

struct sandlock_sandbox {
	/* filesystem */
	struct sl_strv fs_read, fs_write, fs_deny;
	char *workdir, *cwd, *fs_storage, *chroot;
	uint8_t fs_isolation; /* enum sl_fs_isolation */
	struct sl_strv fs_mount_virt, fs_mount_host;
	uint8_t on_exit, on_error; /* enum sl_branch_action */
	bool on_exit_set, on_error_set;
	struct sl_opt_u64 max_disk;

	/* syscalls */
	struct sl_strv deny_syscalls; /* validated names */
	struct sl_strv allow_groups;  /* validated group names ("sysv_ipc") */

	/* network */
	struct sl_strv net_allow;      /* rule strings as given */
	struct sl_net_rule *net_rules; /* parsed at build: net_allow's, then the HTTP rules' */
	size_t n_net_rules;
	struct sl_strv net_deny;	    /* rule strings as given */
	struct sl_net_rule *net_deny_rules; /* parsed at build */
	size_t n_net_deny_rules;
	struct sl_u32v net_bind;
	struct sl_strv net_allow_bind, net_deny_bind; /* bind specs as given */
	struct sl_portset bind_allow, bind_deny;      /* parsed at build: each list's union */
	bool port_remap;
	struct sl_strv http_allow, http_deny;
	struct sl_http_rule *http_rules; /* allow rules then deny rules */
	size_t n_http_allow, n_http_deny;
	struct sl_u32v http_ports;
	bool http_ports_default; /* http_ports holds the defaults validation filled in */
	char *http_ca, *http_key;
	struct sl_strv http_inject_ca; /* CA bundles the proxy's own CA is added to */
	char *http_ca_out;	       /* where the proxy writes its own CA */
	char *profile_text;	       /* what `sandlock inspect --toml` shows (never parsed) */
	char *learn_log;	       /* where a learning run writes what it touches */
	bool explain_denials;	       /* report what Landlock is about to refuse */
	struct sl_strv credential_specs, http_auth_specs; /* as given */
	struct sl_credential *credentials;		  /* loaded at build, one per spec */
	size_t n_credentials;
	struct sl_http_auth *http_auths; /* parsed at build, one per spec */
	size_t n_http_auths;

	/* limits */
	struct sl_opt_u64 max_memory;
	uint32_t max_processes; /* default 64 */
	struct sl_opt_u64 max_open_files;
	struct sl_opt_u64 max_cpu; /* percent 1..100 */
	struct sl_opt_u64 num_cpus;
	struct sl_u32v cpu_cores;
	bool cpu_cores_set;
	struct sl_u32v gpu_devices;
	bool gpu_devices_set;

	/* determinism */
	struct sl_opt_u64 random_seed;
	struct sl_opt_u64 time_start; /* seconds since the epoch */
	bool no_randomize_memory, no_huge_pages, no_coredump, deterministic_dirs;
	/* Landlock protections (bits 1 << SANDLOCK_PROTECTION_*): skipped on
	 * a kernel without them, or never applied */
	uint32_t prot_degradable, prot_disabled;

	/* process */
	bool clean_env;
	struct sl_strv env_keys, env_vals; /* ordered; later keys override */
	struct sl_opt_u64 uid;
	sandlock_policy_fn_t policy_fn;
	struct sl_opt_u64 policy_fn_timeout_ms; /* the wait for a verdict */
	struct sl_opt_u64 policy_fn_events;	/* SANDLOCK_POLICY_EVENT_* bits */
};

struct sandlock_builder {
	struct sandlock_sandbox cfg;
	int err;      /* first deferred error (-errno), 0 when none */
	char *errmsg; /* its message */
};

/* Validates cfg in place, parsing rules into their structured
 * form.  Returns 0 or -errno with a message set (sl_errorf). */
int policy_validate(struct sandlock_sandbox *cfg);
/* Rejects fields whose enforcement has not landed: "not supported yet:
 * <field>".  Separate from validation so the error order is: malformed
 * values first, then unsupported features. */
int policy_check_supported(const struct sandlock_sandbox *cfg);
/* Deep copy (for handles that outlive the caller's policy). */
int policy_copy(struct sandlock_sandbox *dst, const struct sandlock_sandbox *src);
void policy_release(struct sandlock_sandbox *cfg);
void policy_init(struct sandlock_sandbox *cfg);

#endif
