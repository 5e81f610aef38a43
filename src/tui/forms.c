/* forms.c - the console's modal forms on ncurses' form library (forms.h):
 * keys, focus, layout and drawing. What the fields are, how they validate
 * and what the summary says lives in form_kinds.c.
 *
 * The FORM is posted in a private window the size of the caller's, built on
 * the first draw and rebuilt when the size changes; each draw paints labels,
 * messages and previews around the fields there and copies the whole thing
 * into the caller's window (so the caller may erase its window between
 * frames). Fields that do not fit in the height go on further pages of the
 * FORM; focus moving onto them turns the page.
 */
#include "form_internal.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#include "deeplens/cron.h"
#include "theme.h"

#define KEY_CTRL(c) ((c) & 0x1f)
#define ESC 27

/* ---- lifecycle ------------------------------------------------------------- */

static int locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static ui_form *form_new(ui_form_kind kind)
{
    ui_form *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->kind = kind;
    f->state = UI_FORM_EDITING;
    f->utf8 = locale_is_utf8();
    f->ascii = !f->utf8;
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

static void curses_free(ui_form *f)
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
    curses_free(f);
    free(f->files);
    free(f);
}

ui_form_kind ui_form_kind_of(const ui_form *f)
{
    return f->kind;
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
static void sync_current(ui_form *f)
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

/* ---- layout ------------------------------------------------------------------ */

static int label_width(const ui_form *f)
{
    int i, w = 0;
    for (i = 0; i < f->nfld; i++) {
        int l = (int)strlen(f->fld[i].label);
        if (l > w)
            w = l;
    }
    return w;
}

/* The attributes baked into the FORM's fields and background: a theme
 * change (the theme key) while a form is open rebuilds it. */
static unsigned long theme_sig(void)
{
    return (unsigned long)ui_attr(UI_NORMAL) * 31u * 31u +
           (unsigned long)ui_attr(UI_FORM_FIELD) * 31u +
           (unsigned long)ui_attr(UI_FORM_ACTIVE);
}

static void build(ui_form *f, int h, int w)
{
    int i, y, page, vh, cap;

    curses_free(f);
    f->wh = h;
    f->ww = w;
    f->theme_sig = theme_sig();
    f->dirty = 0;
    f->too_small = 1;
    f->npages = 1;
    f->status_rows = h >= 12 ? 2 : 1;
    vh = h - 2 - f->status_rows; /* title, intro, fields, status */
    f->fx = 1 + label_width(f) + 2;
    cap = w - f->fx - 1;
    if (vh < 2 || cap < 8)
        return;
    f->win = newwin(h, w, 0, 0);
    if (!f->win)
        return;
    wbkgdset(f->win, (chtype)' ' | (chtype)ui_attr(UI_NORMAL));
    werase(f->win);
    f->sub = derwin(f->win, vh, w, 2, 0);
    if (!f->sub)
        return;

    y = page = 0;
    for (i = 0; i < f->nfld; i++) {
        uif_field *x = &f->fld[i];
        int rows = 2 + x->info_rows;
        FIELD *fld;

        if (y > 0 && y + rows > vh) {
            page++;
            y = 0;
        }
        f->block_y[i] = y;
        f->block_page[i] = page;
        y += rows;

        f->fw[i] = x->width ? x->width : 64;
        if (f->fw[i] > cap)
            f->fw[i] = cap;
        fld = new_field(1, f->fw[i], f->block_y[i], f->fx, 0, 0);
        if (!fld)
            return;
        f->fields[i] = fld;
        if (page > 0 && f->block_y[i] == 0)
            set_new_page(fld, TRUE);
        field_opts_off(fld, O_AUTOSKIP | O_BLANK | O_WRAP);
        if (x->toggle) {
            field_opts_off(fld, O_EDIT);
        } else {
            field_opts_off(fld, O_STATIC);
            set_max_field(fld, (int)x->maxlen);
        }
        set_field_back(fld, (chtype)ui_attr(i == f->cur ? UI_FORM_ACTIVE
                                                        : UI_FORM_FIELD));
        set_field_fore(fld, (chtype)ui_attr(i == f->cur ? UI_FORM_ACTIVE
                                                        : UI_FORM_FIELD));
        set_field_buffer(fld, 0, x->toggle ? uif_toggle_text(f, i) : x->value);
    }
    f->fields[f->nfld] = NULL;
    f->npages = page + 1;

    f->form = new_form(f->fields);
    if (!f->form)
        return;
    form_opts_off(f->form, O_BS_OVERLOAD | O_NL_OVERLOAD);
    set_form_win(f->form, f->win);
    set_form_sub(f->form, f->sub);
    if (post_form(f->form) != E_OK) {
        free_form(f->form);
        f->form = NULL;
        return;
    }
    set_current_field(f->form, f->fields[f->cur]);
    form_driver(f->form, REQ_INS_MODE);
    if (!f->fld[f->cur].toggle)
        form_driver(f->form, REQ_END_FIELD);
    f->too_small = 0;
}

/* ---- focus and keys ---------------------------------------------------------- */

static void focus(ui_form *f, int idx)
{
    if (idx < 0 || idx >= f->nfld)
        return;
    sync_current(f);
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

    if (x->id != UIF_SCHEDULE)
        return;
    sync_current(f);
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
        sync_current(f);
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

    sync_current(f);
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

const char *ui_form_hints(const ui_form *f)
{
    if (!f)
        return "";
    if (f->state == UI_FORM_CONFIRMING)
        return "y/Enter confirm  n/Esc back to editing  Up/Down scroll";
    if (f->fld[f->cur].id == UIF_SCHEDULE)
        return "Tab/Down next  Up prev  F3 preset  F2/^S submit  Esc cancel";
    if (f->fld[f->cur].toggle)
        return "Space toggle  Tab/Down next  Up prev  F2/^S submit  Esc cancel";
    return "Tab/Down next  Up prev  Enter next/submit  F2/^S submit  Esc cancel";
}

/* ---- drawing ----------------------------------------------------------------- */

/* Bytes of s within `cols` columns; multi-byte characters count as one
 * column (field text is ASCII; the rest are our own symbols). */
static int clip(const char *s, int cols)
{
    int i = 0, c = 0;
    if (cols <= 0)
        return 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            if (c == cols)
                break;
            c++;
        }
        i++;
    }
    return i;
}

