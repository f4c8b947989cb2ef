/* keelson-helper serve: a small fork server, so the shim never forks its own (large) process to start a command.
 *
 * Node's child_process.spawn blocks its event loop until the child has exec'd, and forking a process the size of
 * the shim costs more than the work of most commands it runs (ip, iptables, keelson-helper run). This process is
 * tiny: it forks in a fraction of that, and `run`/`sandbox` requests run in the forked child directly, without an
 * exec at all.
 *
 * Requests, one per line on stdin:  ID STDIN ARG0 [ARG...]   (STDIN and each ARG hex-encoded, "-" when empty;
 *                                                               empty STDIN = /dev/null)
 *                                   K ID                       (SIGKILL the command of request ID, if still running)
 * Responses, one per line on stdout: ID STATUS STDOUT STDERR  (STATUS: exit code, 128+N when killed by signal N;
 *                                                               STDOUT/STDERR hex-encoded, "-" when empty)
 * ARG0 "run" or "sandbox" runs that mode of this program (ARG1.. as on its command line); anything else is
 * executed through PATH (127 and a message on stderr when it cannot be). The server exits when stdin closes. */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int helper_mode(int argc, char **argv); /* helper.c: the sandbox and run modes */

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

struct job {
	long id;
	pid_t pid;
	int fd[2]; /* the command's stdout and stderr, -1 once at EOF */
	struct buf out[2];
};

static struct job *jobs;
static size_t njobs, capjobs;

static int unhex(const char *s, size_t n, struct buf *out)
{
	if (n % 2)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		char pair[3] = {s[i], s[i + 1], 0}, *end;
		long v = strtol(pair, &end, 16);
		if (*end)
			return -1;
		char c = (char)v;
		if (buf_add(out, &c, 1) < 0)
			return -1;
	}
	return 0;
}

static int hex_into(struct buf *line, const struct buf *data)
{
	static const char digits[] = "0123456789abcdef";
	if (data->len == 0)
		return buf_add(line, "-", 1);
	for (size_t i = 0; i < data->len; i++) {
		unsigned char c = (unsigned char)data->p[i];
		char pair[2] = {digits[c >> 4], digits[c & 15]};
		if (buf_add(line, pair, 2) < 0)
			return -1;
	}
	return 0;
}

static void respond(long id, int status, const struct buf *out, const struct buf *err)
{
	struct buf line = {0};
	char head[64];
	int n = snprintf(head, sizeof(head), "%ld %d ", id, status);
	if (buf_add(&line, head, (size_t)n) < 0 || hex_into(&line, out) < 0 || buf_add(&line, " ", 1) < 0 ||
	    hex_into(&line, err) < 0 || buf_add(&line, "\n", 1) < 0 || write_all(1, line.p, line.len) < 0)
		_exit(1); /* out of memory, or nobody reads our answers any more */
	free(line.p);
}

