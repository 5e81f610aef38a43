/* chrome.h - the header, status line, key bar and the notices drawn over
 * the body (internal to src/tui). Each draws into its ui_app window and
 * queues it with wnoutrefresh; the loop calls doupdate.
 */
#ifndef DEEPLENS_TUI_CHROME_H
#define DEEPLENS_TUI_CHROME_H

#include "app.h"

void ui_chrome_header(ui_app *a);
/* The status line and, under it, the key bar of the current context. */
void ui_chrome_status(ui_app *a);
/* The engine-unreachable box over the body window w. */
void ui_chrome_unreachable(ui_app *a, WINDOW *w);
/* The whole screen when the terminal is below UI_MIN_COLS x UI_MIN_ROWS. */
void ui_chrome_too_small(void);

#endif
