/* operation.c - what the console does to tenants: the tenant actions, the
 * forms that ask for them, the password a provision may need, the worker
 * job that carries them out with its progress view, the end of a job and
 * the question before quitting while one runs. The form, the password box,
 * the progress view and the quit question are modals (modal.h); the loop
 * (app.c) only calls ui_op_poll every turn and ui_op_free at the end.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "engines.h"
#include "draw.h"
#include "term.h"
#include "theme.h"

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--) *v++ = 0;
}

/* ---- the progress view ----------------------------------------------------------- */

static void progress_draw(ui_app *a, ui_modal *m, WINDOW *w)
{
    if (a->progress) ui_progress_draw(a->progress, w);
}

static int hide_progress(ui_app *a)
{
    ui_op_hide_progress(a);
    if (a->job)
        ui_app_message(a, UI_DIM, "%s goes on in the background; J shows it again",
                       a->job_label);
    return UI_R_ALL;
}

/* Keys over an operation's progress; -1: not one of its own (help, theme,
 * refresh... go on to the console's). */
static int progress_key(ui_app *a, ui_modal *m, int key, ui_action act)
{
    ui_progress_motion mo;
    switch (act) {
    case UI_ACT_QUIT:
    case UI_ACT_BACK:
    case UI_ACT_HIDE: a->msg[0] = '\0'; return hide_progress(a) | UI_R_STATUS;
    case UI_ACT_UP: mo = UI_PROGRESS_UP; break;
    case UI_ACT_DOWN: mo = UI_PROGRESS_DOWN; break;
    case UI_ACT_PAGE_UP: mo = UI_PROGRESS_PAGE_UP; break;
    case UI_ACT_PAGE_DOWN: mo = UI_PROGRESS_PAGE_DOWN; break;
    case UI_ACT_TOP: mo = UI_PROGRESS_TOP; break;
    case UI_ACT_BOTTOM: mo = UI_PROGRESS_BOTTOM; break;
    default: return -1;
    }
    a->msg[0] = '\0';
    if (a->progress) ui_progress_move(a->progress, mo);
    return UI_R_ALL;
}

static const ui_modal_ops progress_modal = {
    .name = "progress",
    .place = UI_MODAL_WINDOW,
    .cx = UI_CX_PROGRESS,
    .key = progress_key,
    .draw = progress_draw,
};

int ui_op_progress_shown(const ui_app *a) { return ui_modal_find(a, &progress_modal) != NULL; }
void ui_op_hide_progress(ui_app *a) { ui_modal_remove(a, &progress_modal); }

int ui_op_show_progress(ui_app *a)
{
    if (!a->progress) {
        ui_app_message(a, UI_DIM, "no operation yet");
        return UI_R_STATUS;
    }
    if (!ui_op_progress_shown(a)) ui_modal_push(a, &progress_modal, NULL);
    return UI_R_ALL;
}

/* ---- jobs -------------------------------------------------------------------------- */

static void on_job_line(void *ud, dl_step_kind k, const char *line)
{
    ui_app *a = ud;
    if (a->progress) ui_progress_add(a->progress, k, line);
}

int ui_app_start_job(ui_app *a, const ui_job_req *r)
{
    if (a->job) {
        ui_app_message(a, UI_WARNING, "%s is still running (J shows it)", a->job_label);
        return UI_R_STATUS;
    }
    dl_err err;
    dl_err_clear(&err);
    const char *tenant = r->kind == UI_JOB_PROVISION ? r->form.spec.tenant : r->tenant;
    /* a provision goes to the engine its form names; the rest to the tenant's */
    const char *engine = r->kind == UI_JOB_PROVISION ? r->form.engine : NULL;
    const dk_endpoint *ep = engine && *engine ? ui_engine_endpoint_on(a, engine, tenant, &err)
                                              : ui_engine_endpoint(a, tenant, &err);
    /* the job guard of a read-only engine (read-only mode: ui_job_start's) */
    if (ep && ui_audit_job_mutates(r->kind) &&
        ui_engine_refuse(a, ui_job_kind_name(r->kind), tenant, engine, &err) < 0)
        ep = NULL;
    ui_job *j = ep ? ui_job_start(ep, &a->ctx.site, r, &a->ctx, &err) : NULL;
    if (!j) {
        ui_app_message(a, UI_ERROR, "%s", err.msg);
        return UI_R_STATUS;
    }
    a->job = j;
    a->job_kind = r->kind;
    snprintf(a->job_tenant, sizeof a->job_tenant, "%s",
             r->kind == UI_JOB_PROVISION ? r->form.spec.tenant : r->tenant);
    snprintf(a->job_label, sizeof a->job_label, "%s %s", ui_job_kind_name(r->kind),
             a->job_tenant);
    a->job_outcome[0] = '\0';
    ui_op_hide_progress(a);
    if (a->progress) ui_progress_free(a->progress);
    a->progress = ui_progress_new(ui_job_title(j));
    if (a->progress) {
        ui_progress_set_ascii(a->progress, ui_term_ascii());
        ui_modal_push(a, &progress_modal, NULL);
    }
    a->msg[0] = '\0';
    return UI_R_ALL;
}

