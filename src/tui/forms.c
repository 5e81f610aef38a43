/* forms.c - the console's modal forms on ncurses' form library (forms.h):
 * lifecycle, focus and keys. The model (form_internal.h) is kept in step
 * with the FORM after every key; form_draw.c lays the FORM out and paints
 * around it; form_kinds.c says what the fields are and how they validate.
 */
#include "form_internal.h"

#include "deeplens/text.h"
#include <stdlib.h>
#include <string.h>

#include "deeplens/cron.h"
#include "keys.h"
#include "term.h"
#include "theme.h"

#define KEY_CTRL(c) ((c) & 0x1f)
#define ESC 27

/* ---- lifecycle ------------------------------------------------------------- */

static ui_form *form_new(ui_form_kind kind)
{
    ui_form *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->kind = kind;
    f->state = UI_FORM_EDITING;
    f->utf8 = dl_locale_utf8();
    f->ascii = !f->utf8 || ui_term_ascii();   /* --ascii reaches forms too */
    f->file_count = -1;
    f->dirty = 1;
    return f;
}

ui_form *ui_form_provision(const dl_spec *site)
{
    ui_form *f = form_new(UI_FORM_PROVISION);
    if (f)
        uif_init_provision(f, site);
    return f;
}

ui_form *ui_form_reschedule(const dl_status *st)
{
    ui_form *f = st ? form_new(UI_FORM_RESCHEDULE) : NULL;
    if (f)
        uif_init_reschedule(f, st);
    return f;
}

ui_form *ui_form_remove(const dl_status *st)
{
    ui_form *f = st ? form_new(UI_FORM_REMOVE) : NULL;
    if (f)
        uif_init_remove(f, st);
    return f;
}

ui_form *ui_form_restore(const dl_status *st, const char *file)
{
    ui_form *f = st ? form_new(UI_FORM_RESTORE) : NULL;
    if (f)
        uif_init_restore(f, st, file);
    return f;
}

void uif_curses_free(ui_form *f)
{
    int i;

    if (f->form) {
        unpost_form(f->form);
        free_form(f->form);
        f->form = NULL;
    }
    for (i = 0; i < UIF_MAX_FIELDS + 1; i++) {
        if (f->fields[i])
            free_field(f->fields[i]);
        f->fields[i] = NULL;
    }
    if (f->sub)
        delwin(f->sub);
    if (f->win)
        delwin(f->win);
    f->sub = f->win = NULL;
}

void ui_form_free(ui_form *f)
{
    if (!f)
        return;
    uif_curses_free(f);
    free(f->files);
    free(f);
}

ui_form_kind ui_form_kind_of(const ui_form *f)
{
    return f->kind;
}

ui_form_state ui_form_state_of(const ui_form *f)
{
    return f ? f->state : UI_FORM_CANCELLED;
}

const ui_form_result *ui_form_result_get(const ui_form *f)
{
    return f && f->state == UI_FORM_DONE ? &f->res : NULL;
}

void ui_form_set_ascii(ui_form *f, int ascii)
{
    if (f)
        f->ascii = ascii || !f->utf8;
}

int ui_form_wants_cursor(const ui_form *f)
{
    return f && f->state == UI_FORM_EDITING && f->form && !f->too_small &&
           !f->fld[f->cur].toggle;
}

/* ---- model <-> FORM ---------------------------------------------------------- */

static void trim_into(char *dst, size_t n, const char *src, size_t maxlen)
{
    size_t len;

    while (*src == ' ')
        src++;
    len = strlen(src);
    while (len && src[len - 1] == ' ')
        len--;
    if (len > maxlen)
        len = maxlen;
    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* The current field's text into the model (the FORM keeps edits in its
 * window until validated). */
void uif_sync_current(ui_form *f)
{
    uif_field *x = &f->fld[f->cur];
    const char *buf;

    if (!f->form || x->toggle)
        return;
    form_driver(f->form, REQ_VALIDATION);
    buf = field_buffer(f->fields[f->cur], 0);
    if (buf)
        trim_into(x->value, sizeof x->value, buf, x->maxlen);
}

