/* fuzz_validate.c - every field validator (src/backup/validate.c, the cron
 * grammar through dl_validate_schedule) and the spec read back from a
 * container's labels (src/backup/spec.c). The first byte picks the
 * validator; the rest is the operator's (or the labels') text.
 * Properties: a refusal is DL_EINVAL with a message that is printable
 * ASCII (the value is quoted inert); accepted specs survive a labels round
 * trip unchanged. */
#include "fuzz.h"

#include "deeplens/spec.h"

static void check_refusal(int rc, const dl_err *err)
{
    if (rc == 0)
        return;
    FZ_CHECK(rc == -1);
    FZ_CHECK(err->kind == DL_EINVAL);
    for (const char *p = err->msg; *p; p++)
        FZ_CHECK(*p >= 0x20 && *p < 0x7f);
}

/* "key=value" lines to labels (pointers into text, which is modified). */
static size_t split_labels(char *text, dk_kv *kv, size_t max)
{
    size_t n = 0;
    for (char *line = text; line && n < max;) {
        char *nl = strchr(line, '\n'), *eq;
        if (nl)
            *nl++ = '\0';
        if ((eq = strchr(line, '=')) != NULL) {
            *eq = '\0';
            kv[n].key = line;
            kv[n].value = eq + 1;
            n++;
        }
        line = nl;
    }
    return n;
}

static void labels_round_trip(char *text)
{
    dk_kv in[40], *out = NULL, *again = NULL;
    size_t n = split_labels(text, in, 40), nout = 0, nagain = 0;
    dl_spec s, t;
    dl_err err;
    int rc = dl_spec_from_labels(&s, in, n, &err);
    check_refusal(rc, &err);
    if (rc)
        return;
    rc = dl_spec_to_labels(&s, &out, &nout, &err);
    check_refusal(rc, &err);
    if (rc)
        return;
    FZ_CHECK(dl_spec_from_labels(&t, out, nout, &err) == 0);
    FZ_CHECK(dl_spec_to_labels(&t, &again, &nagain, &err) == 0);
    FZ_CHECK(nagain == nout);
    for (size_t i = 0; i < nout; i++) {
        FZ_CHECK(strcmp(out[i].key, again[i].key) == 0);
        FZ_CHECK(strcmp(out[i].value, again[i].value) == 0);
    }
    dl_labels_free(out, nout);
    dl_labels_free(again, nagain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned which = fz_byte(&data, &size) % 17;
    char *v = fz_str(data, size);
    dl_err err;
    dl_target t;
    unsigned uid, gid;
    int days;
    long num;
    int rc = 0;

    memset(&err, 0, sizeof err);
    switch (which) {
    case 0: rc = dl_validate_tenant(v, &err); break;
    case 1: rc = dl_validate_tenant_id(v, &err); break;
    case 2:
        rc = dl_validate_nfs_path(v, &t, &err);
        if (rc == 0)
            FZ_CHECK(t.path[0] == '/');
        break;
    case 3: rc = dl_validate_nfs_options(v, &err); break;
    case 4: rc = dl_validate_schedule(v, &err); break;
    case 5:
        rc = dl_validate_retention(v, &days, &err);
        if (rc == 0)
            FZ_CHECK(days >= 1 && days <= DL_RETENTION_MAX);
        break;
    case 6:
        rc = dl_validate_uid_gid(v, &uid, &gid, &err);
        if (rc == 0)
            FZ_CHECK(uid != 0 && uid <= 2147483647u && gid <= 2147483647u);
        break;
    case 7: rc = dl_validate_image(v, &err); break;
    case 8: rc = dl_validate_database(v, &err); break;
    case 9: rc = dl_validate_host("postgres host", v, &err); break;
    case 10: rc = dl_validate_pg_user(v, &err); break;
    case 11: rc = dl_validate_network(v, &err); break;
    case 12: rc = dl_validate_prefix(v, &err); break;
    case 13:
        rc = dl_validate_number("postgres port", v, 1, 65535, &num, &err);
        if (rc == 0)
            FZ_CHECK(num >= 1 && num <= 65535);
        break;
    case 14: {  /* the quoting every message uses */
        char buf[64];
        dl_inert(v, size, buf, size % sizeof buf + 1);
        for (const char *p = buf; *p; p++)
            FZ_CHECK(*p >= 0x20 && *p < 0x7f);
        break;
    }
    case 15: rc = dl_parse_uid_gid(v, &uid, &gid, &err); break;
    default: labels_round_trip(v); break;
    }
    check_refusal(rc, &err);
    free(v);
    return 0;
}
