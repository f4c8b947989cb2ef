/* keelson-helper: entry point and the `sandbox` and `run` modes (holder, monitor, container init). */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int exec_main(int argc, char **argv); /* exec.c */
int serve_main(void);                 /* serve.c */
int helper_mode(int argc, char **argv);

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
/* the kernel's struct clone_args (v2, Linux 5.7+), spelled out so no uapi header has to agree with glibc's */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

#define ERRLEN 1024

static void usage(void)
{
	errmsg(0, "usage: keelson-helper sandbox --config FILE | run --config FILE | exec --target PID [--tty] "
		  "[--cwd DIR] [--env K=V]... [--uid N --gid N] -- CMD ARGS... | serve");
}

/* report line from a detached child to the waiting foreground process: "OK <pid>" or "ERR <msg>" */
static void report(int fd, const char *kind, const char *text)
{
	char line[ERRLEN + 16];
	int n = snprintf(line, sizeof(line), "%s %s\n", kind, text);
	if (n > 0)
		(void)write_all(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* the foreground side: waits for the intermediate child, reads the report, prints the pid */
static int await_report(pid_t intermediate, int rfd)
{
	char buf[ERRLEN + 64];
	ssize_t n = read_all(rfd, buf, sizeof(buf) - 1);
	int e = errno;
	close(rfd);
	int st;
	while (waitpid(intermediate, &st, 0) < 0 && errno == EINTR)
		;
	if (n < 0) {
		errmsg(e, "read report from the detached process");
		return 1;
	}
	buf[n] = '\0';
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (strncmp(buf, "OK ", 3) == 0) {
		printf("%s\n", buf + 3);
		if (fflush(stdout) != 0)
			return 1;
		return 0;
	}
	if (strncmp(buf, "ERR ", 4) == 0) {
		fprintf(stderr, "%s\n", buf + 4);
		return 1;
	}
	errmsg(0, "the detached process exited without reporting");
	return 1;
}

static int open_ns(const char *path, char *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fmtmsg(err, ERRLEN, errno, "open namespace %s", path);
	return fd;
}

static int block_signals(sigset_t *set, sigset_t *old)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	return sigprocmask(SIG_BLOCK, set, old);
}

/* ======================================================================== sandbox */

static void holder_loop(void)
{
	sigset_t set, old;
	if (block_signals(&set, &old) < 0)
		_exit(1);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (sig == SIGTERM || sig == SIGINT)
			_exit(0);
		if (sig == SIGCHLD)
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
	}
}

