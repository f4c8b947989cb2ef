/* keelson-helper shared code: config parsing, errors, io, time, capabilities, seccomp, cgroups, PATH exec. */
#include "common.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- config */

int config_load(struct config *cfg, const char *path)
{
	memset(cfg, 0, sizeof(*cfg));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errmsg(errno, "open config %s", path);
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		errmsg(errno, "stat config %s", path);
		close(fd);
		return -1;
	}
	if (st.st_size > 16 * 1024 * 1024) {
		errmsg(0, "config %s is too large", path);
		close(fd);
		return -1;
	}
	size_t size = (size_t)st.st_size;
	cfg->buf = malloc(size + 2);
	if (cfg->buf == NULL) {
		errmsg(errno, "allocate config");
		close(fd);
		return -1;
	}
	ssize_t n = read_all(fd, cfg->buf, size);
	close(fd);
	if (n < 0 || (size_t)n != size) {
		errmsg(n < 0 ? errno : 0, "read config %s", path);
		config_free(cfg);
		return -1;
	}
	cfg->buf[size] = '\0';
	cfg->buf[size + 1] = '\0';
	/* count strings: the file is key\0value\0...; a trailing NUL is optional */
	size_t nstr = 0;
	for (size_t i = 0; i < size; i++)
		if (cfg->buf[i] == '\0')
			nstr++;
	if (size > 0 && cfg->buf[size - 1] != '\0')
		nstr++;
	if (nstr % 2 != 0) {
		errmsg(0, "config %s: odd number of fields (%zu): a key has no value", path, nstr);
		config_free(cfg);
		return -1;
	}
	cfg->nkv = nstr / 2;
	cfg->kv = calloc(cfg->nkv + 1, sizeof(struct kv));
	if (cfg->kv == NULL) {
		errmsg(errno, "allocate config");
		config_free(cfg);
		return -1;
	}
	char *p = cfg->buf;
	for (size_t i = 0; i < cfg->nkv; i++) {
		cfg->kv[i].key = p;
		p += strlen(p) + 1;
		cfg->kv[i].value = p;
		p += strlen(p) + 1;
	}
	return 0;
}

void config_free(struct config *cfg)
{
	free(cfg->buf);
	free(cfg->kv);
	memset(cfg, 0, sizeof(*cfg));
}

const char *config_get(const struct config *cfg, const char *key)
{
	const char *v = NULL;
	for (size_t i = 0; i < cfg->nkv; i++)
		if (strcmp(cfg->kv[i].key, key) == 0)
			v = cfg->kv[i].value;
	return v;
}

size_t config_count(const struct config *cfg, const char *key)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->nkv; i++)
		if (strcmp(cfg->kv[i].key, key) == 0)
			n++;
	return n;
}

const char **config_all(const struct config *cfg, const char *key)
{
	size_t n = config_count(cfg, key);
	const char **out = calloc(n + 1, sizeof(char *));
	if (out == NULL)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < cfg->nkv; i++)
		if (strcmp(cfg->kv[i].key, key) == 0)
			out[j++] = cfg->kv[i].value;
	return out;
}

/* ---------------------------------------------------------------- errors */

static void vfmt(char *buf, size_t len, int errnum, const char *fmt, va_list ap)
{
	int n = snprintf(buf, len, "keelson-helper: ");
	if (n < 0 || (size_t)n >= len)
		return;
	int m = vsnprintf(buf + n, len - (size_t)n, fmt, ap);
	if (m < 0 || (size_t)(n + m) >= len)
		return;
	if (errnum != 0)
		snprintf(buf + n + m, len - (size_t)(n + m), ": %s", strerror(errnum));
}

void fmtmsg(char *buf, size_t len, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfmt(buf, len, errnum, fmt, ap);
	va_end(ap);
}

void errmsg(int errnum, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vfmt(buf, sizeof(buf), errnum, fmt, ap);
	va_end(ap);
	size_t l = strlen(buf);
	if (l < sizeof(buf) - 1) {
		buf[l++] = '\n';
		buf[l] = '\0';
	}
	(void)write_all(STDERR_FILENO, buf, l);
}

/* ---------------------------------------------------------------- io */

