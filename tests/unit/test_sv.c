/*
 * Unit tests for the string view helpers that parsers call on every line.
 * The plain IPv4 check agrees with inet_pton and inet_ntop on fixed cases
 * and on generated strings of digits and dots.
 */
#include "core/sv.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "tcheck.h"

/* True when inet_ntop writes text back exactly for what inet_pton read. */
static bool
libc_plain_ipv4(const char *text)
{
    unsigned char addr[4];
    char back[INET_ADDRSTRLEN];

    return inet_pton(AF_INET, text, addr) == 1 &&
           inet_ntop(AF_INET, addr, back, sizeof(back)) != NULL &&
           strcmp(back, text) == 0;
}

static void
plain_ipv4_cases(void)
{
    static const char *const yes[] = {
        "0.0.0.0", "192.0.2.1", "255.255.255.255", "10.0.0.10",
        "198.18.235.44", "1.2.3.4",
    };
    static const char *const no[] = {
        "", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1.2.3.4.5", "256.1.1.1",
        "01.2.3.4", "1.2.3.04", "1.2.3.00", "1..3.4", "1.2.3.4 ",
        "1.2.3.1000", "::1", "::ffff:1.2.3.4", "a.b.c.d", "1.2.3.-4",
        "192.030.0.6", "1234.1.1.1",
    };

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        CHECK(sv_is_plain_ipv4(sv_cstr(yes[i])));
        CHECK(libc_plain_ipv4(yes[i]));
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        CHECK(!sv_is_plain_ipv4(sv_cstr(no[i])));
        CHECK(!libc_plain_ipv4(no[i]));
    }
}

/* Checks every string of up to 9 characters from "0125." (the digits of
 * a number in base 5), then longer ones from a fixed generator. */
static void
plain_ipv4_agrees_with_libc(void)
{
    static const char alphabet[] = "0125.";
    char text[20];
    int disagree = 0;
    uint32_t x = 12345;

    for (uint32_t n = 0; n < 1953125; n++) {
        size_t len = 0;
        for (uint32_t v = n; v > 0 && len < 9; v /= 5) {
            text[len++] = alphabet[v % 5];
        }
        text[len] = '\0';
        if (sv_is_plain_ipv4(sv_make(text, len)) != libc_plain_ipv4(text)) {
            disagree++;
        }
    }
    for (int k = 0; k < 200000; k++) {
        size_t len = 7 + k % 10;
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            text[i] = (x >> 16) % 4 == 0 ? '.' : (char)('0' + (x >> 20) % 10);
        }
        text[len] = '\0';
        if (sv_is_plain_ipv4(sv_make(text, len)) != libc_plain_ipv4(text)) {
            disagree++;
        }
    }
    CHECK_INT(disagree, 0);
}

int
main(void)
{
    TEST_RUN("sv", plain_ipv4_cases);
    TEST_RUN("sv", plain_ipv4_agrees_with_libc);
    TEST_EXIT();
}