/* CGROUPS[0] when it is the only cgroup and a cgroup v2 directory (a process can be born there), else NULL */
static const char *single_cgroup2(const char *const *cgroups)
{
	struct statfs sf;
	if (!cgroups || !cgroups[0] || cgroups[1] || statfs(cgroups[0], &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
		return NULL;
	return cgroups[0];
}

/*
 * Forks (fork semantics: returns 0 in the child) with clone flags FLAGS; with CGROUP2 (a cgroup v2 directory) set,
 * clone3(CLONE_INTO_CGROUP) creates the child inside it. Moving a process between cgroups takes the kernel's
 * threadgroup lock for writing, which waits out an RCU grace period (5–15 ms when nothing moved lately); a process
 * born in its cgroup only takes it for reading. *in_cgroup says whether that happened; if not (no CGROUP2, kernels
 * before 5.7), the caller joins the cgroups itself.
 */
static pid_t fork_into(const char *cgroup2, unsigned long flags, int *in_cgroup)
{
	*in_cgroup = 0;
	if (cgroup2) {
		int cg = open(cgroup2, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cg >= 0) {
			struct clone3_args args;
			memset(&args, 0, sizeof(args));
			args.flags = (flags & ~(unsigned long)CSIGNAL) | CLONE_INTO_CGROUP;
			args.exit_signal = SIGCHLD;
			args.cgroup = (uint64_t)cg;
			pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
			int saved = errno;
			if (pid >= 0) {
				*in_cgroup = 1;
				if (pid > 0) {
					close(cg);
					trace("clone3: born in its cgroup");
				}
				return pid;
			}
			close(cg);
			/* older kernels: no clone3 or no CLONE_INTO_CGROUP; anything else is a real failure */
			if (saved != ENOSYS && saved != E2BIG && saved != EINVAL) {
				errno = saved;
				return -1;
			}
		}
	}
	return (pid_t)syscall(SYS_clone, (flags & ~(unsigned long)CSIGNAL) | SIGCHLD, NULL, NULL, NULL, 0);
}

static int do_sandbox(const struct config *cfg)
{
	const char *state_dir = config_get(cfg, "state_dir");
	const char *hostname = config_get(cfg, "hostname");
	const char *netns = config_get(cfg, "netns");
	const char *share = config_get(cfg, "share_pid");
	int share_pid = share != NULL && strcmp(share, "1") == 0;
	if (state_dir == NULL) {
		errmsg(0, "sandbox: config has no state_dir");
		return 1;
	}
	if (hostname != NULL && strlen(hostname) > 64) {
		errmsg(0, "sandbox: hostname longer than 64 bytes: %s", hostname);
		return 1;
	}
	int rp[2];
	if (pipe2(rp, O_CLOEXEC) < 0) {
		errmsg(errno, "pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		errmsg(errno, "fork");
		return 1;
	}
	if (pid > 0) {
		close(rp[1]);
		return await_report(pid, rp[0]);
	}
	/* intermediate: detach, enter/create the namespaces, fork the holder */
	close(rp[0]);
	char err[ERRLEN];
	if (setsid() < 0 || null_stdio() < 0) {
		fmtmsg(err, sizeof(err), errno, "sandbox: detach");
		goto fail;
	}
	if (netns != NULL) {
		int fd = open_ns(netns, err);
		if (fd < 0)
			goto fail;
		if (setns(fd, CLONE_NEWNET) < 0) {
			fmtmsg(err, sizeof(err), errno, "sandbox: join network namespace %s", netns);
			close(fd);
			goto fail;
		}
		close(fd);
	}
	if (unshare(CLONE_NEWIPC | CLONE_NEWUTS | (share_pid ? CLONE_NEWPID : 0)) < 0) {
		fmtmsg(err, sizeof(err), errno, "sandbox: unshare ipc/uts%s namespaces", share_pid ? "/pid" : "");
		goto fail;
	}
	if (hostname != NULL && sethostname(hostname, strlen(hostname)) < 0) {
		fmtmsg(err, sizeof(err), errno, "sandbox: sethostname %s", hostname);
		goto fail;
	}
	const char **cgroups = config_all(cfg, "cgroup");
	if (!cgroups) {
		fmtmsg(err, sizeof(err), ENOMEM, "sandbox: cgroups");
		goto fail;
	}
	/* where the holder cannot be born in its cgroup, this process joins first and the holder inherits them */
	const char *cgroup2 = single_cgroup2(cgroups);
	for (size_t i = 0; !cgroup2 && cgroups[i]; i++)
		if (cgroup_join(cgroups[i], err, sizeof(err)) < 0)
			goto fail;
	int in_cgroup;
	pid_t holder = fork_into(cgroup2, 0, &in_cgroup);
	if (holder < 0) {
		fmtmsg(err, sizeof(err), errno, "sandbox: fork holder");
		goto fail;
	}
	if (holder == 0) {
		/* a cgroup v2 kernel without CLONE_INTO_CGROUP (before 5.7): the holder joins its cgroup itself */
		if (cgroup2 && !in_cgroup && cgroup_join(cgroup2, err, sizeof(err)) < 0)
			_exit(1);
		close(rp[1]);
		if (prctl(PR_SET_NAME, "keelson-pause", 0, 0, 0) < 0) {
			/* cosmetic only */
		}
		syscall(SYS_close_range, 3U, ~0U, 0U);
		holder_loop();
	}
	char num[32];
	snprintf(num, sizeof(num), "%d", (int)holder);
	if (write_file_atomic(state_dir, "pid", num, strlen(num)) < 0) {
		fmtmsg(err, sizeof(err), errno, "sandbox: write %s/pid", state_dir);
		kill(holder, SIGKILL);
		goto fail;
	}
	report(rp[1], "OK", num);
	_exit(0);
fail:
	report(rp[1], "ERR", err);
	_exit(1);
}

/* ======================================================================== run */

struct run_opts {
	const char *id, *state_dir, *upper, *work, *rootfs, *cwd, *log_path;
	const char **lower, **args, **env, **cgroups, **mounts, **cap_add, **cap_drop;
	const char *ns_net, *ns_ipc, *ns_uts, *ns_pid, *oom_score_adj;
	int readonly, privileged, stdin_fifo, tty;
	struct security sec;
};

static int flag(const struct config *cfg, const char *key, int def)
{
	const char *v = config_get(cfg, key);
	if (v == NULL || *v == '\0')
		return def;
	return strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
}

static int parse_run(const struct config *cfg, struct run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->id = config_get(cfg, "id");
	o->state_dir = config_get(cfg, "state_dir");
	o->upper = config_get(cfg, "upper");
	o->work = config_get(cfg, "work");
	o->rootfs = config_get(cfg, "rootfs");
	o->cwd = config_get(cfg, "cwd");
	o->log_path = config_get(cfg, "log_path");
	o->ns_net = config_get(cfg, "ns_net");
	o->ns_ipc = config_get(cfg, "ns_ipc");
	o->ns_uts = config_get(cfg, "ns_uts");
	o->ns_pid = config_get(cfg, "ns_pid");
	o->oom_score_adj = config_get(cfg, "oom_score_adj");
	o->readonly = flag(cfg, "readonly_rootfs", 0);
	o->privileged = flag(cfg, "privileged", 0);
	o->stdin_fifo = flag(cfg, "stdin", 0);
	o->tty = flag(cfg, "tty", 0);
	o->lower = config_all(cfg, "lower");
	o->args = config_all(cfg, "arg");
	o->env = config_all(cfg, "env");
	o->cgroups = config_all(cfg, "cgroup");
	o->mounts = config_all(cfg, "mount");
	o->cap_add = config_all(cfg, "cap_add");
	o->cap_drop = config_all(cfg, "cap_drop");
	if (!o->lower || !o->args || !o->env || !o->cgroups || !o->mounts || !o->cap_add || !o->cap_drop) {
		errmsg(errno, "allocate");
		return -1;
	}
	const char *missing = !o->state_dir ? "state_dir" : !o->rootfs ? "rootfs" : !o->lower[0] ? "lower"
			      : !o->args[0] ? "arg" : NULL;
	if (missing != NULL) {
		errmsg(0, "run: config has no %s", missing);
		return -1;
	}
	if ((o->upper == NULL) != (o->work == NULL)) {
		errmsg(0, "run: upper and work must be given together");
		return -1;
	}
	long long v;
	const char *uid = config_get(cfg, "uid"), *gid = config_get(cfg, "gid");
	o->sec.uid = 0;
	o->sec.gid = 0;
	if (uid && parse_int(uid, 0, 0xfffffffe, &v) < 0) {
		errmsg(0, "run: bad uid %s", uid);
		return -1;
	}
	if (uid)
		o->sec.uid = (uid_t)v;
	if (gid && parse_int(gid, 0, 0xfffffffe, &v) < 0) {
		errmsg(0, "run: bad gid %s", gid);
		return -1;
	}
	if (gid)
		o->sec.gid = (gid_t)v;
	o->sec.ngroups = config_count(cfg, "group");
	o->sec.groups = calloc(o->sec.ngroups + 1, sizeof(gid_t));
	if (o->sec.groups == NULL) {
		errmsg(errno, "allocate");
		return -1;
	}
	size_t g = 0;
	for (size_t i = 0; i < cfg->nkv; i++) {
		if (strcmp(cfg->kv[i].key, "group") != 0)
			continue;
		if (parse_int(cfg->kv[i].value, 0, 0xfffffffe, &v) < 0) {
			errmsg(0, "run: bad group %s", cfg->kv[i].value);
			return -1;
		}
		o->sec.groups[g++] = (gid_t)v;
	}
	if (o->oom_score_adj && parse_int(o->oom_score_adj, -1000, 1000, &v) < 0) {
		errmsg(0, "run: bad oom_score_adj %s", o->oom_score_adj);
		return -1;
	}
	uint64_t caps = o->privileged ? cap_all_set() : cap_default_set();
	for (size_t i = 0; o->cap_add[i]; i++) {
		if (strcasecmp(o->cap_add[i], "ALL") == 0) {
			caps = cap_all_set();
			continue;
		}
		int c = cap_from_name_k(o->cap_add[i]);
		if (c < 0) {
			errmsg(0, "run: unknown capability %s", o->cap_add[i]);
			return -1;
		}
		caps |= 1ULL << c;
	}
	for (size_t i = 0; o->cap_drop[i]; i++) {
		if (strcasecmp(o->cap_drop[i], "ALL") == 0) {
			caps = 0;
			/* as in Docker: drop ALL then add keeps the added ones */
			for (size_t j = 0; o->cap_add[j]; j++) {
				int c = cap_from_name_k(o->cap_add[j]);
				if (c >= 0)
					caps |= 1ULL << c;
			}
			continue;
		}
		int c = cap_from_name_k(o->cap_drop[i]);
		if (c < 0) {
			errmsg(0, "run: unknown capability %s", o->cap_drop[i]);
			return -1;
		}
		caps &= ~(1ULL << c);
	}
	o->sec.caps = caps;
	o->sec.no_new_privs = flag(cfg, "no_new_privs", 1);
	const char *sc = config_get(cfg, "seccomp");
	if (sc && strcmp(sc, "default") != 0 && strcmp(sc, "unconfined") != 0 && *sc != '\0') {
		errmsg(0, "run: seccomp must be default or unconfined, not %s", sc);
		return -1;
	}
	o->sec.seccomp = !o->privileged && !(sc && strcmp(sc, "unconfined") == 0);
	return 0;
}

static void free_run(struct run_opts *o)
{
	free(o->lower);
	free(o->args);
	free(o->env);
	free(o->cgroups);
	free(o->mounts);
	free(o->cap_add);
	free(o->cap_drop);
	free(o->sec.groups);
}

/* ------------------------------------------------------------ container init (runs in the clone child) */

static int sync_fd = -1;

__attribute__((noreturn, format(printf, 2, 3))) static void child_fail(int errnum, const char *fmt, ...)
{
	char buf[ERRLEN], msg[ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fmtmsg(buf, sizeof(buf), errnum, "%s", msg);
	(void)write_all(sync_fd, buf, strlen(buf));
	_exit(1);
}

static void child_fail_msg(const char *err)
{
	(void)write_all(sync_fd, err, strlen(err));
	_exit(1);
}

static void do_mount(const char *src, const char *tgt, const char *type, unsigned long flags, const char *data)
{
	if (mount(src, tgt, type, flags, data) < 0)
		child_fail(errno, "mount %s on %s (%s)", src ? src : "none", tgt, type ? type : "bind");
}

static void join_path(char *out, const char *root, const char *rel)
{
	while (*rel == '/')
		rel++;
	if (snprintf(out, PATH_MAX, "%s/%s", root, rel) >= PATH_MAX)
		child_fail(ENAMETOOLONG, "path %s/%s", root, rel);
}

static int has_dotdot(const char *p)
{
	const char *s = p;
	while ((s = strstr(s, "..")) != NULL) {
		int start = s == p || s[-1] == '/';
		int end = s[2] == '\0' || s[2] == '/';
		if (start && end)
			return 1;
		s += 2;
	}
	return 0;
}

/* escapes ':' ',' and '\\' for overlayfs lowerdir/upperdir options */
static int append_escaped(char *out, size_t len, size_t *pos, const char *s)
{
	for (; *s; s++) {
		if (*s == ':' || *s == ',' || *s == '\\') {
			if (*pos + 1 >= len)
				return -1;
			out[(*pos)++] = '\\';
		}
		if (*pos + 1 >= len)
			return -1;
		out[(*pos)++] = *s;
	}
	out[*pos] = '\0';
	return 0;
}

static void mount_overlay(const struct run_opts *o)
{
	char data[4096];
	size_t pos = 0;
	int bad = 0;
	data[0] = '\0';
	bad |= append_escaped(data, sizeof(data), &pos, "lowerdir=");
	for (size_t i = 0; o->lower[i]; i++) {
		if (i > 0)
			bad |= pos + 1 >= sizeof(data) ? -1 : (data[pos++] = ':', data[pos] = '\0', 0);
		bad |= append_escaped(data, sizeof(data), &pos, o->lower[i]);
	}
	if (o->upper) {
		bad |= append_escaped(data, sizeof(data), &pos, "");
		if (pos + 10 < sizeof(data)) {
			strcpy(data + pos, ",upperdir=");
			pos += 10;
		} else {
			bad = -1;
		}
		bad |= append_escaped(data, sizeof(data), &pos, o->upper);
		if (pos + 9 < sizeof(data)) {
			strcpy(data + pos, ",workdir=");
			pos += 9;
		} else {
			bad = -1;
		}
		bad |= append_escaped(data, sizeof(data), &pos, o->work);
	}
	if (bad)
		child_fail(0, "overlay options longer than a page (too many layers)");
	if (mount("overlay", o->rootfs, "overlay", o->upper ? 0 : MS_RDONLY, data) < 0)
		child_fail(errno, "mount overlay on %s (%s)", o->rootfs, data);
}

static void mknod_dev(const char *root, const char *name, unsigned maj, unsigned min)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/dev/%s", root, name);
	if (mknod(p, S_IFCHR | 0666, makedev(maj, min)) < 0)
		child_fail(errno, "mknod %s", p);
	if (chmod(p, 0666) < 0)
		child_fail(errno, "chmod %s", p);
}

static void symlink_dev(const char *root, const char *target, const char *name)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/dev/%s", root, name);
	if (symlink(target, p) < 0)
		child_fail(errno, "symlink %s", p);
}

static void ensure_dir(const char *p)
{
	if (mkdir_p(p, 0755) < 0)
		child_fail(errno, "mkdir %s", p);
}

static void setup_dev(const char *root)
{
	char p[PATH_MAX];
	join_path(p, root, "dev");
	ensure_dir(p);
	do_mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	mknod_dev(root, "null", 1, 3);
	mknod_dev(root, "zero", 1, 5);
	mknod_dev(root, "full", 1, 7);
	mknod_dev(root, "random", 1, 8);
	mknod_dev(root, "urandom", 1, 9);
	mknod_dev(root, "tty", 5, 0);
	symlink_dev(root, "pts/ptmx", "ptmx");
	symlink_dev(root, "/proc/self/fd", "fd");
	symlink_dev(root, "/proc/self/fd/0", "stdin");
	symlink_dev(root, "/proc/self/fd/1", "stdout");
	symlink_dev(root, "/proc/self/fd/2", "stderr");
	join_path(p, root, "dev/pts");
	ensure_dir(p);
	do_mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	join_path(p, root, "dev/shm");
	ensure_dir(p);
	do_mount("shm", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
}

static unsigned long parse_mount_flags(char *list, int *bind, int *ro)
{
	unsigned long f = 0;
	*bind = 0;
	*ro = 0;
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "bind") == 0)
			*bind = 1;
		else if (strcmp(t, "rbind") == 0)
			*bind = 2;
		else if (strcmp(t, "ro") == 0)
			*ro = 1;
		else if (strcmp(t, "rw") == 0)
			*ro = 0;
		else if (strcmp(t, "nosuid") == 0)
			f |= MS_NOSUID;
		else if (strcmp(t, "nodev") == 0)
			f |= MS_NODEV;
		else if (strcmp(t, "noexec") == 0)
			f |= MS_NOEXEC;
		else if (strcmp(t, "relatime") == 0)
			f |= MS_RELATIME;
		else if (strcmp(t, "strictatime") == 0)
			f |= MS_STRICTATIME;
		else if (*t != '\0' && strcmp(t, "private") != 0 && strcmp(t, "rprivate") != 0)
			child_fail(0, "mount: unknown flag %s", t);
	}
	return f;
}

