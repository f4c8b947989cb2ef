/* keelson-helper exec: runs a command inside a running container (its namespaces, cgroups, security). */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define ERRLEN 1024
#define MAX_CGROUPS 32

struct exec_opts {
	pid_t target;
	int tty;
	const char *cwd;
	const char **env;
	size_t nenv;
	long long uid, gid; /* -1 = the target's */
	char **cmd;
};

static const char *const ns_names[] = {"cgroup", "ipc", "uts", "net", "mnt"};
static const int ns_types[] = {CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWNS};
#define NNS 5

static int parse_args(int argc, char **argv, struct exec_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->uid = o->gid = -1;
	o->env = calloc((size_t)argc + 4, sizeof(char *));
	if (o->env == NULL)
		return -1;
	int i = 1;
	long long v;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--tty") == 0) {
			o->tty = 1;
		} else if (strcmp(a, "--target") == 0 && val && parse_int(val, 1, INT32_MAX, &v) == 0) {
			o->target = (pid_t)v;
			i++;
		} else if (strcmp(a, "--cwd") == 0 && val) {
			o->cwd = val;
			i++;
		} else if (strcmp(a, "--env") == 0 && val && strchr(val, '=')) {
			o->env[o->nenv++] = val;
			i++;
		} else if (strcmp(a, "--uid") == 0 && val && parse_int(val, 0, 0xfffffffe, &v) == 0) {
			o->uid = v;
			i++;
		} else if (strcmp(a, "--gid") == 0 && val && parse_int(val, 0, 0xfffffffe, &v) == 0) {
			o->gid = v;
			i++;
		} else {
			errmsg(0, "exec: bad argument %s", a);
			return -1;
		}
	}
	if (o->target <= 0 || i >= argc) {
		errmsg(0, "usage: keelson-helper exec --target PID [--tty] [--cwd DIR] [--env K=V]... [--uid N --gid N] -- CMD ARGS...");
		return -1;
	}
	o->cmd = argv + i;
	int has_path = 0, has_term = 0;
	for (size_t k = 0; k < o->nenv; k++) {
		has_path |= strncmp(o->env[k], "PATH=", 5) == 0;
		has_term |= strncmp(o->env[k], "TERM=", 5) == 0;
	}
	if (!has_path)
		o->env[o->nenv++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	if (o->tty && !has_term)
		o->env[o->nenv++] = "TERM=xterm";
	return 0;
}

/* the target's security settings: bounding set, no_new_privs, seccomp mode, ids, groups */
static int read_target_status(pid_t pid, struct security *sec)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		errmsg(errno, "exec: target %d", (int)pid);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	int seen = 0;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long x;
		unsigned a, b;
		if (sscanf(line, "CapBnd: %llx", &x) == 1) {
			sec->caps = x;
			seen |= 1;
		} else if (sscanf(line, "NoNewPrivs: %u", &a) == 1) {
			sec->no_new_privs = a != 0;
		} else if (sscanf(line, "Seccomp: %u", &a) == 1) {
			sec->seccomp = a == 2;
		} else if (sscanf(line, "Uid: %u", &a) == 1) {
			sec->uid = a;
			seen |= 2;
		} else if (sscanf(line, "Gid: %u", &b) == 1) {
			sec->gid = b;
			seen |= 4;
		} else if (strncmp(line, "Groups:", 7) == 0) {
			size_t n = 0;
			for (char *s = line + 7; *s; s++)
				if (*s >= '0' && *s <= '9' && (s[-1] == ' ' || s[-1] == '\t' || s[-1] == ':'))
					n++;
			sec->groups = calloc(n + 1, sizeof(gid_t));
			if (sec->groups == NULL)
				break;
			char *save = NULL;
			for (char *t = strtok_r(line + 7, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save))
				sec->groups[sec->ngroups++] = (gid_t)strtoul(t, NULL, 10);
		}
	}
	free(line);
	fclose(f);
	if (seen != 7 || sec->groups == NULL) {
		errmsg(0, "exec: cannot read the security settings of target %d", (int)pid);
		return -1;
	}
	return 0;
}

