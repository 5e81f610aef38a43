/* fuzz_status_file.c - the job's status file (/backups/.deeplens/status,
 * on the tenant's share: anyone with write access to it writes it) read
 * by dl_status_parse_job, then the health rules over it. Properties: every
 * string field stays NUL terminated within its array; file names too. */
#include "fuzz.h"

#include "deeplens/backup.h"

#define TERMINATED(a) FZ_CHECK(memchr((a), '\0', sizeof(a)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dl_status st;
    dl_err err;

    memset(&st, 0, sizeof st);
    dl_spec_defaults(&st.spec);
    /* a yearly schedule: the health rules' longest-gap walk over 400 days
     * then takes two steps, not 400 (the status file cannot change it) */
    snprintf(st.spec.schedule, sizeof st.spec.schedule, "0 2 1 1 *");
    snprintf(st.state, sizeof st.state, "running");
    if (dl_status_parse_job(&st, (const char *)data, size, &err) == 0) {
        TERMINATED(st.last_result);
        TERMINATED(st.last_reason);
        TERMINATED(st.last_file);
        TERMINATED(st.last_success_file);
        for (size_t i = 0; i < st.nfiles; i++)
            TERMINATED(st.files[i].name);
        dl_health_eval(&st, (time_t)1765850401);
        dl_health_eval(&st, (time_t)0);
    }
    dl_status_clear(&st);
    return 0;
}
