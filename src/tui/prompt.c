/* prompt.c - one-line input: the list filter, the log search, the
 * password for provisioning (drawn masked by the caller). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "deeplens/text.h"
#include "app.h"

void ui_prompt_start(ui_prompt *p, ui_prompt_kind kind, const char *initial,
                     int (*on_key)(ui_app *a, void *ud, const char *text, int r), void *ud)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->on_key = on_key;
    p->ud = ud;
    snprintf(p->text, sizeof p->text, "%s", initial ? initial : "");
    p->len = strlen(p->text);
}

int ui_prompt_key(ui_prompt *p, int key)
{
    if (key == '\n') return 1;
    if (key == UI_KEY_ESC || key == 7 /* ^G */) return -1;
    if (key == (UI_KEY_FN | KEY_BACKSPACE) || key == (UI_KEY_FN | KEY_DC)) {
        /* drop one UTF-8 character */
        p->len -= dl_utf8_last(p->text, p->len);
        p->text[p->len] = '\0';
        return 0;
    }
    if (key == 21 /* ^U */) {
        p->len = 0;
        p->text[0] = '\0';
        return 0;
    }
    if (key & UI_KEY_FN || key < ' ' || key == 0x7f) return 0;
    char mb[MB_LEN_MAX];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = wcrtomb(mb, (wchar_t)key, &st);
    if (n == (size_t)-1 || p->len + n >= sizeof p->text) return 0;
    memcpy(p->text + p->len, mb, n);
    p->len += n;
    p->text[p->len] = '\0';
    return 0;
}
