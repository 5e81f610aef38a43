/* errors.c - the engine's answers and libcurl's failures in operator
 * words: HTTP status to error kind (404 not found, 409 conflict), the
 * engine's message, and transport failures that say what to do.
 */
#include "internal.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *reason(long status)
{
    switch (status) {
    case 400: return "bad request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not found";
    case 409: return "conflict";
    case 500: return "internal server error";
    case 501: return "not implemented";
    case 503: return "service unavailable";
    default: return "unexpected answer";
    }
}

void dk_error_from_response(long status, const char *body, size_t len,
                            const char *what, dl_err *err)
{
    char msg[400] = "";
    dl_errkind kind = status == 404 ? DL_ENOTFOUND
                    : status == 409 ? DL_ECONFLICT
                    : DL_EHTTP;
    cJSON *o = NULL;

    if (body && len) {
        o = cJSON_ParseWithLength(body, len);
        if (o && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "message")))
            snprintf(msg, sizeof msg, "%s", dkj_str(o, "message"));
        else {  /* plain text: first line, trimmed */
            size_t n = 0;
            while (n < len && n < sizeof msg - 1 && body[n] != '\n' && body[n] != '\r')
                n++;
            memcpy(msg, body, n);
            msg[n] = '\0';
        }
        cJSON_Delete(o);
    }
    if (!msg[0])
        snprintf(msg, sizeof msg, "engine answered %ld %s", status, reason(status));
    /* "No such container: x" -> "no such container: x"; keep "API ..." */
    if (msg[0] >= 'A' && msg[0] <= 'Z' && !(msg[1] >= 'A' && msg[1] <= 'Z'))
        msg[0] = (char)(msg[0] - 'A' + 'a');
    if (what && *what)
        dl_err_set(err, kind, "%s: %s", what, msg);
    else
        dl_err_set(err, kind, "%s", msg);
    if (err)
        err->http_status = status;
}

void dk_transport_error(const dk_endpoint *ep, int curl_code, long os_errno,
                        const char *curl_msg, long timeout_ms, dl_err *err)
{
    char where_buf[sizeof ep->display + sizeof ep->context + 16];
    const char *where = ep->display;
    const char *detail = curl_msg && *curl_msg ? curl_msg : curl_easy_strerror(curl_code);

    if (ep->context[0]) {
        snprintf(where_buf, sizeof where_buf, "%s (context %s)", ep->display, ep->context);
        where = where_buf;
    }
    switch (curl_code) {
    case CURLE_COULDNT_CONNECT:
        if (ep->transport == DK_UNIX && os_errno == EACCES)
            dl_err_set(err, DL_ECONN,
                       "permission denied on %s (add the user to the docker group)",
                       ep->socket_path);
        else if (ep->transport == DK_UNIX && os_errno == ENOENT)
            dl_err_set(err, DL_ECONN,
                       "cannot reach the docker engine at %s: no such socket (is dockerd running?)",
                       where);
        else if (os_errno == ECONNREFUSED)
            dl_err_set(err, DL_ECONN,
                       "cannot reach the docker engine at %s: connection refused "
                       "(is dockerd running?)",
                       where);
        else if (os_errno)
            dl_err_set(err, DL_ECONN, "cannot reach the docker engine at %s: %s",
                       where, strerror((int)os_errno));
        else
            dl_err_set(err, DL_ECONN, "cannot reach the docker engine at %s: %s",
                       where, detail);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        dl_err_set(err, DL_ECONN, "cannot reach the docker engine at %s: unknown host '%s'",
                   where, ep->host);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        if (timeout_ms > 0)
            dl_err_set(err, DL_ECONN,
                       "the docker engine at %s did not answer within %ld s", where,
                       (timeout_ms + 999) / 1000);
        else
            dl_err_set(err, DL_ECONN, "connecting to the docker engine at %s timed out", where);
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
        dl_err_set(err, DL_ECONN, "tls with the docker engine at %s failed: %s", where, detail);
        break;
    case CURLE_GOT_NOTHING:
        if (ep->transport == DK_SSH) {
            dl_err_set(err, DL_ECONN,
                       "the docker engine at %s closed the connection without answering "
                       "('ssh %s docker system dial-stdio' must reach an engine there)", where,
                       ep->host);
            break;
        }
        dl_err_set(err, DL_ECONN,
                   "the docker engine at %s closed the connection without answering "
                   "(is it a docker engine? does it expect tls?)", where);
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_WEIRD_SERVER_REPLY:
        dl_err_set(err, DL_ECONN,
                   "the docker engine at %s answered something that is not http "
                   "(does it expect tls?): %s", where, detail);
        break;
    default:
        dl_err_set(err, DL_ECONN, "connection to the docker engine at %s failed: %s",
                   where, detail);
        break;
    }
    if (err)
        err->http_status = 0;
}

/* 1 if s[0..len) holds word; s need not be NUL terminated (a body). */
static int contains(const char *s, size_t len, const char *word)
{
    size_t wl = strlen(word);
    for (size_t i = 0; i + wl <= len; i++)
        if (!memcmp(s + i, word, wl))
            return 1;
    return 0;
}

int dk_container_error(long status, const char *body, size_t len,
                       const char *what, const char *name, dl_err *err)
{
    dk_error_from_response(status, body, len, what, err);
    if (status == 404 && (!body || !len || contains(body, len, "No such container")))
        dl_err_set(err, DL_ENOTFOUND, "no such container '%s'", name);
    if (err)
        err->http_status = status;
    return -1;
}
