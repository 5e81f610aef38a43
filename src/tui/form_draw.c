/* form_draw.c - layout and painting of the console's forms.
 *
 * The FORM is posted in a private window the size of the caller's, built on
 * the first draw and rebuilt when the size (or the theme) changes; each draw
 * paints labels, messages and previews around the fields there and copies
 * the whole thing into the caller's window, so the caller may erase its
 * window between frames. Fields that do not fit in the height go on further
 * pages of the FORM; focus moving onto them turns the page. Messages too
 * long for their row are cut there and shown whole in the status rows.
 */
#include "form_internal.h"

#include <string.h>

#include "text.h"
#include "theme.h"

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

    uif_curses_free(f);
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

/* ---- drawing ----------------------------------------------------------------- */

/* Bytes of s within `cols` columns, by the shared glyph widths. */
static int clip(const char *s, int cols)
{
    return cols <= 0 ? 0 : (int)ui_text_fit(s, strlen(s), 1, cols, NULL);
}

static int cols_of(const char *s)
{
    return (int)ui_text_width(s, strlen(s), 1);
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
    uif_sync_current(f);
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
        uif_sync_current(f);
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
