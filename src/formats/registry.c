/*
 * The table of formats and content-based format detection.  Adding a format
 * means adding its ops here and nowhere else.
 */
#include "formats/format.h"

#include <string.h>

extern const struct format_ops sshd_format;
extern const struct format_ops audit_format;
extern const struct format_ops journald_format;
extern const struct format_ops macos_log_format;
extern const struct format_ops eslogger_format;
extern const struct format_ops osquery_format;
extern const struct format_ops esxi_format;
extern const struct format_ops sysmon_format;
extern const struct format_ops zeek_format;
extern const struct format_ops ecs_format;
extern const struct format_ops wtmp_format;

static const struct format_ops *const formats[] = {
    &sshd_format,
    &audit_format,
    &journald_format,
    &macos_log_format,
    &eslogger_format,
    &osquery_format,
    &esxi_format,
    &sysmon_format,
    &zeek_format,
    &ecs_format,
    &wtmp_format,
    NULL,
};

const struct format_ops *const *
format_all(void)
{
    return formats;
}

const struct format_ops *
format_find(const char *name)
{
    for (int i = 0; formats[i] != NULL; i++) {
        if (strcmp(formats[i]->name, name) == 0) {
            return formats[i];
        }
    }
    return NULL;
}

const struct format_ops *
format_detect_binary(const unsigned char *head, size_t n)
{
    const struct format_ops *best = NULL;
    int best_score = 49;

    for (int f = 0; formats[f] != NULL; f++) {
        if (!formats[f]->binary || formats[f]->probe_binary == NULL) {
            continue;
        }
        int score = formats[f]->probe_binary(head, n);
        if (score > best_score) {
            best_score = score;
            best = formats[f];
        }
    }
    return best;
}

/*
 * True when a is tied to a platform other than Linux and b is not.  On
 * equal scores the platform's own format wins: macOS "log show --style
 * syslog" lines are also valid sshd syslog lines, but only the macOS
 * format names the macOS analytic.
 */
static bool
is_more_specific(const struct format_ops *a, const struct format_ops *b)
{
    bool a_generic = a->platform == NULL || strcmp(a->platform, "linux") == 0;
    bool b_generic = b->platform == NULL || strcmp(b->platform, "linux") == 0;

    return !a_generic && b_generic;
}

const struct format_ops *
format_detect(const struct sv *lines, int n)
{
    const struct format_ops *best = NULL;
    long best_score = 0;

    for (int f = 0; formats[f] != NULL; f++) {
        long score = 0;
        if (formats[f]->binary) {
            continue;
        }
        for (int i = 0; i < n; i++) {
            if (sv_trim(lines[i]).len > 0) {
                score += formats[f]->probe(lines[i]);
            }
        }
        if (score > best_score ||
            (score == best_score && best != NULL &&
             is_more_specific(formats[f], best))) {
            best_score = score;
            best = formats[f];
        }
    }
    return best;
}