/* maps the target's /proc/PID/cgroup entries to directories under this host's cgroup mounts */
static int target_cgroups(pid_t pid, char dirs[][PATH_MAX], size_t *n)
{
	*n = 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	FILE *cg = fopen(path, "re");
	if (cg == NULL) {
		errmsg(errno, "exec: read %s", path);
		return -1;
	}
	char *line = NULL, *mline = NULL;
	size_t cap = 0, mcap = 0;
	while (getline(&line, &cap, cg) > 0 && *n < MAX_CGROUPS) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = '\0';
		*c2 = '\0';
		char *ctrls = c1 + 1, *cpath = c2 + 1;
		int v2 = *ctrls == '\0';
		char first[64];
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(ctrls, ","), ctrls);
		FILE *mi = fopen("/proc/self/mountinfo", "re");
		if (mi == NULL) {
			errmsg(errno, "exec: read mountinfo");
			free(line);
			fclose(cg);
			return -1;
		}
		while (getline(&mline, &mcap, mi) > 0) {
			/* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
			char root[PATH_MAX], mnt[PATH_MAX];
			if (sscanf(mline, "%*d %*d %*s %4095s %4095s", root, mnt) != 2)
				continue;
			char *dash = strstr(mline, " - ");
			if (dash == NULL)
				continue;
			char fstype[32], src[256], super[1024];
			if (sscanf(dash + 3, "%31s %255s %1023s", fstype, src, super) != 3)
				continue;
			int match = 0;
			if (v2) {
				match = strcmp(fstype, "cgroup2") == 0;
			} else if (strcmp(fstype, "cgroup") == 0) {
				char *save = NULL;
				for (char *t = strtok_r(super, ",", &save); t; t = strtok_r(NULL, ",", &save))
					if (strcmp(t, first) == 0)
						match = 1;
			}
			if (!match)
				continue;
			const char *rel = cpath;
			size_t rl = strlen(root);
			if (strcmp(root, "/") != 0) {
				if (strncmp(cpath, root, rl) != 0)
					continue;
				rel = cpath + rl;
			}
			if (snprintf(dirs[*n], PATH_MAX, "%s%s", mnt, rel) < PATH_MAX)
				(*n)++;
			break;
		}
		fclose(mi);
	}
	free(line);
	free(mline);
	fclose(cg);
	return 0;
}

static void set_raw(int fd, struct termios *saved, int *restored)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return;
	*saved = t;
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) == 0)
		*restored = 1;
}

static void apply_winsize_line(int master, char *buf, size_t *len)
{
	char *nl;
	while ((nl = memchr(buf, '\n', *len)) != NULL) {
		*nl = '\0';
		unsigned cols, rows;
		if (sscanf(buf, "%u %u", &cols, &rows) == 2) {
			struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
			(void)ioctl(master, TIOCSWINSZ, &ws);
		}
		size_t used = (size_t)(nl - buf) + 1;
		memmove(buf, nl + 1, *len - used);
		*len -= used;
	}
	if (*len == 128) /* garbage without newline: drop it */
		*len = 0;
}

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

