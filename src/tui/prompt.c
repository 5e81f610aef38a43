/* prompt.c - one-line input: the list filter, the log search (a modal on
 * the status line, ui_app_prompt), the
 * password for provisioning (drawn masked by the caller). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "deeplens/text.h"
#include "app.h"
#include "draw.h"
#include "theme.h"

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

/* ---- the filter / search prompt as a modal on the status line ------------------ */

static const ui_modal_ops prompt_modal;

static int prompt_key(ui_app *a, ui_modal *m, int key, ui_action act)
{
    ui_prompt *p = &a->prompt;
    int r = ui_prompt_key(p, key);
    int mask = p->on_key ? p->on_key(a, p->ud, p->text, r) : 0;
    if (r != 0) {
        p->kind = UI_PROMPT_NONE;
        ui_modal_remove(a, &prompt_modal);
    }
    return mask | UI_R_BODY | UI_R_STATUS;
}

static void prompt_draw(ui_app *a, ui_modal *m, WINDOW *w)
{
    const ui_prompt *p = &a->prompt;
    const char *label = p->kind == UI_PROMPT_FILTER ? "Filter: " : "Search: ";
    int x = ui_draw_str(w, 0, 0, COLS, ui_attr(UI_TITLE), label);
    x += ui_draw_text(w, 0, x, COLS - x - 1, ui_attr(UI_NORMAL), p->text, p->len, 0, NULL);
    ui_draw_str(w, 0, x, 1, ui_attr(UI_SELECTED), " ");
}

static const char *prompt_hints(const ui_app *a, const ui_modal *m)
{
    return "Enter keep  Esc clear";
}

static const ui_modal_ops prompt_modal = {
    .name = "prompt",
    .place = UI_MODAL_STATUS,
    .key = prompt_key,
    .draw = prompt_draw,
    .hints = prompt_hints,
};

int ui_app_prompt(ui_app *a, ui_prompt_kind kind, const char *initial,
                  int (*on_key)(ui_app *a, void *ud, const char *text, int r), void *ud)
{
    ui_modal_remove(a, &prompt_modal);
    ui_prompt_start(&a->prompt, kind, initial, on_key, ud);
    ui_modal_push(a, &prompt_modal, NULL);
    return UI_R_STATUS;
}
