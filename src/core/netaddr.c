/* IP addresses from text; see netaddr.h. */
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

bool
netaddr_unmap(unsigned char bytes[16])
{
    static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0,
                                                 0, 0, 0, 0, 0xff, 0xff };

    if (memcmp(bytes, v4_mapped, sizeof(v4_mapped)) != 0) {
        return false;
    }
    memmove(bytes, bytes + 12, 4);
    memset(bytes + 4, 0, 12);
    return true;
}

bool
netaddr_parse(struct sv text, struct netaddr *out)
{
    char copy[INET6_ADDRSTRLEN];

    memset(out, 0, sizeof(*out));
    if (text.p == NULL || text.len >= sizeof(copy)) {
        return false;
    }
    /* inet_pton reads up to a NUL. */
    memcpy(copy, text.p, text.len);
    copy[text.len] = '\0';
    if (inet_pton(AF_INET, copy, out->bytes) == 1) {
        out->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, copy, out->bytes) != 1) {
        return false;
    }
    out->family = netaddr_unmap(out->bytes) ? AF_INET : AF_INET6;
    return true;
}

bool
netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
    size_t n = a->family == AF_INET ? 4 : 16;

    return a->family == b->family && memcmp(a->bytes, b->bytes, n) == 0;
}