static const ui_modal_ops quit_modal;

int ui_op_poll(ui_app *a)
{
    if (!a->job) return 0;
    if (!ui_job_poll(a->job, on_job_line, a)) return UI_R_BODY;
    dl_err err;
    dl_err_clear(&err);
    int ok = ui_job_result(a->job, &err) == 0;
    char title[160];
    snprintf(title, sizeof title, "%s", ui_job_title(a->job));
    ui_job_free(a->job);
    a->job = NULL;
    ui_modal_remove(a, &quit_modal);    /* nothing left to wait for: ask again */
    if (ok) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s: done", title);
        if (a->progress) ui_progress_finish(a->progress, 1, msg);
        snprintf(a->job_outcome, sizeof a->job_outcome, "%s: ok", a->job_label);
        a->job_outcome_role = UI_SUCCESS;   /* shown at the status line's end */
    } else {
        if (a->progress) ui_progress_finish(a->progress, 0, err.msg);
        snprintf(a->job_outcome, sizeof a->job_outcome, "%s: FAILED", a->job_label);
        a->job_outcome_role = UI_ERROR;
        ui_app_message(a, UI_ERROR, "%s: FAILED: %s", a->job_label, err.msg);
    }
    if (a->job_kind == UI_JOB_PROVISION && ok)
        snprintf(a->focus, sizeof a->focus, "%s", a->job_tenant);
    dl_fleet_refresh_one(a->fleet, a->job_tenant);
    int mask = UI_R_ALL;
    UI_EACH_VIEW(mask, job_done, a, a->job_kind, a->job_tenant, ok);
    return mask;
}

/* ---- the password a provision needs when no file gives it --------------------------- */

static void password_draw(ui_app *a, ui_modal *m, WINDOW *w)
{
    char q[160], stars[80];
    snprintf(q, sizeof q, "Database password for provisioning '%s' (not shown):",
             a->pending.form.spec.tenant);
    size_t n = a->password.len < sizeof stars - 1 ? a->password.len : sizeof stars - 1;
    memset(stars, '*', n);
    stars[n] = '\0';
    const char *lines[] = {
        q, stars[0] ? stars : "_", "",
        "no password file was given (--password-file or postgres_password_file)",
    };
    ui_draw_box(w, UI_TITLE, "Password", lines, 4);
}

static const char *password_hints(const ui_app *a, const ui_modal *m)
{
    return "Enter provision  Esc cancel";
}

static void password_close(ui_app *a, ui_modal *m) { wipe(&a->password, sizeof a->password); }

static const ui_modal_ops password_modal;

static int password_key(ui_app *a, ui_modal *m, int key, ui_action act)
{
    int r = ui_prompt_key(&a->password, key);
    if (r == 0) return UI_R_BODY | UI_R_STATUS;
    if (r > 0) {
        snprintf(a->pending.password, sizeof a->pending.password, "%s", a->password.text);
        ui_modal_remove(a, &password_modal);     /* wipes the typed text */
        int mask = ui_app_start_job(a, &a->pending);
        wipe(&a->pending, sizeof a->pending);
        return mask | UI_R_ALL;
    }
    ui_modal_remove(a, &password_modal);
    wipe(&a->pending, sizeof a->pending);
    ui_app_message(a, UI_DIM, "provisioning cancelled");
    return UI_R_ALL;
}