static int cols_of(const char *s)
{
    int c = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            c++;
    return c;
}

static void put(WINDOW *w, int y, int x, int cols, int role, const char *s)
{
    wattrset(w, ui_attr(role));
    mvwaddnstr(w, y, x, s, clip(s, cols));
}

/* Blank columns [x0, x1) of row y. */
static void blank(WINDOW *w, int y, int x0, int x1)
{
    wattrset(w, ui_attr(UI_NORMAL));
    if (x1 > x0)
        mvwhline(w, y, x0, ' ', x1 - x0);
}

/* A row under a field: aligned with the field when it fits there, else
 * from near the left edge to use the whole width; cut with an ellipsis
 * when even that is too short (the status area then has it in full). */
static void put_under(ui_form *f, int y, int role, const char *s)
{
    int x = cols_of(s) <= f->ww - f->fx - 1 ? f->fx : 3;
    int cols = f->ww - x - 1;
    const char *ell = f->ascii ? "..." : "\xe2\x80\xa6";

    if (cols_of(s) <= cols) {
        put(f->sub, y, x, cols, role, s);
        return;
    }
    cols -= cols_of(ell);
    put(f->sub, y, x, cols, role, s);
    waddstr(f->sub, ell);
}

/* Does a field's message fit on its row? */
static int msg_fits(const ui_form *f, const char *msg)
{
    return cols_of(msg) <= f->ww - 4;
}

static int wrap_rows(const char *s, int cols, WINDOW *w, int y0, int x, int ymin,
                     int ymax, int role);

static void paint_editing(ui_form *f)
{
    int w = f->ww, h = f->wh, vh = h - 2 - f->status_rows, y, i, page;
    char buf[600];

    page = f->form ? form_page(f->form) : 0;
    if (page < 0)
        page = 0;

    blank(f->win, 0, 0, w);
    put(f->win, 0, 1, w - 2, UI_TITLE, f->title);
    if (f->npages > 1) {
        char pg[32];
        snprintf(pg, sizeof pg, "page %d/%d", page + 1, f->npages);
        if (cols_of(f->title) + (int)strlen(pg) + 4 <= w)
            put(f->win, 0, w - 1 - (int)strlen(pg), w, UI_DIM, pg);
    }
    blank(f->win, 1, 0, w);
    put(f->win, 1, 1, w - 2, UI_DIM, f->intro);

    /* the field area, row by row; the field cells belong to the FORM */
    for (y = 0; y < vh; y++) {
        int fi = -1;
        for (i = 0; i < f->nfld; i++)
            if (f->block_page[i] == page && f->block_y[i] == y)
                fi = i;
        if (fi < 0) {
            blank(f->sub, y, 0, w);
        } else {
            blank(f->sub, y, 0, f->fx);
            blank(f->sub, y, f->fx + f->fw[fi], w);
        }
    }
    for (i = 0; i < f->nfld; i++) {
        uif_field *x = &f->fld[i];
        int by = f->block_y[i], r, role;

        if (f->block_page[i] != page)
            continue;
        put(f->sub, by, 1, f->fx - 2, UI_FORM_LABEL, x->label);
        if (i == f->cur)
            mvwchgat(f->sub, by, 1, cols_of(x->label),
                     (attr_t)(ui_attr(UI_FORM_LABEL) | A_BOLD) & ~A_COLOR,
                     (short)PAIR_NUMBER(ui_attr(UI_FORM_LABEL)), NULL);
        if (by + 1 < vh) {
            if (x->shown && x->msg[0]) {
                put_under(f, by + 1, UI_ERROR, x->msg);
            } else {
                uif_hint(f, i, buf, sizeof buf);
                put_under(f, by + 1, UI_DIM, buf);
            }
        }
        for (r = 0; r < x->info_rows && by + 2 + r < vh; r++) {
            uif_info(f, i, r, w - 4, buf, sizeof buf, &role);
            put_under(f, by + 2 + r, role, buf);
        }
    }

    /* status: the form's message, else the whole message of the current
     * field when its row had to cut it, else where more fields are */
    {
        int top = h - f->status_rows;
        const uif_field *c = &f->fld[f->cur];
        for (y = top; y < h; y++)
            blank(f->win, y, 0, w);
        if (f->form_msg[0])
            wrap_rows(f->form_msg, w - 2, f->win, top, 1, top, h, UI_ERROR);
        else if (c->shown && c->msg[0] && !msg_fits(f, c->msg))
            wrap_rows(c->msg, w - 2, f->win, top, 1, top, h, UI_ERROR);
        else if (page + 1 < f->npages)
            put(f->win, h - 1, 1, w - 2, UI_DIM, "more fields: Tab/Down or PgDn");
    }
    wattrset(f->win, ui_attr(UI_NORMAL));
}