int exec_main(int argc, char **argv)
{
	struct exec_opts o;
	struct security sec = {0};
	if (parse_args(argc, argv, &o) < 0)
		return 125;
	if (read_target_status(o.target, &sec) < 0)
		return 125;
	if (o.uid >= 0)
		sec.uid = (uid_t)o.uid;
	if (o.gid >= 0) {
		sec.gid = (gid_t)o.gid;
		if (o.uid >= 0)
			sec.ngroups = 0; /* explicit ids: no supplementary groups from the target */
	}
	static char cgdirs[MAX_CGROUPS][PATH_MAX];
	size_t ncg;
	if (target_cgroups(o.target, cgdirs, &ncg) < 0)
		return 125;
	int nsfd[NNS];
	char path[PATH_MAX];
	for (int i = 0; i < NNS; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)o.target, ns_names[i]);
		nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd[i] < 0) {
			errmsg(errno, "exec: open %s", path);
			return 125;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)o.target);
	int pidns = open(path, O_RDONLY | O_CLOEXEC);
	if (pidns < 0 || setns(pidns, CLONE_NEWPID) < 0) {
		errmsg(errno, "exec: join the pid namespace of %d", (int)o.target);
		return 125;
	}
	close(pidns);
	int sync[2], sp[2] = {-1, -1};
	if (pipe2(sync, O_CLOEXEC) < 0 || (o.tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)) {
		errmsg(errno, "exec: pipe");
		return 125;
	}
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0) {
		errmsg(errno, "exec: block signals");
		return 125;
	}
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		errmsg(errno, "exec: signalfd");
		return 125;
	}
	pid_t child = fork();
	if (child < 0) {
		errmsg(errno, "exec: fork");
		return 125;
	}
	if (child == 0) {
		char err[ERRLEN];
		int code = 125;
		close(sync[0]);
		if (sp[0] >= 0)
			close(sp[0]);
		for (size_t i = 0; i < ncg; i++)
			if (cgroup_join(cgdirs[i], err, sizeof(err)) < 0)
				goto fail;
		for (int i = 0; i < NNS; i++) {
			if (setns(nsfd[i], ns_types[i]) < 0) {
				fmtmsg(err, sizeof(err), errno, "exec: join the %s namespace of %d", ns_names[i], (int)o.target);
				goto fail;
			}
			close(nsfd[i]);
		}
		const char *cwd = o.cwd && *o.cwd ? o.cwd : "/";
		if (chdir(cwd) < 0) {
			fmtmsg(err, sizeof(err), errno, "exec: chdir %s", cwd);
			goto fail;
		}
		if (o.tty) {
			if (pty_become_slave(sp[1], err, sizeof(err)) < 0)
				goto fail;
		} else if (setsid() < 0) {
			fmtmsg(err, sizeof(err), errno, "exec: setsid");
			goto fail;
		}
		umask(022);
		signal(SIGPIPE, SIG_DFL);
		if (sigprocmask(SIG_SETMASK, &old, NULL) < 0 ||
		    syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
			fmtmsg(err, sizeof(err), errno, "exec: prepare");
			goto fail;
		}
		if (apply_security(&sec, err, sizeof(err)) < 0)
			goto fail;
		exec_path(o.cmd, (char *const *)o.env, &code);
		fmtmsg(err, sizeof(err), errno, "exec: %s", o.cmd[0]);
	fail:;
		char line[ERRLEN + 8];
		int n = snprintf(line, sizeof(line), "%d %s", code, err);
		(void)write_all(sync[1], line, n > 0 ? (size_t)n : 0);
		_exit(code);
	}
	close(sync[1]);
	for (int i = 0; i < NNS; i++)
		close(nsfd[i]);
	if (sp[1] >= 0)
		close(sp[1]);
	char msg[ERRLEN + 8];
	ssize_t n = read_all(sync[0], msg, sizeof(msg) - 1);
	close(sync[0]);
	int st = 0;
	if (n > 0) {
		msg[n] = '\0';
		char *sp1 = strchr(msg, ' ');
		fprintf(stderr, "%s\n", sp1 ? sp1 + 1 : msg);
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
		return status_code(st);
	}
	int master = -1;
	struct termios saved;
	int raw = 0;
	if (o.tty) {
		master = recv_fd(sp[0]);
		close(sp[0]);
		if (master < 0) {
			errmsg(errno, "exec: receive the pty master");
			kill(child, SIGKILL);
			while (waitpid(child, &st, 0) < 0 && errno == EINTR)
				;
			return 125;
		}
		if (isatty(STDIN_FILENO)) {
			struct winsize ws;
			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				(void)ioctl(master, TIOCSWINSZ, &ws);
			set_raw(STDIN_FILENO, &saved, &raw);
		}
		fcntl(master, F_SETFL, O_NONBLOCK);
	}
	int resize = o.tty && fcntl(3, F_GETFD) >= 0 ? 3 : -1;
	int in = o.tty ? STDIN_FILENO : -1;
	char rbuf[128];
	size_t rlen = 0;
	int exited = 0;
	for (;;) {
		struct pollfd p[4];
		int np = 0, im = -1, ii = -1, ir = -1;
		p[np++] = (struct pollfd){.fd = sfd, .events = POLLIN};
		if (master >= 0) {
			im = np;
			p[np++] = (struct pollfd){.fd = master, .events = POLLIN};
		}
		if (in >= 0 && !exited) {
			ii = np;
			p[np++] = (struct pollfd){.fd = in, .events = POLLIN};
		}
		if (resize >= 0 && !exited) {
			ir = np;
			p[np++] = (struct pollfd){.fd = resize, .events = POLLIN};
		}
		if (exited && master < 0)
			break;
		int r = poll(p, (nfds_t)np, exited ? 200 : -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r == 0 && exited)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGCHLD) {
					pid_t w;
					int s;
					while ((w = waitpid(-1, &s, WNOHANG)) > 0)
						if (w == child) {
							exited = 1;
							st = s;
						}
				} else if (!exited) {
					kill(child, (int)si.ssi_signo);
				}
			}
		}
		if (ir >= 0 && (p[ir].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t m = read(resize, rbuf + rlen, sizeof(rbuf) - rlen);
			if (m > 0) {
				rlen += (size_t)m;
				apply_winsize_line(master, rbuf, &rlen);
			} else if (m == 0 || (errno != EINTR && errno != EAGAIN)) {
				resize = -1;
			}
		}
		if (ii >= 0 && (p[ii].revents & (POLLIN | POLLHUP | POLLERR))) {
			char b[4096];
			ssize_t m = read(in, b, sizeof(b));
			if (m > 0) {
				/* a full pty buffer blocks here briefly; the child drains it */
				int fl = fcntl(master, F_GETFL);
				fcntl(master, F_SETFL, fl & ~O_NONBLOCK);
				(void)write_all(master, b, (size_t)m);
				fcntl(master, F_SETFL, fl);
			} else if (m == 0 || (errno != EINTR && errno != EAGAIN)) {
				in = -1;
			}
		}
		if (im >= 0 && (p[im].revents & (POLLIN | POLLHUP | POLLERR))) {
			char b[4096];
			ssize_t m = read(master, b, sizeof(b));
			if (m > 0) {
				(void)write_all(STDOUT_FILENO, b, (size_t)m);
			} else if (m == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(master); /* EIO: every slave fd is closed */
				master = -1;
			}
		}
	}
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (!exited)
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
	return status_code(st);
}
