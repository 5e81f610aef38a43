/* term.c - the terminal as a device (see term.h).
 *
 * Signal handlers only set flags and write one byte to a pipe; the pipe and
 * stdin sit in an epoll set whose descriptor the loop hands to
 * dk_client_poll, so a signal ends the wait at once whatever the Docker
 * client does with EINTR. WINCH is chained to curses' own handler so
 * get_wch also reports KEY_RESIZE; both lead to ui_term_resize.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <curses.h>

#include "deeplens/text.h"

#include "term.h"

static struct {
    int open;
    int utf8, ascii;
    int epfd;
    int pipe_r, pipe_w;
    SCREEN *screen;
    struct sigaction old_int, old_term, old_hup, old_quit, old_winch, old_pipe;
} T = {.epfd = -1, .pipe_r = -1, .pipe_w = -1};

static volatile sig_atomic_t sig_quit, sig_winch;

static void wake_pipe(void)
{
    int saved = errno;
    if (T.pipe_w >= 0) {
        ssize_t r = write(T.pipe_w, "x", 1);
        (void)r;
    }
    errno = saved;
}

static void on_quit(int sig)
{
    sig_quit = sig;
    wake_pipe();
}

static void on_winch(int sig)
{
    sig_winch = 1;
    /* curses' handler only sets its own flag: chaining keeps KEY_RESIZE */
    if (!(T.old_winch.sa_flags & SA_SIGINFO) && T.old_winch.sa_handler != SIG_DFL &&
        T.old_winch.sa_handler != SIG_IGN && T.old_winch.sa_handler != on_winch)
        T.old_winch.sa_handler(sig);
    wake_pipe();
}

static void set_handler(int sig, void (*fn)(int), struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, old);
}

/* Out of memory while the screen is ours: give the operator back a sane
 * terminal (cooked mode, cursor) before the message; nothing here may
 * allocate, so no delscreen. */
static void oom_restore(void)
{
    if (T.open) {
        curs_set(1);
        endwin();
    }
}

int ui_term_open(int force_ascii, dl_err *err)
{
    if (T.open) return 0;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return dl_err_set(err, DL_ESYS, "the console needs a terminal (use a subcommand, see --help)");
    setlocale(LC_ALL, "");
    T.utf8 = dl_locale_utf8();
    T.ascii = force_ascii || !T.utf8;

    int fds[2];
    if (pipe(fds) < 0)
        return dl_err_set(err, DL_ESYS, "cannot create a pipe: %s", strerror(errno));
    T.pipe_r = fds[0];
    T.pipe_w = fds[1];
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    T.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (T.epfd < 0) {
        dl_err_set(err, DL_ESYS, "cannot create an epoll set: %s", strerror(errno));
        ui_term_close();
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN};
    ev.data.fd = STDIN_FILENO;
    epoll_ctl(T.epfd, EPOLL_CTL_ADD, STDIN_FILENO, &ev);
    ev.data.fd = T.pipe_r;
    epoll_ctl(T.epfd, EPOLL_CTL_ADD, T.pipe_r, &ev);

    /* A short ESC delay: Esc is "back", and nobody types Alt sequences */
    if (!getenv("ESCDELAY")) set_escdelay(25);
    T.screen = newterm(NULL, stdout, stdin);
    if (!T.screen) {
        const char *term = getenv("TERM");
        dl_err_set(err, DL_ESYS, "cannot use the terminal '%s' (check TERM)", term ? term : "");
        ui_term_close();
        return -1;
    }
    set_term(T.screen);
    T.open = 1;
    cbreak();
    {
        /* ^S / ^Q belong to the console (forms submit with ^S), not to
         * terminal flow control; endwin restores the operator's modes */
        struct termios tio;
        if (tcgetattr(STDIN_FILENO, &tio) == 0) {
            tio.c_iflag &= ~(tcflag_t)IXON;
            tcsetattr(STDIN_FILENO, TCSANOW, &tio);
            def_prog_mode();
        }
    }
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    if (has_colors()) {
        start_color();
        use_default_colors();
    }
    set_handler(SIGINT, on_quit, &T.old_int);
    set_handler(SIGTERM, on_quit, &T.old_term);
    set_handler(SIGHUP, on_quit, &T.old_hup);
    set_handler(SIGQUIT, on_quit, &T.old_quit);
    set_handler(SIGWINCH, on_winch, &T.old_winch);
    set_handler(SIGPIPE, SIG_IGN, &T.old_pipe);
    dl_oom_hook(oom_restore);
    return 0;
}

void ui_term_close(void)
{
    dl_oom_hook(NULL);
    if (T.open) {
        sigaction(SIGINT, &T.old_int, NULL);
        sigaction(SIGTERM, &T.old_term, NULL);
        sigaction(SIGHUP, &T.old_hup, NULL);
        sigaction(SIGQUIT, &T.old_quit, NULL);
        sigaction(SIGWINCH, &T.old_winch, NULL);
        sigaction(SIGPIPE, &T.old_pipe, NULL);
        curs_set(1);
        endwin();
        delscreen(T.screen);
        T.screen = NULL;
        T.open = 0;
    }
    if (T.epfd >= 0) close(T.epfd);
    if (T.pipe_r >= 0) close(T.pipe_r);
    if (T.pipe_w >= 0) close(T.pipe_w);
    T.epfd = T.pipe_r = T.pipe_w = -1;
}

int ui_term_fd(void) { return T.epfd; }

int ui_term_events(void)
{
    int ev = 0;
    char buf[64];
    while (T.pipe_r >= 0 && read(T.pipe_r, buf, sizeof buf) > 0) {}
    if (sig_quit) ev |= UI_TERM_QUIT;
    if (sig_winch) {
        sig_winch = 0;
        ev |= UI_TERM_RESIZE;
    }
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    if (poll(&p, 1, 0) > 0) {
        if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) ev |= UI_TERM_HANGUP;
        if (p.revents & POLLIN) ev |= UI_TERM_INPUT;
    }
    return ev;
}

int ui_term_resize(void)
{
    struct winsize ws;
    if (!T.open) return 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
        if (ws.ws_row != LINES || ws.ws_col != COLS) {
            resize_term(ws.ws_row, ws.ws_col);
            return 1;
        }
    }
    return 0;
}

int ui_term_utf8(void) { return T.utf8; }
int ui_term_ascii(void) { return T.ascii; }
int ui_term_too_small(void) { return COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS; }
int ui_term_signal(void) { return sig_quit; }
