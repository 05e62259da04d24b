/*
 * Unit tests for IP addresses read from text: spellings of one address
 * compare equal, an IPv4-mapped IPv6 address equals its IPv4 address, and
 * host names and malformed text are not addresses.
 */
#include "core/netaddr.h"

#include <string.h>
#include <sys/socket.h>

#include "tcheck.h"

/* True when a and b parse and are the same address. */
static bool
same(const char *a, const char *b)
{
    struct netaddr x, y;

    return netaddr_parse(sv_cstr(a), &x) && netaddr_parse(sv_cstr(b), &y) &&
           netaddr_equal(&x, &y);
}

static void
spellings_compare_equal(void)
{
    CHECK(same("203.0.113.50", "203.0.113.50"));
    CHECK(same("203.0.113.50", "::ffff:203.0.113.50"));
    CHECK(same("::FFFF:203.0.113.50", "::ffff:cb00:7132"));
    CHECK(same("2001:DB8::1", "2001:db8:0:0:0:0:0:1"));
    CHECK(!same("203.0.113.50", "203.0.113.5"));
    CHECK(!same("::203.0.113.50", "203.0.113.50"));
    CHECK(!same("2001:db8::1", "2001:db8::2"));
}

static void
mapped_address_reads_as_ipv4(void)
{
    struct netaddr a;

    CHECK(netaddr_parse(SV_LIT("::ffff:192.0.2.7"), &a));
    CHECK_INT(a.family, AF_INET);
    CHECK_INT(a.bytes[0], 192);
    CHECK_INT(a.bytes[3], 7);
    CHECK(netaddr_parse(SV_LIT("2001:db8::7"), &a));
    CHECK_INT(a.family, AF_INET6);

    /* Unmapping leaves any other IPv6 address as it is. */
    unsigned char before[16];
    memcpy(before, a.bytes, sizeof(before));
    CHECK(!netaddr_unmap(a.bytes));
    CHECK(memcmp(before, a.bytes, sizeof(before)) == 0);
}

static void
other_text_is_not_an_address(void)
{
    struct netaddr a;

    CHECK(!netaddr_parse(SV_LIT("host.example.com"), &a));
    CHECK(!netaddr_parse(SV_LIT("192.0.2.7 "), &a));
    CHECK(!netaddr_parse(SV_LIT("192.030.0.6"), &a));
    CHECK(!netaddr_parse(SV_LIT(""), &a));
    CHECK(!netaddr_parse(SV_NULL, &a));
    CHECK(!netaddr_parse(SV_LIT("1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17"),
                         &a));
}

int
main(void)
{
    TEST_RUN("netaddr", spellings_compare_equal);
    TEST_RUN("netaddr", mapped_address_reads_as_ipv4);
    TEST_RUN("netaddr", other_text_is_not_an_address);
    TEST_EXIT();
}