/* Word-wrap s into rows of `cols` at (y0, x) of w, drawing only the rows in
 * [ymin, ymax) (w NULL: just count); returns the rows. */
static int wrap_rows(const char *s, int cols, WINDOW *w, int y0, int x, int ymin,
                     int ymax, int role)
{
    int rows = 0;

    if (cols < 1)
        cols = 1;
    do {
        int n = clip(s, cols);
        if (s[n]) {
            int b = n;
            while (b > 0 && s[b] != ' ')
                b--;
            if (b > 0)
                n = b;
        }
        if (w && y0 + rows >= ymin && y0 + rows < ymax) {
            wattrset(w, ui_attr(role));
            mvwaddnstr(w, y0 + rows, x, s, n);
        }
        rows++;
        s += n;
        while (*s == ' ')
            s++;
    } while (*s);
    return rows;
}

static void draw_confirming(ui_form *f, WINDOW *win)
{
    int h, w, i, lw = 12, total = 0, y, top, body;
    const char *prompt;
    int destructive = 0;

    getmaxyx(win, h, w);
    werase(win);
    put(win, 0, 1, w - 2, UI_TITLE, f->title);
    body = h - 4;
    if (body < 1)
        return;
    if (w - lw - 2 < 20)
        lw = 0;
    for (i = 0; i < f->nsum; i++) {
        total += wrap_rows(f->sum[i].text, w - lw - 2, NULL, 0, 0, 0, 0, 0);
        if (f->sum[i].role == UI_ERROR)
            destructive = 1;
    }
    if (f->sum_top > total - body)
        f->sum_top = total - body > 0 ? total - body : 0;
    top = f->sum_top;

    y = 2 - top;
    for (i = 0; i < f->nsum; i++) {
        const uif_line *l = &f->sum[i];
        if (lw && y >= 2 && y < 2 + body)
            put(win, y, 1, lw - 1, UI_FORM_LABEL, l->label);
        y += wrap_rows(l->text, w - lw - 2, win, y, lw + 1, 2, 2 + body, l->role);
    }
    if (total > body)
        put(win, h - 2, w - 12, 11, UI_DIM, top + body < total ? "more: Down" : "");

    switch (f->kind) {
    case UI_FORM_PROVISION:  prompt = "Create it? y/Enter yes, n/Esc back to editing"; break;
    case UI_FORM_RESCHEDULE: prompt = "Apply? y/Enter yes, n/Esc back to editing"; break;
    case UI_FORM_REMOVE:     prompt = "Remove it? y/Enter yes, n/Esc back to editing"; break;
    default:                 prompt = "Restore now? y/Enter yes, n/Esc back to editing"; break;
    }
    put(win, h - 1, 1, w - 2, destructive ? UI_WARNING : UI_TITLE, prompt);
    wattrset(win, ui_attr(UI_NORMAL));
}

void ui_form_resize(ui_form *f, WINDOW *win)
{
    int h, w;

    if (!f || !win)
        return;
    getmaxyx(win, h, w);
    sync_current(f);
    build(f, h, w);
}

void ui_form_draw(ui_form *f, WINDOW *win)
{
    int h, w, cy, cx;

    if (!f || !win)
        return;
    getmaxyx(win, h, w);
    if (f->state == UI_FORM_CONFIRMING) {
        draw_confirming(f, win);
        return;
    }
    if (f->dirty || h != f->wh || w != f->ww || f->theme_sig != theme_sig()) {
        sync_current(f);
        build(f, h, w);
    }
    if (f->too_small || !f->form) {
        werase(win);
        put(win, 0, 0, w, UI_ERROR, "window too small for this form (60x15 or more)");
        return;
    }
    paint_editing(f);
    pos_form_cursor(f->form);
    getyx(f->win, cy, cx);
    copywin(f->win, win, 0, 0, 0, 0, h - 1, w - 1, FALSE);
    wmove(win, cy, cx);
}