ssize_t write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int write_file_atomic(const char *dir, const char *name, const char *data, size_t len)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.%d", dir, name, (int)getpid()) >= (int)sizeof(tmp) ||
	    snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= (int)sizeof(dst)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, dst) < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = strlen(data);
	if (write_all(fd, data, len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

int parse_int(const char *s, long long min, long long max, long long *out)
{
	if (s == NULL || *s == '\0')
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int null_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0) {
			close(fd);
			return -1;
		}
	if (fd > 2)
		close(fd);
	return 0;
}

/* ---------------------------------------------------------------- time */

void rfc3339nano(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", date, ts.tv_nsec);
}

/* ---------------------------------------------------------------- capabilities */

static const char *const cap_names[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
	"SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
	"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
	"LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
	"WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};
#define NCAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

static int last_cap(void)
{
	static int cached = -1;
	if (cached >= 0)
		return cached;
	cached = NCAPS - 1;
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char b[16] = {0};
		ssize_t n = read_all(fd, b, sizeof(b) - 1);
		close(fd);
		long long v;
		if (n > 0) {
			b[strcspn(b, "\n")] = '\0';
			if (parse_int(b, 0, 63, &v) == 0)
				cached = (int)v;
		}
	}
	return cached;
}

int cap_from_name_k(const char *name)
{
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	for (int i = 0; i < NCAPS; i++)
		if (strcasecmp(cap_names[i], name) == 0)
			return i;
	return -1;
}

uint64_t cap_default_set(void)
{
	/* Docker's (and containerd's) default capability set */
	static const char *const def[] = {"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW",
					  "SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE",
					  "SYS_CHROOT", "KILL", "AUDIT_WRITE"};
	uint64_t s = 0;
	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++)
		s |= 1ULL << cap_from_name_k(def[i]);
	return s;
}

uint64_t cap_all_set(void)
{
	int last = last_cap();
	return last >= 63 ? ~0ULL : ((1ULL << (last + 1)) - 1);
}

static int capset_raw(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2] = {
		{.effective = (uint32_t)eff, .permitted = (uint32_t)prm, .inheritable = (uint32_t)inh},
		{.effective = (uint32_t)(eff >> 32), .permitted = (uint32_t)(prm >> 32), .inheritable = (uint32_t)(inh >> 32)},
	};
	return (int)syscall(SYS_capset, &hdr, data);
}

static int capget_permitted(uint64_t *prm)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	*prm = (uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32);
	return 0;
}

