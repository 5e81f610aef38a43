/* fuzz_cron.c - the cron parser and what is computed from a parsed
 * schedule (next runs, words, the longest gap when it is cheap to find).
 * Properties: next runs are strictly later and match the schedule's
 * minute and hour sets; the words fit their buffer. */
#include "fuzz.h"

#include <time.h>

#include "deeplens/cron.h"

static int popcount64(uint64_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned bufsel = fz_byte(&data, &size);
    char *text = fz_str(data, size), words[128];
    dl_cron c;
    dl_err err;
    static const time_t from[] = {0, 1765850401, 951782400 /* 29 feb 2000 */, 4102444799};

    if (dl_cron_parse(&c, text, &err) == 0) {
        for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
            time_t t = from[i], next;
            for (int k = 0; k < 3 && dl_cron_next(&c, t, &next) == 0; k++) {
                struct tm tm;
                FZ_CHECK(next > t);
                gmtime_r(&next, &tm);
                FZ_CHECK(c.minute >> tm.tm_min & 1);
                FZ_CHECK(c.hour >> tm.tm_hour & 1);
                FZ_CHECK(c.month >> (tm.tm_mon + 1) & 1);
                t = next;
            }
        }
        {
            size_t n = bufsel % sizeof words + 1;
            memset(words, 'x', sizeof words);
            dl_cron_describe(&c, words, n);
            FZ_CHECK(memchr(words, '\0', n) != NULL);
        }
        /* every run over 400 days: only for schedules with few runs a day */
        if (popcount64(c.minute) * popcount64(c.hour) <= 2)
            (void)dl_cron_max_gap(&c, from[1]);
    } else {
        FZ_CHECK(err.kind == DL_EINVAL);
    }
    free(text);
    return 0;
}
