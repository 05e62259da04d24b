/*
 * Automation markers as data: each row is a marker and one PCRE2
 * expression that the whole command line of each of its executions must
 * match.  The expressions follow what the tools run on the managed host.
 * Ansible runs its module wrapper AnsiballZ_*.py under ~/.ansible/tmp,
 * echoes BECOME-SUCCESS when it escalates, and creates and removes its
 * ansible-tmp folder.  OpenSSH runs sftp-server for the sftp subsystem,
 * and the rsync client starts `rsync --server` over SSH.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "score/automation.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/patterns.h"

struct marker_row {
    struct automation_marker marker;
    const char *pattern;
};

static const struct marker_row rows[] = {
    { { "ansible", "Ansible module run (AnsiballZ wrapper)" },
      "(AnsiballZ_\\w+\\.py|ansible-tmp-[0-9.]+-[0-9]+-[0-9]+|"
      "BECOME-SUCCESS-[a-z]+|^/bin/sh -c '?echo ~\\S* && sleep 0'?$|"
      "^/bin/sh -c '?/usr/bin/python3? && sleep 0'?$|"
      "^/usr/bin/python3?$)" },
    { { "sftp", "sftp file transfer (sftp-server subsystem)" },
      "^(\\S*/)?sftp-server( -\\S+( \\S+)?)*$" },
    { { "rsync", "rsync transfer (rsync --server)" },
      "^rsync --server( \\S+)*$" },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* PAM's own executions at login: update-motd and the commands it runs. */
static const char pam_noise[] =
    "(update-motd|^run-parts --lsbsysinit /etc/update-motd\\.d|"
    "^/usr/bin/env -i PATH=\\S+ run-parts |^uname -snrvm$)";

struct automation {
    pcre2_code *rows[NROWS];
    pcre2_code *noise;
    pcre2_match_data *match_data;   /* shared by every match */
};

static pcre2_code *
compile(const char *pattern, char *err, size_t n)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   0, &code, &offset, NULL);

    if (re == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, n, "automation marker expression at offset %zu: %s",
                 (size_t)offset, (const char *)msg);
        return NULL;
    }
    /* Without JIT support the interpreter runs the same expression. */
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

struct automation *
automation_new(char *err, size_t n)
{
    struct automation *a = calloc(1, sizeof(*a));

    if (a == NULL) {
        snprintf(err, n, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < NROWS; i++) {
        if ((a->rows[i] = compile(rows[i].pattern, err, n)) == NULL) {
            automation_free(a);
            return NULL;
        }
    }
    if ((a->noise = compile(pam_noise, err, n)) == NULL) {
        automation_free(a);
        return NULL;
    }
    if ((a->match_data = pcre2_match_data_create(1, NULL)) == NULL) {
        snprintf(err, n, "out of memory");
        automation_free(a);
        return NULL;
    }
    return a;
}

void
automation_free(struct automation *a)
{
    if (a == NULL) {
        return;
    }
    for (size_t i = 0; i < NROWS; i++) {
        pcre2_code_free(a->rows[i]);
    }
    pcre2_code_free(a->noise);
    pcre2_match_data_free(a->match_data);
    free(a);
}

static bool
matches(const struct automation *a, pcre2_code *re, const char *text,
        size_t len)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0, a->match_data,
                         NULL);

    /* JIT code repeats a group on a fixed stack, which a long command
     * line can exhaust.  The interpreter then runs the same expression. */
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
        rc = pcre2_match(re, (PCRE2_SPTR)text, len, 0, PCRE2_NO_JIT,
                         a->match_data, NULL);
    }
    return rc >= 0;
}

static bool
marker_enabled(const struct config *cfg, const char *name)
{
    if (cfg == NULL || !cfg->automation_markers_set) {
        return true;
    }
    for (uint32_t i = 0; i < cfg->automation_markers.n; i++) {
        if (strcmp(cfg->automation_markers.items[i], name) == 0) {
            return true;
        }
    }
    return false;
}

const struct automation_marker *
automation_match(const struct automation *a, const struct config *cfg,
                 const struct session *s)
{
    char text[4096];
    bool candidate[NROWS];
    uint32_t compared = 0;

    if (s->nexecs == 0 || s->execs_dropped > 0 || a == NULL) {
        return NULL;
    }
    bool any = false;
    for (size_t k = 0; k < NROWS; k++) {
        candidate[k] =
                       marker_enabled(cfg, rows[k].marker.name);
        any = any || candidate[k];
    }
    /* Once no row is a candidate the result is NULL, so the remaining
     * executions are not matched. */
    if (!any) {
        return NULL;
    }
    for (uint32_t i = 0; i < s->nexecs; i++) {
        bool cut = false;
        size_t len = patterns_command_text(s->execs[i].ev, text,
                                           sizeof(text), &cut);
        if (cut) {
            return NULL;
        }
        if (matches(a, a->noise, text, len)) {
            continue;
        }
        compared++;
        any = false;
        for (size_t k = 0; k < NROWS; k++) {
            candidate[k] = candidate[k] && matches(a, a->rows[k], text, len);
            any = any || candidate[k];
        }
        if (!any) {
            return NULL;
        }
    }
    if (compared == 0) {
        return NULL;
    }
    for (size_t k = 0; k < NROWS; k++) {
        if (candidate[k]) {
            return &rows[k].marker;
        }
    }
    return NULL;
}