int apply_security(const struct security *sec, char *err, size_t errlen)
{
	uint64_t held;
	if (capget_permitted(&held) < 0) {
		fmtmsg(err, errlen, errno, "capget");
		return -1;
	}
	/* a helper that itself lacks a capability (a restricted node) cannot grant it */
	uint64_t caps = sec->caps & cap_all_set() & held;
	int last = last_cap();
	/* bounding set: needs CAP_SETPCAP, which we still have as root */
	for (int c = 0; c <= last; c++) {
		if (caps & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
			fmtmsg(err, errlen, errno, "drop capability %d from the bounding set", c);
			return -1;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		fmtmsg(err, errlen, errno, "clear ambient capabilities");
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		fmtmsg(err, errlen, errno, "keep capabilities across setuid");
		return -1;
	}
	if (setgroups(sec->ngroups, sec->groups) < 0) {
		fmtmsg(err, errlen, errno, "setgroups");
		return -1;
	}
	if (setresgid(sec->gid, sec->gid, sec->gid) < 0) {
		fmtmsg(err, errlen, errno, "setgid %u", (unsigned)sec->gid);
		return -1;
	}
	if (setresuid(sec->uid, sec->uid, sec->uid) < 0) {
		fmtmsg(err, errlen, errno, "setuid %u", (unsigned)sec->uid);
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
		fmtmsg(err, errlen, errno, "reset keepcaps");
		return -1;
	}
	if (sec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		fmtmsg(err, errlen, errno, "set no_new_privs");
		return -1;
	}
	if (sec->seccomp) {
		/* without no_new_privs, installing a filter needs CAP_SYS_ADMIN in the effective set:
		 * raise the whole permitted set for the moment (setuid cleared the effective set) */
		if (!sec->no_new_privs && capset_raw(held, held, 0) < 0) {
			fmtmsg(err, errlen, errno, "raise capabilities to install seccomp");
			return -1;
		}
		if (load_default_seccomp(caps, err, errlen) < 0)
			return -1;
	}
	if (capset_raw(caps, caps, 0) < 0) {
		fmtmsg(err, errlen, errno, "capset");
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- seccomp */

struct gated {
	int cap; /* -1 = always refused */
	const char *const *names;
};

static const char *const always_denied[] = {
	"kexec_load", "kexec_file_load", "add_key", "keyctl", "request_key", "userfaultfd",
	"nfsservctl", "uselib", "_sysctl", "get_kernel_syms", "query_module", "create_module",
	"vm86", "vm86old", "lookup_dcookie", "io_uring_setup", "io_uring_enter", "io_uring_register",
	NULL};
static const char *const sys_admin[] = {
	"mount", "umount", "umount2", "pivot_root", "unshare", "setns", "swapon", "swapoff",
	"fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "move_mount", "open_tree",
	"mount_setattr", "name_to_handle_at", "quotactl", "quotactl_fd", "setdomainname", "sethostname",
	NULL};
static const char *const sys_boot[] = {"reboot", NULL};
static const char *const sys_module[] = {"init_module", "finit_module", "delete_module", NULL};
static const char *const sys_pacct[] = {"acct", NULL};
static const char *const sys_ptrace[] = {"ptrace", "kcmp", "pidfd_getfd", "process_vm_readv",
					 "process_vm_writev", "process_madvise", NULL};
static const char *const sys_rawio[] = {"iopl", "ioperm", NULL};
static const char *const sys_time[] = {"settimeofday", "stime", "clock_settime", "clock_settime64",
				       "clock_adjtime", "clock_adjtime64", NULL};
static const char *const sys_tty[] = {"vhangup", NULL};
static const char *const sys_nice[] = {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node", NULL};
static const char *const sys_syslog[] = {"syslog", NULL};
static const char *const sys_bpf[] = {"bpf", NULL};
static const char *const sys_perf[] = {"perf_event_open", NULL};
static const char *const dac_read_search[] = {"open_by_handle_at", NULL};

/* syscalls Docker's default profile refuses unless the container holds the named capability;
 * bpf/perf_event_open are allowed by CAP_SYS_ADMIN too (checked in load_default_seccomp) */
static const struct gated gated_calls[] = {
	{-1, always_denied},
	{CAP_SYS_ADMIN, sys_admin},
	{CAP_SYS_BOOT, sys_boot},
	{CAP_SYS_MODULE, sys_module},
	{CAP_SYS_PACCT, sys_pacct},
	{CAP_SYS_PTRACE, sys_ptrace},
	{CAP_SYS_RAWIO, sys_rawio},
	{CAP_SYS_TIME, sys_time},
	{CAP_SYS_TTY_CONFIG, sys_tty},
	{CAP_SYS_NICE, sys_nice},
	{CAP_SYSLOG, sys_syslog},
	{CAP_BPF, sys_bpf},
	{CAP_PERFMON, sys_perf},
	{CAP_DAC_READ_SEARCH, dac_read_search},
};

int load_default_seccomp(uint64_t caps, char *err, size_t errlen)
{
	const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		fmtmsg(err, errlen, 0, "seccomp_init failed");
		return -1;
	}
	int rc = 0;
	const char *what = "";
	int has_admin = (caps & (1ULL << CAP_SYS_ADMIN)) != 0;
	/* with a deny-list the other x86 ABIs must carry the same rules, or int 0x80 bypasses them */
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		if ((rc = seccomp_arch_add(ctx, SCMP_ARCH_X86)) < 0 && rc != -EEXIST) {
			what = "add arch x86";
			goto fail;
		}
		if ((rc = seccomp_arch_add(ctx, SCMP_ARCH_X32)) < 0 && rc != -EEXIST) {
			what = "add arch x32";
			goto fail;
		}
	}
	rc = 0;
	for (size_t g = 0; g < sizeof(gated_calls) / sizeof(gated_calls[0]); g++) {
		int cap = gated_calls[g].cap;
		if (cap >= 0 && (caps & (1ULL << cap)))
			continue;
		if ((cap == CAP_BPF || cap == CAP_PERFMON) && has_admin)
			continue;
		for (const char *const *n = gated_calls[g].names; *n; n++) {
			int nr = seccomp_syscall_resolve_name(*n);
			if (nr == __NR_SCMP_ERROR)
				continue; /* not on this architecture */
			rc = seccomp_rule_add(ctx, eperm, nr, 0);
			if (rc < 0 && rc != -EDOM && rc != -EFAULT) {
				what = *n;
				goto fail;
			}
			rc = 0;
		}
	}
	if (!has_admin) {
		/* clone with namespace flags: refused; clone3 cannot be filtered by flags: ENOSYS so
		 * libc falls back to clone (as Docker does) */
		static const uint64_t ns_flags[] = {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
						    CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME};
		for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++) {
			rc = seccomp_rule_add(ctx, eperm, SCMP_SYS(clone), 1,
					      SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
			if (rc < 0) {
				what = "clone";
				goto fail;
			}
		}
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
		if (rc < 0) {
			what = "clone3";
			goto fail;
		}
	}
	/* personality: Docker allows only 0, 8, 0x20000, 0x20008 and 0xffffffff (query). libseccomp cannot
	 * AND several comparisons of one argument, so refuse any bit other than 3 (UNAME26... PER_LINUX32)
	 * and 17 (ADDR_NO_RANDOMIZE) unless bit 31 is set (the 0xffffffff query) */
	for (int b = 0; b < 31; b++) {
		if (b == 3 || b == 17)
			continue;
		uint64_t bit = 1ULL << b, mask = bit | (1ULL << 31);
		rc = seccomp_rule_add(ctx, eperm, SCMP_SYS(personality), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, mask, bit));
		if (rc < 0) {
			what = "personality";
			goto fail;
		}
	}
	/* AF_VSOCK sockets are refused as in Docker's profile */
	rc = seccomp_rule_add(ctx, eperm, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, 40));
	if (rc < 0) {
		what = "socket";
		goto fail;
	}
	rc = seccomp_load(ctx);
	if (rc < 0) {
		what = "load";
		goto fail;
	}
	seccomp_release(ctx);
	return 0;
fail:
	fmtmsg(err, errlen, -rc, "seccomp rule %s", what);
	seccomp_release(ctx);
	return -1;
}