/* opens target inside root without following symlinks out of it; creates it (dir or file) if absent */
static int open_in_root(int rootfd, const char *root, const char *target, int want_dir)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	int fd = (int)syscall(SYS_openat2, rootfd, target, &how, sizeof(how));
	if (fd >= 0 || errno != ENOENT)
		return fd;
	char p[PATH_MAX], parent[PATH_MAX];
	join_path(p, root, target);
	snprintf(parent, sizeof(parent), "%s", p);
	char *slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	ensure_dir(want_dir ? p : parent);
	if (!want_dir) {
		int f = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (f < 0)
			child_fail(errno, "create mount target %s", p);
		close(f);
	}
	return (int)syscall(SYS_openat2, rootfd, target, &how, sizeof(how));
}

static void user_mounts(const struct run_opts *o)
{
	int rootfd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		child_fail(errno, "open rootfs %s", o->rootfs);
	for (size_t i = 0; o->mounts[i]; i++) {
		char spec[PATH_MAX * 2 + 256];
		if (snprintf(spec, sizeof(spec), "%s", o->mounts[i]) >= (int)sizeof(spec))
			child_fail(ENAMETOOLONG, "mount %s", o->mounts[i]);
		char *fields[5] = {0};
		char *s = spec;
		for (int f = 0; f < 5; f++) {
			fields[f] = s;
			char *tab = s ? strchr(s, '\t') : NULL;
			if (tab) {
				*tab = '\0';
				s = tab + 1;
			} else {
				s = NULL;
			}
		}
		const char *src = fields[0], *tgt = fields[1], *type = fields[2] ? fields[2] : "";
		char *flags = fields[3] ? fields[3] : (char *)"";
		const char *data = fields[4] ? fields[4] : "";
		if (!src || !tgt || *tgt == '\0' || has_dotdot(tgt))
			child_fail(0, "bad mount entry (want source\\ttarget\\ttype\\tflags\\tdata): %s", o->mounts[i]);
		int bind, ro;
		unsigned long mf = parse_mount_flags(flags, &bind, &ro);
		int want_dir = 1;
		if (bind) {
			struct stat st;
			if (stat(src, &st) < 0)
				child_fail(errno, "mount source %s", src);
			want_dir = S_ISDIR(st.st_mode);
		}
		int tfd = open_in_root(rootfd, o->rootfs, tgt, want_dir);
		if (tfd < 0)
			child_fail(errno, "mount target %s", tgt);
		char procpath[64];
		snprintf(procpath, sizeof(procpath), "/proc/self/fd/%d", tfd);
		if (bind) {
			if (mount(src, procpath, NULL, MS_BIND | (bind == 2 ? MS_REC : 0), NULL) < 0)
				child_fail(errno, "bind mount %s on %s", src, tgt);
			if (ro || mf) {
				close(tfd);
				tfd = open_in_root(rootfd, o->rootfs, tgt, want_dir);
				if (tfd < 0)
					child_fail(errno, "reopen mount target %s", tgt);
				snprintf(procpath, sizeof(procpath), "/proc/self/fd/%d", tfd);
				if (mount(NULL, procpath, NULL, MS_BIND | MS_REMOUNT | mf | (ro ? MS_RDONLY : 0), NULL) < 0)
					child_fail(errno, "remount %s read-only/flags", tgt);
			}
		} else {
			if (mount(*src ? src : type, procpath, type, mf | (ro ? MS_RDONLY : 0), *data ? data : NULL) < 0)
				child_fail(errno, "mount %s (%s) on %s", src, type, tgt);
		}
		close(tfd);
	}
	close(rootfd);
}

