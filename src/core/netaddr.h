/*
 * IP addresses read from text into binary, so that two spellings of one
 * address compare equal: "203.0.113.50", "::ffff:203.0.113.50" (an
 * IPv4-mapped IPv6 address) and upper- or lower-case IPv6 text.
 */
#ifndef SSHTRAIL_NETADDR_H
#define SSHTRAIL_NETADDR_H

#include <stdbool.h>

#include "core/sv.h"

struct netaddr {
    int family;                 /* AF_INET (bytes[0..3]) or AF_INET6 */
    unsigned char bytes[16];
};

/*
 * Reads text as inet_pton does, an IPv4-mapped IPv6 address as the IPv4
 * address it carries.  Returns false for anything else, such as a host
 * name.
 */
bool netaddr_parse(struct sv text, struct netaddr *out);

/*
 * Turns the 16 bytes of an IPv4-mapped IPv6 address (::ffff:a.b.c.d) in
 * place into the 4 bytes of its IPv4 address, the other 12 set to zero.
 * Returns false, changing nothing, for any other IPv6 address.
 */
bool netaddr_unmap(unsigned char bytes[16]);

/* True when a and b are the same address. */
bool netaddr_equal(const struct netaddr *a, const struct netaddr *b);

#endif
