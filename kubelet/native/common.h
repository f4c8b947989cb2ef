/* Shared declarations of keelson-helper: config parsing, errors, time, capabilities, seccomp, cgroups. */
#ifndef KEELSON_HELPER_COMMON_H
#define KEELSON_HELPER_COMMON_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- config: a NUL-separated sequence key\0value\0key\0value\0 ---- */
struct kv {
	const char *key;
	const char *value;
};

struct config {
	char *buf;
	size_t nkv;
	struct kv *kv;
};

int config_load(struct config *cfg, const char *path); /* 0 or -1 with message printed */
void config_free(struct config *cfg);
const char *config_get(const struct config *cfg, const char *key); /* last value or NULL */
size_t config_count(const struct config *cfg, const char *key);
/* fills out[] (NULL-terminated, caller frees the array only) with every value of key, in order */
const char **config_all(const struct config *cfg, const char *key);

/* ---- errors ---- */
/* prints "keelson-helper: <msg>" (plus ": strerror" when errnum != 0) to stderr */
void errmsg(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* formats the same line into buf */
void fmtmsg(char *buf, size_t len, int errnum, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- io ---- */
ssize_t write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len); /* reads until EOF or len */
int write_file_atomic(const char *dir, const char *name, const char *data, size_t len);
int write_file(const char *path, const char *data); /* open O_WRONLY, write, close */
int parse_int(const char *s, long long min, long long max, long long *out);
int mkdir_p(const char *path, mode_t mode);
int null_stdio(void); /* stdin/stdout/stderr to /dev/null */

/* ---- time ---- */
void rfc3339nano(char *buf, size_t len); /* 2016-10-06T00:17:09.669794202Z, 31 bytes + NUL */

/* ---- tracing: with KEELSON_HELPER_TRACE=FILE set, each trace() appends "<CLOCK_REALTIME µs> <pid> <what>" to FILE ---- */
void trace_open(void);
void trace(const char *what);

/* ---- security: capabilities, no_new_privs, seccomp ---- */
#define CAPSET_WORDS 2
struct capset {
	uint64_t bits;
};
int cap_from_name_k(const char *name); /* "NET_ADMIN"/"CAP_NET_ADMIN" -> number, -1 if unknown */
uint64_t cap_default_set(void);
uint64_t cap_all_set(void);

struct security {
	uint64_t caps;       /* bounding = permitted = effective; inheritable and ambient cleared */
	int no_new_privs;    /* 1/0 */
	int seccomp;         /* 1 = default profile, 0 = unconfined */
	uid_t uid;
	gid_t gid;
	size_t ngroups;
	gid_t *groups;
};
/* switches ids and applies caps/no_new_privs/seccomp; on failure fills err and returns -1 */
int apply_security(const struct security *sec, char *err, size_t errlen);
/* the seccomp filter, installed into the current thread */
int load_default_seccomp(uint64_t caps, char *err, size_t errlen);

/* ---- cgroups ---- */
/* moves the calling process into dir (writes "0" to dir/cgroup.procs) */
int cgroup_join(const char *dir, char *err, size_t errlen);

/* ---- exec with PATH resolution inside the (already pivoted) root ---- */
/* returns only on failure; errno is set and 126/127 style code in *code */
void exec_path(char *const argv[], char *const envp[], int *code);

/* ---- pty (helper.c) ---- */
int recv_fd(int sock);
int pty_become_slave(int sock, char *err, size_t errlen);

#endif
