/* fuzz_theme.c - the theme grammar (src/tui/theme.c) over arbitrary text,
 * as a theme file found on the search path could hold. Property: a
 * refusal is DL_EINVAL. */
#include "fuzz.h"

#include "deeplens/err.h"
#include "../../src/tui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_str(data, size);
    dl_err err;
    if (ui_theme_check_text("fuzz.theme", text, &err) != 0)
        FZ_CHECK(err.kind == DL_EINVAL);
    free(text);
    return 0;
}