static const char *const masked_paths[] = {"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
					   "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
					   "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap", NULL};
static const char *const readonly_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
					     "/proc/sysrq-trigger", NULL};

static void mask_paths(void)
{
	for (const char *const *p = masked_paths; *p; p++) {
		struct stat st;
		if (stat(*p, &st) < 0) {
			if (errno == ENOENT)
				continue;
			child_fail(errno, "stat %s", *p);
		}
		if (S_ISDIR(st.st_mode))
			do_mount("tmpfs", *p, "tmpfs", MS_RDONLY, NULL);
		else
			do_mount("/dev/null", *p, NULL, MS_BIND, NULL);
	}
	for (const char *const *p = readonly_paths; *p; p++) {
		if (mount(*p, *p, NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			child_fail(errno, "bind %s", *p);
		}
		do_mount(NULL, *p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	}
}

static int send_fd(int sock, int fd)
{
	char byte = 'T';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

int recv_fd(int sock)
{
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* opens a pty in the current mount namespace's /dev/ptmx, sends the master over sock, makes the
 * slave the controlling terminal and stdio of the calling process */
int pty_become_slave(int sock, char *err, size_t errlen)
{
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0) {
		fmtmsg(err, errlen, errno, "open /dev/ptmx");
		return -1;
	}
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0) {
		fmtmsg(err, errlen, errno, "unlock pty");
		return -1;
	}
	int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		fmtmsg(err, errlen, errno, "open pty slave");
		return -1;
	}
	if (send_fd(sock, master) < 0) {
		fmtmsg(err, errlen, errno, "send pty master");
		return -1;
	}
	close(master);
	if (setsid() < 0 && errno != EPERM) {
		fmtmsg(err, errlen, errno, "setsid");
		return -1;
	}
	if (ioctl(slave, TIOCSCTTY, 0) < 0) {
		fmtmsg(err, errlen, errno, "set controlling terminal");
		return -1;
	}
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0) {
			fmtmsg(err, errlen, errno, "dup2 pty");
			return -1;
		}
	if (slave > 2)
		close(slave);
	return 0;
}