static const ui_modal_ops password_modal = {
    .name = "password",
    .place = UI_MODAL_BODY,
    .key = password_key,
    .draw = password_draw,
    .hints = password_hints,
    .close = password_close,
};

/* ---- forms ----------------------------------------------------------------------------- */

/* A form action as the key the form takes for it (forms.h). */
static int form_key_of(ui_action act)
{
    switch (act) {
    case UI_ACT_FORM_NEXT: return '\t';
    case UI_ACT_FORM_PREV: return KEY_BTAB;
    case UI_ACT_FORM_NEXT_PAGE: return KEY_NPAGE;
    case UI_ACT_FORM_PREV_PAGE: return KEY_PPAGE;
    case UI_ACT_FORM_ENTER: return '\n';
    case UI_ACT_FORM_SUBMIT: return KEY_F(2);
    case UI_ACT_FORM_CANCEL: return UI_KEY_ESC;
    case UI_ACT_FORM_PRESET_NEXT: return KEY_F(3);
    case UI_ACT_FORM_PRESET_PREV: return KEY_F(15);
    case UI_ACT_CONFIRM_YES: return 'y';
    case UI_ACT_CONFIRM_NO: return 'n';
    case UI_ACT_CONFIRM_UP: return KEY_UP;
    case UI_ACT_CONFIRM_DOWN: return KEY_DOWN;
    case UI_ACT_CONFIRM_PAGE_UP: return KEY_PPAGE;
    case UI_ACT_CONFIRM_PAGE_DOWN: return KEY_NPAGE;
    default: return -1;
    }
}

static const ui_modal_ops form_modal;

/* The form was confirmed: its job, after the password if one is missing. */
static int form_done(ui_app *a, ui_form *f)
{
    const ui_form_result *r = ui_form_result_get(f);
    ui_job_req req;
    memset(&req, 0, sizeof req);
    req.form = *r;
    snprintf(req.tenant, sizeof req.tenant, "%s",
             r->kind == UI_FORM_PROVISION ? r->spec.tenant : r->tenant);
    snprintf(req.file, sizeof req.file, "%s", r->file);
    switch (r->kind) {
    case UI_FORM_PROVISION: req.kind = UI_JOB_PROVISION; break;
    case UI_FORM_RESCHEDULE: req.kind = UI_JOB_RESCHEDULE; break;
    case UI_FORM_REMOVE: req.kind = UI_JOB_REMOVE; break;
    case UI_FORM_RESTORE: req.kind = UI_JOB_RESTORE; break;
    }
    ui_modal_remove(a, &form_modal);    /* frees f */
    if (req.kind == UI_JOB_PROVISION) {
        dl_err err;
        dl_err_clear(&err);
        if (dl_config_password(a->opts->config, a->opts->password_file, 0, req.password,
                               sizeof req.password, &err) < 0) {
            a->pending = req;
            ui_prompt_start(&a->password, UI_PROMPT_PASSWORD, "", NULL, NULL);
            ui_modal_push(a, &password_modal, NULL);
            wipe(&req, sizeof req);
            return UI_R_ALL;
        }
    }
    int mask = ui_app_start_job(a, &req);
    wipe(&req, sizeof req);
    return mask;
}

static int form_key(ui_app *a, ui_modal *m, int key, ui_action act)
{
    ui_form *f = m->data;
    int k = form_key_of(act);
    if (k < 0) k = key & UI_KEY_FN ? key & ~UI_KEY_FN : key;   /* as curses gives it */
    ui_form_state s = ui_form_key(f, k);
    if (s == UI_FORM_DONE) return form_done(a, f);
    if (s == UI_FORM_CANCELLED) {
        ui_modal_remove(a, &form_modal);
        ui_app_message(a, UI_DIM, "cancelled");
    }
    return UI_R_ALL;
}

static int form_context(const ui_app *a, const ui_modal *m)
{
    return ui_form_state_of(m->data) == UI_FORM_CONFIRMING ? UI_CX_CONFIRM : UI_CX_FORM;
}

static void form_draw(ui_app *a, ui_modal *m, WINDOW *w) { ui_form_draw(m->data, w); }
static const char *form_hints(const ui_app *a, const ui_modal *m) { return ui_form_hints(m->data); }
static int form_cursor(const ui_app *a, const ui_modal *m) { return 1; }
static void form_resize(ui_app *a, ui_modal *m) { ui_form_resize(m->data, m->win); }
static void form_close(ui_app *a, ui_modal *m) { ui_form_free(m->data); }

