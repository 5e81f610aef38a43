/* test_ssh.c - the ssh:// transport (src/docker/ssh.c): endpoint parsing
 * (user, host, port, IPv6, bad forms naming the value), the ssh command line,
 * and the transport itself against fake `ssh` scripts in a scratch PATH: one
 * that answers HTTP (and records its argv and descriptors), one that fails
 * with hostile text on stderr, one that hangs, none at all. After each: no
 * child left, no descriptor left.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../src/docker/internal.h"

/* ---- parsing ------------------------------------------------------------- */

typedef struct ok_case {
    const char *in, *user, *host;
    int port;
    const char *display;
} ok_case;

static void test_parse(void **state)
{
    static const ok_case ok[] = {
        {"ssh://host", "", "host", 0, "ssh://host"},
        {"ssh://user@host", "user", "host", 0, "ssh://user@host"},
        {"ssh://user@host:2222", "user", "host", 2222, "ssh://user@host:2222"},
        {"ssh://host:22", "", "host", 22, "ssh://host:22"},
        {"ssh://deploy.user@engine-1.example.com/", "deploy.user", "engine-1.example.com", 0,
         "ssh://deploy.user@engine-1.example.com"},
        {" ssh://u@10.0.0.7:65535\n", "u", "10.0.0.7", 65535, "ssh://u@10.0.0.7:65535"},
        {"ssh://u@[::1]:2222", "u", "::1", 2222, "ssh://u@[::1]:2222"},
        {"ssh://[fe80::1]", "", "fe80::1", 0, "ssh://[fe80::1]"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        dk_endpoint ep;
        dl_err err;
        if (dk_endpoint_parse(&ep, ok[i].in, NULL, NULL, NULL, NULL, &err))
            fail_msg("'%s': %s", ok[i].in, err.msg);
        assert_int_equal(ep.transport, DK_SSH);
        assert_string_equal(ep.ssh_user, ok[i].user);
        assert_string_equal(ep.host, ok[i].host);
        assert_int_equal(ep.port, ok[i].port);
        assert_string_equal(ep.display, ok[i].display);
        assert_int_equal(ep.tls, 0);
    }
    {   /* the TLS variables do not apply to ssh */
        dk_endpoint ep;
        dl_err err;
        assert_int_equal(dk_endpoint_parse(&ep, "ssh://h", "1", "1", "/nonexistent", NULL, &err),
                         0);
        assert_int_equal(ep.tls, 0);
    }
}

typedef struct bad_case {
    const char *in, *msg_part;
} bad_case;

static void test_parse_bad(void **state)
{
    static const bad_case bad[] = {
        {"ssh://", "invalid DOCKER_HOST 'ssh://': the ssh host is missing"},
        {"ssh://user@", "the ssh host is missing"},
        {"ssh://user@:22", "the ssh host is missing"},
        {"ssh://@host", "invalid DOCKER_HOST 'ssh://@host': empty ssh user name"},
        {"ssh://user:pw@host", "'ssh://user:pw@host': a password in the address is not supported"},
        {"ssh://a@b@host", "bad ssh user name"},
        {"ssh://-oProxyCommand=sh@host", "bad ssh user name"},
        {"ssh://-oProxyCommand=sh", "'ssh://-oProxyCommand=sh': bad ssh host name"},
        {"ssh://ho$(id)st", "bad ssh host name"},
        {"ssh://host:0", "invalid port in DOCKER_HOST 'ssh://host:0': must be 1-65535"},
        {"ssh://host:65536", "invalid port"},
        {"ssh://host:", "invalid port"},
        {"ssh://host:22x", "invalid port"},
        {"ssh://host:-1", "invalid port"},
        {"ssh://::1", "put an IPv6 address in brackets"},
        {"ssh://[::1", "missing ']'"},
        {"ssh://[::1]x", "invalid DOCKER_HOST"},
        {"ssh://host/var/run/docker.sock", "a path after the ssh host is not supported"},
        {"ssh://ho\x1b[2Jst", "'ssh://ho^[[2Jst': bad ssh host name"},  /* shown inert */
        {"ssh://us\xe2\x80\xae" "er@host", "bad ssh user name"},   /* U+202E: ASCII only */
        {"ssh://h\xc3\xa9" "te", "bad ssh host name"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dk_endpoint ep;
        dl_err err;
        dl_err_clear(&err);
        if (dk_endpoint_parse(&ep, bad[i].in, NULL, NULL, NULL, NULL, &err) == 0)
            fail_msg("'%s' was accepted", bad[i].in);
        assert_int_equal(err.kind, DL_EINVAL);
        if (!strstr(err.msg, bad[i].msg_part))
            fail_msg("'%s': message '%s' lacks '%s'", bad[i].in, err.msg, bad[i].msg_part);
        assert_null(strchr(err.msg, '\x1b'));
    }
}

static void join(const char **argv, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; argv[i]; i++) {
        strncat(out, i ? " " : "", cap - strlen(out) - 1);
        strncat(out, argv[i], cap - strlen(out) - 1);
    }
}

static void test_argv(void **state)
{
    dk_endpoint ep;
    dl_err err;
    char port[16], line[512];
    const char *argv[32];
    (void)state;
    assert_int_equal(dk_endpoint_parse(&ep, "ssh://backup@engine:2222", NULL, NULL, NULL, NULL,
                                       &err), 0);
    dk_ssh_argv(&ep, port, sizeof port, argv, 32);
    join(argv, line, sizeof line);
    assert_string_equal(line, "ssh -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=15 "
                              "-o ServerAliveCountMax=3 -T -l backup -p 2222 -- engine docker "
                              "system dial-stdio");
    assert_int_equal(dk_endpoint_parse(&ep, "ssh://engine", NULL, NULL, NULL, NULL, &err), 0);
    dk_ssh_argv(&ep, port, sizeof port, argv, 32);
    join(argv, line, sizeof line);
    assert_string_equal(line, "ssh -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=15 "
                              "-o ServerAliveCountMax=3 -T -- engine docker system dial-stdio");
}

/* ---- the transport, with fake ssh programs -------------------------------- */

static char bindir[64];
static char *old_path;

static void script(const char *body)
{
    char p[128];
    FILE *f;
    snprintf(p, sizeof p, "%s/ssh", bindir);
    f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s", body);
    fclose(f);
    assert_int_equal(chmod(p, 0755), 0);
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;
    assert_non_null(d);
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n - 1;  /* the directory's own */
}

static void assert_no_child(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static int setup(void **state)
{
    const char *p = getenv("PATH");
    (void)state;
    snprintf(bindir, sizeof bindir, "/tmp/dl-ssh-unit.XXXXXX");
    assert_non_null(mkdtemp(bindir));
    old_path = strdup(p ? p : "/usr/bin:/bin");
    {
        char np[4096];
        snprintf(np, sizeof np, "%s:%s", bindir, old_path);
        setenv("PATH", np, 1);
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    setenv("PATH", old_path, 1);
    free(old_path);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", bindir);
    return system(cmd) == 0 ? 0 : -1;
}

static dk_client *client_for(const char *host)
{
    dk_endpoint ep;
    dk_client *c;
    dl_err err;
    assert_int_equal(dk_endpoint_parse(&ep, host, NULL, NULL, NULL, NULL, &err), 0);
    assert_int_equal(dk_client_new(&c, &ep, &err), 0);
    return c;
}

static char *slurp(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "r");
    size_t n;
    assert_non_null(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void test_answers(void **state)
{
    char body[2048], args[128], fds[128];
    dk_client *c;
    dk_version v;
    dl_err err;
    int fd0 = open_fds();
    const char *json = "{\"Version\":\"20.10.24\",\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\","
                       "\"Os\":\"linux\",\"Arch\":\"amd64\",\"KernelVersion\":\"6\"}";
    (void)state;
    snprintf(args, sizeof args, "%s/args", bindir);
    snprintf(fds, sizeof fds, "%s/fds", bindir);
    snprintf(body, sizeof body,
             "printf '%%s\\n' \"$@\" > '%s'\n"
             "ls -l /proc/$$/fd | grep -- '->' | sed 's/.* \\([0-9]*\\) -> /\\1 /' > '%s'\n"
             "[ -t 0 ] && echo 'stdin is a terminal' >&2\n"
             "IFS= read -r line\n"
             "printf 'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\n"
             "Content-Length: %zu\\r\\nConnection: close\\r\\n\\r\\n%s'\n",
             args, fds, strlen(json), json);
    script(body);
    c = client_for("ssh://alice@engine.example:2200");
    if (dk_client_check_version(c, &v, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(v.version, "20.10.24");
    dk_client_free(c);
    assert_string_equal(slurp(args), "-o\nBatchMode=yes\n-o\nConnectTimeout=10\n-o\n"
                                     "ServerAliveInterval=15\n-o\nServerAliveCountMax=3\n-T\n"
                                     "-l\nalice\n-p\n2200\n--\nengine.example\ndocker\nsystem\n"
                                     "dial-stdio\n");
    /* stdin and stdout the connection's socket, stderr the memory file;
     * nothing else of the parent's (its other connections, files...) but
     * what the shell itself opens (the script, the pipe to grep) */
    {
        char *l = slurp(fds), *save = NULL;
        int seen = 0;
        for (char *p = strtok_r(l, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
            int fd = atoi(p);
            const char *what = strchr(p, ' ') ? strchr(p, ' ') + 1 : "";
            if (fd <= 1 && !strncmp(what, "socket:", 7))
                seen++;
            else if (fd == 2 && strstr(what, "deeplens-ssh-stderr"))
                seen++;
            else if (strncmp(what, "pipe:", 5) && !strstr(what, "/ssh"))
                fail_msg("the ssh child inherited fd %s", p);
        }
        assert_int_equal(seen, 3);
    }
    assert_int_equal(open_fds(), fd0);
    assert_no_child();
}

static void test_failure_text(void **state)
{
    dk_client *c;
    dl_err err;
    int fd0 = open_fds();
    (void)state;
    script("echo 'Warning: something first' >&2\n"
           "printf 'evil@h: Permission denied \\033[2J\\033]0;pwned\\007 (publickey,password).\\n' >&2\n"
           "exit 255\n");
    c = client_for("ssh://evil@h");
    assert_int_equal(dk_client_check_version(c, NULL, &err), -1);
    dk_client_free(c);
    assert_int_equal(err.kind, DL_ECONN);
    if (!strstr(err.msg, "cannot reach the docker engine at ssh://evil@h: ssh exited with status "
                         "255: Warning: something first / evil@h: Permission denied ^[[2J^[]0;pwned^G"
                         " (publickey,password)."))
        fail_msg("message: %s", err.msg);
    assert_non_null(strstr(err.msg, "BatchMode=yes"));
    assert_null(strchr(err.msg, '\x1b'));
    assert_null(strchr(err.msg, '\a'));
    assert_int_equal(open_fds(), fd0);
    assert_no_child();
}

static void test_no_ssh(void **state)
{
    dk_client *c;
    dl_err err;
    char np[128];
    int fd0 = open_fds();
    (void)state;
    snprintf(np, sizeof np, "%s/none", bindir);
    setenv("PATH", np, 1);
    c = client_for("ssh://u@h:2");
    assert_int_equal(dk_client_check_version(c, NULL, &err), -1);
    dk_client_free(c);
    {
        char p[4096];
        snprintf(p, sizeof p, "%s:%s", bindir, old_path);
        setenv("PATH", p, 1);
    }
    if (!strstr(err.msg, "cannot reach the docker engine at ssh://u@h:2: cannot run ssh"))
        fail_msg("message: %s", err.msg);
    assert_int_equal(open_fds(), fd0);
    assert_no_child();
}

/* a request to an ssh that never answers, cancelled by freeing the
 * client: the child is ended and reaped at once */
static int got_done;
static void on_done(void *ud, dk_req *r)
{
    (void)ud;
    (void)r;
    got_done++;
}

static void test_hang_freed(void **state)
{
    dk_client *c;
    dl_err err;
    dk_req_opts o;
    struct timespec a, b;
    int fd0 = open_fds();
    (void)state;
    script("exec sleep 60\n");
    c = client_for("ssh://h");
    memset(&o, 0, sizeof o);
    o.method = "GET";
    o.path = "/events";
    o.mode = DK_BODY_LINES;
    o.on_done = on_done;
    assert_non_null(dk_submit(c, &o, &err));
    for (int i = 0; i < 5; i++)
        dk_client_poll(c, -1, 50);
    assert_int_equal(dk_client_pending(c), 1);
    clock_gettime(CLOCK_MONOTONIC, &a);
    dk_client_free(c);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_int_equal(got_done, 1);
    assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 2000);
    assert_int_equal(open_fds(), fd0);
    assert_no_child();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_argv),
        cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_ssh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hang_freed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