struct child_fds {
	int in_cgroup; /* 1: clone3 created the process in its (only, cgroup v2) cgroup already */
	int ns_net, ns_ipc, ns_uts;
	int out_w, err_w, in_r;
	int pty_sock;
	sigset_t oldmask;
};

__attribute__((noreturn)) static void container_init(const struct run_opts *o, struct child_fds *f)
{
	char err[ERRLEN];
	trace("init");
	if (f->ns_net >= 0 && setns(f->ns_net, CLONE_NEWNET) < 0)
		child_fail(errno, "join network namespace %s", o->ns_net);
	if (f->ns_ipc >= 0 && setns(f->ns_ipc, CLONE_NEWIPC) < 0)
		child_fail(errno, "join ipc namespace %s", o->ns_ipc);
	if (f->ns_uts >= 0 && setns(f->ns_uts, CLONE_NEWUTS) < 0)
		child_fail(errno, "join uts namespace %s", o->ns_uts);
	for (size_t i = 0; !f->in_cgroup && o->cgroups[i]; i++)
		if (cgroup_join(o->cgroups[i], err, sizeof(err)) < 0)
			child_fail_msg(err);
	trace("init: namespaces joined");
	if (o->cgroups[0] && unshare(CLONE_NEWCGROUP) < 0)
		child_fail(errno, "unshare cgroup namespace");
	trace("init: cgroups joined");
	/* Guaranteed pods ask for a negative adjustment; where the host refuses any value below its own (some sandboxed
	 * kernels do even with CAP_SYS_RESOURCE), the container keeps the inherited one rather than failing to start. */
	if (o->oom_score_adj && write_file("/proc/self/oom_score_adj", o->oom_score_adj) < 0 &&
	    !(o->oom_score_adj[0] == '-' && (errno == EACCES || errno == EPERM)))
		child_fail(errno, "write oom_score_adj %s", o->oom_score_adj);
	do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	mount_overlay(o);
	trace("init: overlay mounted");
	char p[PATH_MAX];
	join_path(p, o->rootfs, "proc");
	ensure_dir(p);
	do_mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	setup_dev(o->rootfs);
	join_path(p, o->rootfs, "sys");
	ensure_dir(p);
	do_mount("sysfs", p, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | (o->privileged ? 0 : MS_RDONLY), NULL);
	user_mounts(o);
	if (chdir(o->rootfs) < 0)
		child_fail(errno, "chdir %s", o->rootfs);
	trace("init: mounts done");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		child_fail(errno, "pivot_root %s", o->rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		child_fail(errno, "detach the old root");
	if (chdir("/") < 0)
		child_fail(errno, "chdir /");
	if (!o->privileged)
		mask_paths();
	if (o->readonly)
		do_mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
	const char *cwd = o->cwd && *o->cwd ? o->cwd : "/";
	if (chdir(cwd) < 0) {
		if (errno != ENOENT || mkdir_p(cwd, 0755) < 0 || chdir(cwd) < 0)
			child_fail(errno, "chdir to the working directory %s", cwd);
	}
	if (o->tty) {
		if (pty_become_slave(f->pty_sock, err, sizeof(err)) < 0)
			child_fail_msg(err);
	} else {
		if (setsid() < 0)
			child_fail(errno, "setsid");
		if (dup2(f->in_r, 0) < 0 || dup2(f->out_w, 1) < 0 || dup2(f->err_w, 2) < 0)
			child_fail(errno, "dup2 stdio");
	}
	umask(022);
	signal(SIGPIPE, SIG_DFL);
	if (sigprocmask(SIG_SETMASK, &f->oldmask, NULL) < 0)
		child_fail(errno, "restore the signal mask");
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		child_fail(errno, "close_range");
	if (fcntl(sync_fd, F_SETFD, FD_CLOEXEC) < 0)
		child_fail(errno, "cloexec");
	trace("init: security");
	if (apply_security(&o->sec, err, sizeof(err)) < 0)
		child_fail_msg(err);
	trace("init: exec");
	int code;
	exec_path((char *const *)o->args, (char *const *)o->env, &code);
	child_fail(errno, "exec %s", o->args[0]);
}

/* ------------------------------------------------------------ monitor (conmon-like) */

#define LINE_MAX_BYTES 16384

struct stream {
	int fd;
	const char *name;
	char buf[LINE_MAX_BYTES];
	size_t len;
};

static int log_fd = -1;

static int open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

static void log_line(const char *stream, char tag, const char *data, size_t len)
{
	if (log_fd < 0)
		return;
	char ts[64];
	rfc3339nano(ts, sizeof(ts));
	size_t hl = strlen(ts) + strlen(stream) + 5;
	char *line = malloc(hl + len + 1);
	if (line == NULL)
		return;
	int n = snprintf(line, hl + 1, "%s %s %c ", ts, stream, tag);
	if (n < 0) {
		free(line);
		return;
	}
	memcpy(line + n, data, len);
	line[(size_t)n + len] = '\n';
	/* a failed log write must not stop the container: the line is lost, as with a full disk in conmon */
	(void)write_all(log_fd, line, (size_t)n + len + 1);
	free(line);
}

/* reads what is available; returns 0 on EOF/error (stream closed), 1 otherwise */
static int pump(struct stream *s)
{
	ssize_t n;
	do
		n = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 1;
	if (n <= 0) {
		if (s->len > 0)
			log_line(s->name, 'F', s->buf, s->len);
		s->len = 0;
		return 0;
	}
	s->len += (size_t)n;
	size_t start = 0;
	for (size_t i = 0; i < s->len; i++) {
		if (s->buf[i] != '\n')
			continue;
		size_t end = i;
		if (end > start && s->buf[end - 1] == '\r' && strcmp(s->name, "stdout") == 0)
			end--; /* tty output: \r\n */
		log_line(s->name, 'F', s->buf + start, end - start);
		start = i + 1;
	}
	memmove(s->buf, s->buf + start, s->len - start);
	s->len -= start;
	if (s->len == sizeof(s->buf)) {
		log_line(s->name, 'P', s->buf, s->len);
		s->len = 0;
	}
	return 1;
}

static void write_exit(const char *state_dir, int status, const char *started)
{
	char fin[64], json[256];
	rfc3339nano(fin, sizeof(fin));
	int code = 0, sig = 0;
	if (WIFEXITED(status)) {
		code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		sig = WTERMSIG(status);
		code = 128 + sig;
	}
	int n = snprintf(json, sizeof(json), "{\"exitCode\":%d,\"signal\":%d,\"startedAt\":\"%s\",\"finishedAt\":\"%s\"}\n",
			 code, sig, started, fin);
	if (n > 0)
		(void)write_file_atomic(state_dir, "exit", json, (size_t)n);
}

__attribute__((noreturn)) static void monitor(const struct run_opts *o, int rfd)
{
	char err[ERRLEN];
	struct child_fds f = {.in_cgroup = 0, .ns_net = -1, .ns_ipc = -1, .ns_uts = -1, .out_w = -1, .err_w = -1, .in_r = -1, .pty_sock = -1};
	int out[2] = {-1, -1}, errp[2] = {-1, -1}, in[2] = {-1, -1}, sp[2] = {-1, -1}, sync[2] = {-1, -1};
	int fifo = -1;
	char num[32];
	trace("monitor");
	if (setsid() < 0 || null_stdio() < 0) {
		fmtmsg(err, sizeof(err), errno, "run: detach the monitor");
		goto fail;
	}
	if (prctl(PR_SET_NAME, "keelson-monitor", 0, 0, 0) < 0) {
		/* cosmetic */
	}
	snprintf(num, sizeof(num), "%d", (int)getpid());
	if (write_file_atomic(o->state_dir, "monitor.pid", num, strlen(num)) < 0) {
		fmtmsg(err, sizeof(err), errno, "run: write %s/monitor.pid", o->state_dir);
		goto fail;
	}
	if (o->log_path) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", o->log_path);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (mkdir_p(dir, 0755) < 0) {
				fmtmsg(err, sizeof(err), errno, "run: create log directory %s", dir);
				goto fail;
			}
		}
		log_fd = open_log(o->log_path);
		if (log_fd < 0) {
			fmtmsg(err, sizeof(err), errno, "run: open log %s", o->log_path);
			goto fail;
		}
	}
	if (o->tty) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
			fmtmsg(err, sizeof(err), errno, "run: socketpair");
			goto fail;
		}
		f.pty_sock = sp[1];
	} else {
		if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
			fmtmsg(err, sizeof(err), errno, "run: pipe");
			goto fail;
		}
		f.out_w = out[1];
		f.err_w = errp[1];
	}
	if (o->stdin_fifo) {
		char fp[PATH_MAX];
		snprintf(fp, sizeof(fp), "%s/stdin", o->state_dir);
		if (mkfifo(fp, 0600) < 0 && errno != EEXIST) {
			fmtmsg(err, sizeof(err), errno, "run: mkfifo %s", fp);
			goto fail;
		}
		fifo = open(fp, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fifo < 0) {
			fmtmsg(err, sizeof(err), errno, "run: open %s", fp);
			goto fail;
		}
	}
	if (!o->tty) {
		if (o->stdin_fifo) {
			if (pipe2(in, O_CLOEXEC) < 0 || fcntl(in[1], F_SETFL, O_NONBLOCK) < 0) {
				fmtmsg(err, sizeof(err), errno, "run: stdin pipe");
				goto fail;
			}
			f.in_r = in[0];
		} else {
			f.in_r = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (f.in_r < 0) {
				fmtmsg(err, sizeof(err), errno, "run: open /dev/null");
				goto fail;
			}
		}
	}
	if ((o->ns_net && (f.ns_net = open_ns(o->ns_net, err)) < 0) ||
	    (o->ns_ipc && (f.ns_ipc = open_ns(o->ns_ipc, err)) < 0) ||
	    (o->ns_uts && (f.ns_uts = open_ns(o->ns_uts, err)) < 0))
		goto fail;
	if (o->ns_pid) {
		int pfd = open_ns(o->ns_pid, err);
		if (pfd < 0)
			goto fail;
		if (setns(pfd, CLONE_NEWPID) < 0) {
			fmtmsg(err, sizeof(err), errno, "run: join pid namespace %s", o->ns_pid);
			close(pfd);
			goto fail;
		}
		close(pfd);
	}
	if (pipe2(sync, O_CLOEXEC) < 0) {
		fmtmsg(err, sizeof(err), errno, "run: pipe");
		goto fail;
	}
	sigset_t set;
	if (block_signals(&set, &f.oldmask) < 0) {
		fmtmsg(err, sizeof(err), errno, "run: block signals");
		goto fail;
	}
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		fmtmsg(err, sizeof(err), errno, "run: signalfd");
		goto fail;
	}
	unsigned long flags = CLONE_NEWNS;
	if (!o->ns_pid)
		flags |= CLONE_NEWPID;
	if (!o->ns_net)
		flags |= CLONE_NEWNET;
	if (!o->ns_ipc)
		flags |= CLONE_NEWIPC;
	if (!o->ns_uts)
		flags |= CLONE_NEWUTS;
	char started[64];
	rfc3339nano(started, sizeof(started));
	trace("clone");
	pid_t pid = fork_into(single_cgroup2(o->cgroups), flags, &f.in_cgroup);
	if (pid < 0) {
		fmtmsg(err, sizeof(err), errno, "run: clone the container process");
		goto fail;
	}
	if (pid == 0) {
		close(sync[0]);
		sync_fd = sync[1];
		close(rfd);
		container_init(o, &f);
	}
	close(sync[1]);
	if (f.out_w >= 0)
		close(f.out_w);
	if (f.err_w >= 0)
		close(f.err_w);
	if (f.in_r >= 0)
		close(f.in_r);
	if (sp[1] >= 0)
		close(sp[1]);
	ssize_t n = read_all(sync[0], err, sizeof(err) - 1);
	close(sync[0]);
	trace("container exec'd");
	if (n != 0) {
		if (n < 0)
			fmtmsg(err, sizeof(err), errno, "run: read from the container process");
		else
			err[n] = '\0';
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		goto fail;
	}
	int master = -1;
	if (o->tty) {
		master = recv_fd(sp[0]);
		close(sp[0]);
		if (master < 0) {
			fmtmsg(err, sizeof(err), errno, "run: receive the pty master");
			kill(pid, SIGKILL);
			goto fail;
		}
	}
	rfc3339nano(started, sizeof(started));
	snprintf(num, sizeof(num), "%d", (int)pid);
	if (write_file_atomic(o->state_dir, "pid", num, strlen(num)) < 0 ||
	    write_file_atomic(o->state_dir, "started", started, strlen(started)) < 0) {
		fmtmsg(err, sizeof(err), errno, "run: write state files in %s", o->state_dir);
		kill(pid, SIGKILL);
		goto fail;
	}
	report(rfd, "OK", num);
	close(rfd);

	struct stream so = {.fd = o->tty ? master : out[0], .name = "stdout"};
	struct stream se = {.fd = o->tty ? -1 : errp[0], .name = "stderr"};
	char inbuf[4096];
	size_t inlen = 0;
	int in_w = o->tty ? master : in[1];
	int status = 0, exited = 0;
	struct timespec deadline = {0};
	if (so.fd >= 0)
		fcntl(so.fd, F_SETFL, O_NONBLOCK);
	if (se.fd >= 0)
		fcntl(se.fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd pfd[5];
		int np = 0;
		pfd[np++] = (struct pollfd){.fd = sfd, .events = POLLIN};
		int iso = -1, ise = -1, ifi = -1, iin = -1;
		if (so.fd >= 0) {
			iso = np;
			pfd[np++] = (struct pollfd){.fd = so.fd, .events = POLLIN};
		}
		if (se.fd >= 0) {
			ise = np;
			pfd[np++] = (struct pollfd){.fd = se.fd, .events = POLLIN};
		}
		if (fifo >= 0 && inlen == 0 && !exited) {
			ifi = np;
			pfd[np++] = (struct pollfd){.fd = fifo, .events = POLLIN};
		}
		if (inlen > 0 && in_w >= 0 && !exited) {
			iin = np;
			pfd[np++] = (struct pollfd){.fd = in_w, .events = POLLOUT};
		}
		if (exited && so.fd < 0 && se.fd < 0)
			break;
		int timeout = -1;
		if (exited) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			long ms = (deadline.tv_sec - now.tv_sec) * 1000 + (deadline.tv_nsec - now.tv_nsec) / 1000000;
			if (ms <= 0)
				break;
			timeout = (int)ms;
		}
		int r = poll(pfd, (nfds_t)np, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r == 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGCHLD) {
					int st;
					pid_t w;
					while ((w = waitpid(-1, &st, WNOHANG)) > 0)
						if (w == pid && !exited) {
							exited = 1;
							status = st;
							clock_gettime(CLOCK_MONOTONIC, &deadline);
							deadline.tv_sec += 2; /* drain output still buffered in the pipes */
						}
				} else if (si.ssi_signo == SIGUSR1) {
					int nfd = o->log_path ? open_log(o->log_path) : -1;
					if (nfd >= 0) {
						if (log_fd >= 0)
							close(log_fd);
						log_fd = nfd;
					}
				} else if (!exited) {
					kill(pid, (int)si.ssi_signo);
				}
			}
		}
		if (iso >= 0 && (pfd[iso].revents & (POLLIN | POLLHUP | POLLERR)) && !pump(&so)) {
			if (!o->tty)
				close(so.fd);
			so.fd = -1;
		}
		if (ise >= 0 && (pfd[ise].revents & (POLLIN | POLLHUP | POLLERR)) && !pump(&se)) {
			close(se.fd);
			se.fd = -1;
		}
		if (ifi >= 0 && (pfd[ifi].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t m = read(fifo, inbuf, sizeof(inbuf));
			if (m > 0) {
				inlen = (size_t)m;
			} else if (m == 0 || (errno != EAGAIN && errno != EINTR)) {
				/* the writer closed the fifo: end of input for the container (StdinOnce) */
				close(fifo);
				fifo = -1;
				if (!o->tty && in_w >= 0) {
					close(in_w);
					in_w = -1;
				} else if (o->tty) {
					char eot = 4;
					(void)write_all(master, &eot, 1);
				}
			}
		}
		if (iin >= 0 && (pfd[iin].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t m = write(in_w, inbuf, inlen);
			if (m > 0) {
				memmove(inbuf, inbuf + m, inlen - (size_t)m);
				inlen -= (size_t)m;
			} else if (m < 0 && errno != EAGAIN && errno != EINTR) {
				inlen = 0;
			}
		}
	}
	if (so.len > 0)
		log_line(so.name, 'F', so.buf, so.len);
	if (se.len > 0)
		log_line(se.name, 'F', se.buf, se.len);
	/* the container's mount namespace dies with it; this also covers a rootfs visible here */
	if (umount2(o->rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		/* nothing mounted here: expected */
	}
	write_exit(o->state_dir, status, started);
	_exit(0);
fail:
	report(rfd, "ERR", err);
	_exit(1);
}

static int do_run(const struct config *cfg)
{
	struct run_opts o;
	if (parse_run(cfg, &o) < 0) {
		free_run(&o);
		return 1;
	}
	int rp[2];
	if (pipe2(rp, O_CLOEXEC) < 0) {
		errmsg(errno, "pipe");
		free_run(&o);
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		errmsg(errno, "fork");
		free_run(&o);
		return 1;
	}
	if (pid == 0) {
		close(rp[0]);
		if (setsid() < 0) {
			char err[ERRLEN];
			fmtmsg(err, sizeof(err), errno, "run: setsid");
			report(rp[1], "ERR", err);
			_exit(1);
		}
		pid_t m = fork();
		if (m < 0) {
			char err[ERRLEN];
			fmtmsg(err, sizeof(err), errno, "run: fork the monitor");
			report(rp[1], "ERR", err);
			_exit(1);
		}
		if (m == 0)
			monitor(&o, rp[1]);
		_exit(0);
	}
	close(rp[1]);
	int rc = await_report(pid, rp[0]);
	trace("run: reported");
	free_run(&o);
	return rc;
}

/* ======================================================================== main */

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 2;
	}
	/* nothing inherited from the caller may reach a container: mark every fd above 2 close-on-exec
	 * (exec's fd 3 is the resize channel, read by this process only) */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		errmsg(errno, "close_range");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	trace_open();
	trace(argv[1]);
	if (strcmp(argv[1], "exec") == 0)
		return exec_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "serve") == 0 && argc == 2)
		return serve_main();
	return helper_mode(argc - 1, argv + 1);
}

/* `sandbox --config FILE` or `run --config FILE` (argv[0] is the mode); also called by serve's children */
int helper_mode(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[0], "sandbox") != 0 && strcmp(argv[0], "run") != 0) || strcmp(argv[1], "--config") != 0) {
		usage();
		return 2;
	}
	struct config cfg;
	if (config_load(&cfg, argv[2]) < 0)
		return 1;
	int rc = strcmp(argv[0], "sandbox") == 0 ? do_sandbox(&cfg) : do_run(&cfg);
	config_free(&cfg);
	return rc;
}
