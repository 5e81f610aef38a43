/* floor.c - the memory floor of the console's libraries (make bench).
 *
 * One libcurl request over the engine's Unix socket, ncurses initialised on
 * the terminal it runs in, then it waits: what is resident now is what
 * Debian's libcurl and ncurses cost before any line of ours runs. The bench
 * reads its RSS, PSS and private memory beside the console's, so the
 * console's own share is the difference.
 *
 *   floor SOCKET       (runs until a signal)
 */
#include <curl/curl.h>
#include <curses.h>
#include <stdio.h>
#include <unistd.h>

static size_t sink(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: floor SOCKET\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *c = curl_easy_init();
    if (!c)
        return 1;
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, argv[1]);
    curl_easy_setopt(c, CURLOPT_URL, "http://localhost/v1.41/_ping");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    CURLcode rc = curl_easy_perform(c);
    initscr();
    printw("floor: _ping %s\n", rc == CURLE_OK ? "ok" : curl_easy_strerror(rc));
    refresh();
    for (;;)
        pause();
}