static void set_field_text(ui_form *f, int i)
{
    const uif_field *x = &f->fld[i];
    if (!f->form)
        return;
    set_field_buffer(f->fields[i], 0, x->toggle ? uif_toggle_text(f, i) : x->value);
    if (i == f->cur && !x->toggle)
        form_driver(f->form, REQ_END_FIELD);
}

/* ---- focus and keys ---------------------------------------------------------- */

static void focus(ui_form *f, int idx)
{
    if (idx < 0 || idx >= f->nfld)
        return;
    uif_sync_current(f);
    if (idx != f->cur) {
        uif_field *old = &f->fld[f->cur];
        old->shown = 1;          /* inline validation: on leaving a field */
        uif_validate(f, f->cur);
    }
    if (f->form) {
        set_field_back(f->fields[f->cur], (chtype)ui_attr(UI_FORM_FIELD));
        set_field_fore(f->fields[f->cur], (chtype)ui_attr(UI_FORM_FIELD));
        set_current_field(f->form, f->fields[idx]);
        set_field_back(f->fields[idx], (chtype)ui_attr(UI_FORM_ACTIVE));
        set_field_fore(f->fields[idx], (chtype)ui_attr(UI_FORM_ACTIVE));
        if (!f->fld[idx].toggle)
            form_driver(f->form, REQ_END_FIELD);
    }
    f->cur = idx;
}

/* Fields whose message depends on another's value. */
static void revalidate_dependents(ui_form *f)
{
    int i = uif_find(f, UIF_DATABASE);
    if (i >= 0 && f->fld[i].shown)
        uif_validate(f, i);
}

static void toggle(ui_form *f)
{
    uif_field *x = &f->fld[f->cur];
    x->on = !x->on;
    set_field_text(f, f->cur);
    revalidate_dependents(f);
}

static void cycle_preset(ui_form *f, int dir)
{
    uif_field *x = &f->fld[f->cur];
    int p;

    if (x->id == UIF_ENGINE) {
        const char *e;
        uif_sync_current(f);
        if (!(e = uif_engine_cycle(f, x->value, dir)))
            return;
        snprintf(x->value, sizeof x->value, "%s", e);
        set_field_text(f, f->cur);
        if (x->shown)
            uif_validate(f, f->cur);
        return;
    }
    if (x->id != UIF_SCHEDULE)
        return;
    uif_sync_current(f);
    p = uif_preset_cycle(x->value, dir);
    if (p < 0)
        return;
    snprintf(x->value, sizeof x->value, "%s", dl_cron_presets[p].expr);
    set_field_text(f, f->cur);
    if (x->shown)
        uif_validate(f, f->cur);
}

static void edit(ui_form *f, int ch)
{
    uif_field *x = &f->fld[f->cur];
    int req;

    switch (ch) {
    case KEY_LEFT:                      req = REQ_PREV_CHAR; break;
    case KEY_RIGHT:                     req = REQ_NEXT_CHAR; break;
    case KEY_HOME: case KEY_CTRL('a'):  req = REQ_BEG_FIELD; break;
    case KEY_END: case KEY_CTRL('e'):   req = REQ_END_FIELD; break;
    case KEY_BACKSPACE: case 127: case KEY_CTRL('h'):
                                        req = REQ_DEL_PREV; break;
    case KEY_DC: case KEY_CTRL('d'):    req = REQ_DEL_CHAR; break;
    case KEY_CTRL('u'):                 req = REQ_CLR_FIELD; break;
    case KEY_CTRL('k'):                 req = REQ_CLR_EOF; break;
    default:
        /* printable ASCII only: every field's grammar is ASCII, and no
         * control character may reach a field */
        if (ch < 0x20 || ch > 0x7e)
            return;
        req = ch;
        break;
    }

    if (f->form) {
        form_driver(f->form, req);
        uif_sync_current(f);
    } else {
        /* no window yet (tests): the same edits on the model, at the end */
        size_t len = strlen(x->value);
        if (req == REQ_DEL_PREV && len)
            x->value[len - 1] = '\0';
        else if (req == REQ_CLR_FIELD)
            x->value[0] = '\0';
        else if (req == ch && len < x->maxlen && len + 1 < sizeof x->value) {
            x->value[len] = (char)ch;
            x->value[len + 1] = '\0';
        }
    }
    f->form_msg[0] = '\0';
    if (x->shown)
        uif_validate(f, f->cur);   /* the message follows the typing */
}

