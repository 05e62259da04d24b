/* Unit tests for the journal field table: every name maps back to itself. */
#include "formats/journald_entry.h"

#include "tcheck.h"

static void
every_name_found(void)
{
    for (int f = 0; f < JOURNALD_FIELD_COUNT; f++) {
        struct sv name = sv_cstr(journald_field_name(f));
        CHECK_INT(journald_field_find(name), f);
    }
}

static void
other_names_not_found(void)
{
    CHECK_INT(journald_field_find(SV_LIT("MESSAGE_ID")), -1);
    CHECK_INT(journald_field_find(SV_LIT("_PI")), -1);
    CHECK_INT(journald_field_find(SV_LIT("_PIE")), -1);
    CHECK_INT(journald_field_find(SV_LIT("message")), -1);
    CHECK_INT(journald_field_find(SV_LIT("")), -1);
}

int
main(void)
{
    TEST_RUN("journald_fields", every_name_found);
    TEST_RUN("journald_fields", other_names_not_found);
    TEST_EXIT();
}