/* ---------------------------------------------------------------- cgroups */

int cgroup_join(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path)) {
		fmtmsg(err, errlen, ENAMETOOLONG, "cgroup %s", dir);
		return -1;
	}
	if (write_file(path, "0") < 0) {
		fmtmsg(err, errlen, errno, "join cgroup %s", dir);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- exec */

static const char *env_path(char *const envp[])
{
	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			return *e + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

void exec_path(char *const argv[], char *const envp[], int *code)
{
	const char *file = argv[0];
	if (file == NULL || *file == '\0') {
		errno = ENOENT;
		*code = 127;
		return;
	}
	if (strchr(file, '/') != NULL) {
		execve(file, argv, envp);
		*code = (errno == ENOENT || errno == ENOTDIR) ? 127 : 126;
		return;
	}
	const char *path = env_path(envp);
	int saw_eacces = 0, last = ENOENT;
	char buf[PATH_MAX];
	while (1) {
		const char *colon = strchr(path, ':');
		size_t dl = colon ? (size_t)(colon - path) : strlen(path);
		int n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)dl, path, dl ? "/" : "", file);
		if (n > 0 && (size_t)n < sizeof(buf)) {
			execve(buf, argv, envp);
			switch (errno) {
			case EACCES:
				saw_eacces = 1;
				break;
			case ENOENT:
			case ENOTDIR:
			case ELOOP:
			case ENAMETOOLONG:
				break;
			default:
				last = errno;
				*code = 126;
				errno = last;
				return;
			}
		}
		if (colon == NULL)
			break;
		path = colon + 1;
	}
	errno = saw_eacces ? EACCES : last;
	*code = saw_eacces ? 126 : 127;
}

/* ------------------------------------------------------------ tracing (profiling aid, off unless asked for) */

static int trace_fd = -1;

void trace_open(void)
{
	const char *path = getenv("KEELSON_HELPER_TRACE");
	if (path && *path)
		trace_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

void trace(const char *what)
{
	if (trace_fd < 0)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char line[160];
	int n = snprintf(line, sizeof(line), "%lld %d %s\n", (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, (int)getpid(), what);
	if (n > 0)
		(void)write_all(trace_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