static void submit(ui_form *f)
{
    int i, first = -1, bad = 0;

    uif_sync_current(f);
    for (i = 0; i < f->nfld; i++) {
        f->fld[i].shown = 1;
        if (uif_validate(f, i) != 0) {
            bad++;
            if (first < 0)
                first = i;
        }
    }
    if (first >= 0) {
        focus(f, first);
        if (bad > 1)
            snprintf(f->form_msg, sizeof f->form_msg,
                     "%d fields need attention; the first has the cursor", bad);
        else
            snprintf(f->form_msg, sizeof f->form_msg, "%s", f->fld[first].msg);
        return;
    }
    if (uif_validate_form(f) != 0)
        return;
    uif_summary_build(f);
    f->state = UI_FORM_CONFIRMING;
}

/* First field of the page after/before the current one. */
static int page_step(const ui_form *f, int dir)
{
    int i, page = f->block_page[f->cur] + dir;
    if (!f->form || page < 0 || page >= f->npages)
        return f->cur;
    for (i = 0; i < f->nfld; i++)
        if (f->block_page[i] == page)
            return i;
    return f->cur;
}

static ui_form_state key_editing(ui_form *f, int ch)
{
    int n = f->nfld;
    uif_field *x = &f->fld[f->cur];

    switch (ch) {
    case ESC:
        f->state = UI_FORM_CANCELLED;
        break;
    case KEY_F(2): case KEY_CTRL('s'):
        submit(f);
        break;
    case '\t': case KEY_DOWN:
        focus(f, (f->cur + 1) % n);
        break;
    case KEY_BTAB: case KEY_UP:
        focus(f, (f->cur + n - 1) % n);
        break;
    case KEY_NPAGE:
        focus(f, page_step(f, 1));
        break;
    case KEY_PPAGE:
        focus(f, page_step(f, -1));
        break;
    case '\n': case '\r': case KEY_ENTER:
        if (f->cur == n - 1)
            submit(f);
        else
            focus(f, f->cur + 1);
        break;
    case KEY_F(3): case KEY_CTRL('n'):
        cycle_preset(f, 1);
        break;
    case KEY_F(15): case KEY_CTRL('p'):   /* shift-F3 */
        cycle_preset(f, -1);
        break;
    default:
        if (x->toggle) {
            if (ch == ' ' || ch == KEY_LEFT || ch == KEY_RIGHT)
                toggle(f);
        } else {
            edit(f, ch);
        }
        break;
    }
    return f->state;
}

static ui_form_state key_confirming(ui_form *f, int ch)
{
    switch (ch) {
    case 'y': case 'Y': case '\n': case '\r': case KEY_ENTER:
        uif_result_build(f);
        f->state = UI_FORM_DONE;
        break;
    case 'n': case 'N': case ESC:
        f->state = UI_FORM_EDITING;
        break;
    case KEY_UP: case 'k':
        if (f->sum_top > 0)
            f->sum_top--;
        break;
    case KEY_DOWN: case 'j':
        f->sum_top++;          /* clamped by the draw */
        break;
    case KEY_PPAGE:
        f->sum_top = f->sum_top > 5 ? f->sum_top - 5 : 0;
        break;
    case KEY_NPAGE:
        f->sum_top += 5;
        break;
    default:
        break;
    }
    return f->state;
}

ui_form_state ui_form_key(ui_form *f, int ch)
{
    if (!f)
        return UI_FORM_CANCELLED;
    switch (f->state) {
    case UI_FORM_EDITING:    return key_editing(f, ch);
    case UI_FORM_CONFIRMING: return key_confirming(f, ch);
    case UI_FORM_DONE:
    case UI_FORM_CANCELLED:  break;
    }
    return f->state;
}

