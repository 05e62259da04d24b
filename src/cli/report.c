/* Escaped diagnostics of the command line; see report.h. */
#include "cli/report.h"

#include <stdarg.h>

#include "core/escape.h"

__attribute__((format(printf, 2, 0))) static void
report_vtext(FILE *f, const char *fmt, va_list ap)
{
    char msg[REPORT_MAX];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (escape_text_write(f, msg) < 0) {
        /* Without memory for the escaped copy, write the printable ASCII
         * of the message and '?' for every other byte. */
        for (const char *p = msg; *p != '\0'; p++) {
            fputc(*p >= 0x20 && *p < 0x7f ? *p : '?', f);
        }
    }
}

void
report_error(const char *fmt, ...)
{
    va_list ap;

    fputs("sshtrail: ", stderr);
    va_start(ap, fmt);
    report_vtext(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void
report_text(FILE *f, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_vtext(f, fmt, ap);
    va_end(ap);
}
