/*
 * Escaping of untrusted bytes for JSON and for terminals.
 *
 * Both escapers keep every byte recoverable: bytes that are not valid UTF-8
 * become the four characters \xHH and a literal backslash becomes \\, so
 * "\x41" in the input cannot be confused with an escaped byte.
 */
#ifndef SSHTRAIL_ESCAPE_H
#define SSHTRAIL_ESCAPE_H

#include "core/buf.h"
#include "core/sv.h"

/*
 * Returns the length of the valid UTF-8 sequence at p (at most n bytes), or
 * 0 when p does not start with one.  Overlong forms, surrogates and code
 * points past U+10FFFF are invalid.
 */
size_t utf8_seq_len(const unsigned char *p, size_t n);

/* Appends v as the inside of a JSON string (no quotes). */
void escape_json(struct buf *out, struct sv v);

/*
 * Appends v for a terminal: control bytes (C0, DEL, C1) and invalid UTF-8
 * as \xHH, a backslash as \\.  When v is longer than max bytes, the first
 * max bytes are written followed by "...[+N bytes]".  max 0 means no cap.
 */
void escape_text(struct buf *out, struct sv v, size_t max);

#endif