/* "K1/K2 label": the keys bound to a now (at most max of them; an upper-case
 * letter beside its lower-case one is not repeated), after what buf holds.
 * Nothing when a has no key: a rebound key shows as bound. */
static void hint(char *buf, size_t n, ui_action a, int cx, int max, const char *label)
{
    char keys[128], shown[64] = "", *tok[16];
    size_t o = strlen(buf), w = 0;
    int nt = 0, k = 0;
    ui_action_keys(a, cx, keys, sizeof keys);
    for (char *save = NULL, *t = strtok_r(keys, " ", &save); t && nt < 16;
         t = strtok_r(NULL, " ", &save))
        tok[nt++] = t;
    for (int i = 0; i < nt && k < max; i++) {
        int dup = 0;
        if (tok[i][0] >= 'A' && tok[i][0] <= 'Z' && !tok[i][1])
            for (int j = 0; j < nt; j++)
                dup |= tok[j][0] == tok[i][0] + 32 && !tok[j][1];
        if (dup)
            continue;
        int m = snprintf(shown + w, sizeof shown - w, "%s%s", k ? "/" : "", tok[i]);
        if (m < 0 || (size_t)m >= sizeof shown - w)
            break;
        w += (size_t)m;
        k++;
    }
    if (k && o < n)
        snprintf(buf + o, n - o, "%s%s %s", o ? "  " : "", shown, label);
}

/* The first key of a and of b: "Up/Down label". */
static void hint_pair(char *buf, size_t n, ui_action a, ui_action b, int cx, const char *label)
{
    char ka[128], kb[128];
    size_t o = strlen(buf);
    ui_action_keys(a, cx, ka, sizeof ka);
    ui_action_keys(b, cx, kb, sizeof kb);
    ka[strcspn(ka, " ")] = kb[strcspn(kb, " ")] = '\0';
    if (ka[0] && kb[0] && o < n)
        snprintf(buf + o, n - o, "%s%s/%s %s", o ? "  " : "", ka, kb, label);
}

/* The footer's hints from the key table (keys.h), so a rebound form key shows
 * as the operator bound it. */
const char *ui_form_hints(const ui_form *f)
{
    static char buf[256];
    buf[0] = '\0';
    if (!f)
        return buf;
    if (f->state == UI_FORM_CONFIRMING) {
        hint(buf, sizeof buf, UI_ACT_CONFIRM_YES, UI_CX_CONFIRM, 2, "confirm");
        hint(buf, sizeof buf, UI_ACT_CONFIRM_NO, UI_CX_CONFIRM, 2, "back to editing");
        hint_pair(buf, sizeof buf, UI_ACT_CONFIRM_UP, UI_ACT_CONFIRM_DOWN, UI_CX_CONFIRM,
                  "scroll");
        return buf;
    }
    int schedule = f->fld[f->cur].id == UIF_SCHEDULE, toggle = f->fld[f->cur].toggle;
    if (toggle)
        snprintf(buf, sizeof buf, "Space toggle");   /* field editing: not an action */
    hint(buf, sizeof buf, UI_ACT_FORM_NEXT, UI_CX_FORM, 2, "next");
    hint(buf, sizeof buf, UI_ACT_FORM_PREV, UI_CX_FORM, 2, "prev");
    if (schedule)
        hint(buf, sizeof buf, UI_ACT_FORM_PRESET_NEXT, UI_CX_FORM, 1, "preset");
    else if (f->fld[f->cur].id == UIF_ENGINE)
        hint(buf, sizeof buf, UI_ACT_FORM_PRESET_NEXT, UI_CX_FORM, 1, "engine");
    else if (!toggle)
        hint(buf, sizeof buf, UI_ACT_FORM_ENTER, UI_CX_FORM, 1, "next/submit");
    hint(buf, sizeof buf, UI_ACT_FORM_SUBMIT, UI_CX_FORM, 2, "submit");
    hint(buf, sizeof buf, UI_ACT_FORM_CANCEL, UI_CX_FORM, 1, "cancel");
    return buf;
}