/* the forked child: stdio from the request, nothing else inherited, then the mode or the command */
__attribute__((noreturn)) static void child(int in, int out, int err, char **argv)
{
	if ((in >= 0 ? dup2(in, 0) : open("/dev/null", O_RDONLY)) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	syscall(SYS_close_range, 3U, ~0U, 0U);
	trace_open(); /* its descriptor went with the rest */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (strcmp(argv[0], "run") == 0 || strcmp(argv[0], "sandbox") == 0) {
		int argc = 0;
		while (argv[argc])
			argc++;
		/* the modes report through stdio: flush before the process ends */
		signal(SIGPIPE, SIG_IGN);
		exit(helper_mode(argc, argv));
	}
	execvp(argv[0], argv);
	errmsg(errno, "exec %s", argv[0]);
	_exit(127);
}

static void start(char *line)
{
	char *save = NULL;
	char *tok = strtok_r(line, " ", &save);
	char *idtok = tok, *end;
	long id = idtok ? strtol(idtok, &end, 10) : 0;
	if (!idtok || *end) {
		errmsg(0, "serve: malformed request");
		return;
	}
	char *stdin_hex = strtok_r(NULL, " ", &save);
	struct buf args = {0}, input = {0};
	size_t nargs = 0;
	size_t offsets[256];
	for (tok = strtok_r(NULL, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (nargs + 1 >= sizeof(offsets) / sizeof(offsets[0])) {
			nargs = 0;
			break;
		}
		offsets[nargs++] = args.len;
		if ((strcmp(tok, "-") != 0 && unhex(tok, strlen(tok), &args) < 0) || buf_add(&args, "", 1) < 0) {
			nargs = 0;
			break;
		}
	}
	struct buf none = {0}, msg = {0};
	if (!stdin_hex || nargs == 0 || (strcmp(stdin_hex, "-") != 0 && unhex(stdin_hex, strlen(stdin_hex), &input) < 0)) {
		const char *m = "keelson-helper: serve: malformed request\n";
		buf_add(&msg, m, strlen(m));
		respond(id, 2, &none, &msg);
		free(msg.p);
		free(args.p);
		free(input.p);
		return;
	}
	char *argv[257];
	for (size_t i = 0; i < nargs; i++)
		argv[i] = args.p + offsets[i];
	argv[nargs] = NULL;

	int out[2] = {-1, -1}, err[2] = {-1, -1}, in = -1;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		goto fail;
	if (input.len > 0) {
		/* a memfd holds any amount of input without a writer blocking on the command */
		in = (int)syscall(SYS_memfd_create, "stdin", MFD_CLOEXEC);
		if (in < 0 || write_all(in, input.p, input.len) < 0 || lseek(in, 0, SEEK_SET) < 0)
			goto fail;
	}
	if (njobs == capjobs) {
		size_t cap = capjobs ? capjobs * 2 : 16;
		struct job *j = realloc(jobs, cap * sizeof(*j));
		if (!j)
			goto fail;
		jobs = j;
		capjobs = cap;
	}
	pid_t pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0)
		child(in, out[1], err[1], argv);
	close(out[1]);
	close(err[1]);
	if (in >= 0)
		close(in);
	jobs[njobs++] = (struct job){.id = id, .pid = pid, .fd = {out[0], err[0]}};
	free(args.p);
	free(input.p);
	return;
fail:;
	char text[512];
	fmtmsg(text, sizeof(text), errno, "serve: start %s", argv[0]);
	buf_add(&msg, text, strlen(text));
	buf_add(&msg, "\n", 1);
	respond(id, 127, &none, &msg);
	free(msg.p);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	if (in >= 0)
		close(in);
	free(args.p);
	free(input.p);
}

static void finish(size_t i)
{
	struct job *j = &jobs[i];
	int st = 0;
	while (waitpid(j->pid, &st, 0) < 0 && errno == EINTR)
		;
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
	respond(j->id, status, &j->out[0], &j->out[1]);
	free(j->out[0].p);
	free(j->out[1].p);
	jobs[i] = jobs[--njobs];
}

static void request(char *line)
{
	if (line[0] == 'K' && line[1] == ' ') {
		long id = strtol(line + 2, NULL, 10);
		for (size_t i = 0; i < njobs; i++)
			if (jobs[i].id == id)
				kill(jobs[i].pid, SIGKILL);
		return;
	}
	start(line);
}

int serve_main(void)
{
	struct buf in = {0};
	int stdin_open = 1;
	struct pollfd *pfd = NULL;
	size_t cap = 0;
	while (stdin_open || njobs > 0) {
		size_t want = 1 + 2 * njobs;
		if (want > cap) {
			struct pollfd *p = realloc(pfd, want * sizeof(*p));
			if (!p) {
				errmsg(ENOMEM, "serve");
				return 1;
			}
			pfd = p;
			cap = want;
		}
		pfd[0] = (struct pollfd){.fd = stdin_open ? 0 : -1, .events = POLLIN};
		for (size_t i = 0; i < njobs; i++)
			for (int k = 0; k < 2; k++)
				pfd[1 + 2 * i + (size_t)k] = (struct pollfd){.fd = jobs[i].fd[k], .events = POLLIN};
		if (poll(pfd, want, -1) < 0) {
			if (errno == EINTR)
				continue;
			errmsg(errno, "serve: poll");
			return 1;
		}
		/* command output first (the job table is stable while it is read), then finished jobs, then new requests */
		for (size_t i = 0; i < njobs; i++)
			for (int k = 0; k < 2; k++) {
				struct pollfd *p = &pfd[1 + 2 * i + (size_t)k];
				if (p->fd < 0 || !(p->revents & (POLLIN | POLLHUP | POLLERR)))
					continue;
				char chunk[65536];
				ssize_t n = read(p->fd, chunk, sizeof(chunk));
				if (n > 0 && buf_add(&jobs[i].out[k], chunk, (size_t)n) == 0)
					continue;
				if (n < 0 && (errno == EINTR || errno == EAGAIN))
					continue;
				close(jobs[i].fd[k]);
				jobs[i].fd[k] = -1;
			}
		for (size_t i = njobs; i-- > 0;)
			if (jobs[i].fd[0] < 0 && jobs[i].fd[1] < 0)
				finish(i);
		if (stdin_open && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			char chunk[65536];
			ssize_t n = read(0, chunk, sizeof(chunk));
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				stdin_open = 0;
				continue;
			}
			if (buf_add(&in, chunk, (size_t)n) < 0) {
				errmsg(ENOMEM, "serve");
				return 1;
			}
			char *nl;
			size_t used = 0;
			while ((nl = memchr(in.p + used, '\n', in.len - used)) != NULL) {
				*nl = '\0';
				request(in.p + used);
				used = (size_t)(nl - in.p) + 1;
			}
			memmove(in.p, in.p + used, in.len - used);
			in.len -= used;
		}
	}
	return 0;
}
