/* fuzz_config.c - the config file parser (dl_config_parse,
 * src/config/config.c). Properties: a refusal is DL_EINVAL (or DL_ESYS)
 * with a printable message; the result keeps its strings terminated. */
#include "fuzz.h"

#include "deeplens/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_str(data, size);
    static dl_config c;
    dl_err err;

    dl_config_defaults(&c);
    memset(&err, 0, sizeof err);
    if (dl_config_parse(&c, "/etc/deeplens-backup/config", text, &err) == 0) {
        FZ_CHECK(c.nbinds >= 0 && c.nbinds <= DL_CONFIG_MAX_BINDS);
        FZ_CHECK(memchr(c.theme, '\0', sizeof c.theme) != NULL);
        FZ_CHECK(memchr(c.password_file, '\0', sizeof c.password_file) != NULL);
    } else {
        FZ_CHECK(err.kind == DL_EINVAL || err.kind == DL_ESYS);
        for (const char *p = err.msg; *p; p++)
            FZ_CHECK(*p >= 0x20 && *p < 0x7f);
    }
    free(text);
    return 0;
}