static const ui_modal_ops form_modal = {
    .name = "form",
    .place = UI_MODAL_WINDOW,
    .context = form_context,
    .key = form_key,
    .draw = form_draw,
    .hints = form_hints,
    .cursor = form_cursor,
    .resize = form_resize,
    .close = form_close,
};

int ui_app_open_form(ui_app *a, ui_form *f)
{
    if (!f) {
        ui_app_message(a, UI_ERROR, "cannot open the form: out of memory");
        return UI_R_STATUS;
    }
    ui_modal_remove(a, &form_modal);
    ui_form_set_ascii(f, ui_term_ascii());     /* --ascii */
    ui_modal_push(a, &form_modal, f);
    a->msg[0] = '\0';
    return UI_R_ALL;
}

/* ---- tenant actions ----------------------------------------------------------------------- */

int ui_app_tenant_action(ui_app *a, ui_action act, const dl_status *st)
{
    if (act == UI_ACT_PROVISION) {
        ui_form *f = ui_form_provision(&a->ctx.site);
        if (f)
            ui_engines_form(a, f);   /* several engines: which one */
        return ui_app_open_form(a, f);
    }
    if (!st) {
        ui_app_message(a, UI_WARNING, "no tenant selected");
        return UI_R_STATUS;
    }
    ui_job_req req;
    memset(&req, 0, sizeof req);
    snprintf(req.tenant, sizeof req.tenant, "%s", st->spec.tenant);
    switch (act) {
    case UI_ACT_BACKUP_NOW:
        req.kind = UI_JOB_BACKUP_NOW;
        return ui_app_start_job(a, &req);
    case UI_ACT_RESTART:
        req.kind = UI_JOB_RESTART;
        return ui_app_start_job(a, &req);
    case UI_ACT_RESCHEDULE:
        return ui_app_open_form(a, ui_form_reschedule(st));
    case UI_ACT_REMOVE:
        return ui_app_open_form(a, ui_form_remove(st));
    default:
        return 0;
    }
}

/* ---- quitting while a job runs ---------------------------------------------------------------- */

static void quit_draw(ui_app *a, ui_modal *m, WINDOW *w)
{
    if (!a->job) return;
    ui_fill(w, 0, 0, COLS, ui_attr(UI_NORMAL));
    ui_drawf(w, 0, 0, COLS, ui_attr(UI_WARNING) | A_BOLD,
             "%s is still running and cannot be interrupted: quit and wait for it? (y/N)",
             a->job_label);
}

static const char *quit_hints(const ui_app *a, const ui_modal *m)
{
    return "y quit and wait for it  any other key: stay";
}

static int quit_key(ui_app *a, ui_modal *m, int key, ui_action act)
{
    ui_modal_remove(a, &quit_modal);
    if (act == UI_ACT_QUIT_YES) {
        a->quit = 1;
        return 0;
    }
    ui_app_message(a, UI_DIM, "not quitting; %s goes on", a->job ? a->job_label : "nothing runs");
    return UI_R_STATUS;
}

static const ui_modal_ops quit_modal = {
    .name = "quit",
    .place = UI_MODAL_STATUS,
    .cx = UI_CX_QUIT_ASK,
    .key = quit_key,
    .draw = quit_draw,
    .hints = quit_hints,
};

/* Quitting waits for a running operation (it cannot be interrupted), so
 * the operator is asked first. */
int ui_app_quit(ui_app *a)
{
    if (!a->job) {
        a->quit = 1;
        return 0;
    }
    if (!ui_modal_find(a, &quit_modal)) ui_modal_push(a, &quit_modal, NULL);
    return UI_R_STATUS;
}

/* ---- the end ---------------------------------------------------------------------------------- */

void ui_op_free(ui_app *a)
{
    ui_modal_clear(a);
    if (a->job) ui_job_free(a->job);   /* waits for the worker */
    a->job = NULL;
    if (a->progress) ui_progress_free(a->progress);
    a->progress = NULL;
    wipe(&a->password, sizeof a->password);
    wipe(&a->pending, sizeof a->pending);
}
