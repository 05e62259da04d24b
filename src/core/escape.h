/*
 * Escaping of untrusted bytes for JSON and for terminals.
 *
 * Both escapers keep every byte recoverable: bytes that are not valid UTF-8
 * become the four characters \xHH and a literal backslash becomes \\, so
 * "\x41" in the input cannot be confused with an escaped byte.
 */
#ifndef SSHTRAIL_ESCAPE_H
#define SSHTRAIL_ESCAPE_H

#include <stdio.h>

#include "core/buf.h"
#include "core/sv.h"

/*
 * Returns the length of the valid UTF-8 sequence at p (at most n bytes), or
 * 0 when p does not start with one.  Overlong forms, surrogates and code
 * points past U+10FFFF are invalid.
 */
size_t utf8_seq_len(const unsigned char *p, size_t n);

/*
 * 1 for the bytes escape_json copies as they are: printable ASCII except
 * the quote and the backslash.  NUL is 0, so a scan of a C string with this
 * table also stops at its end.
 */
extern const unsigned char escape_json_plain[256];

/*
 * The maximum number of bytes escape_json writes for one input byte: a
 * control byte becomes \u00HH.
 */
#define ESCAPE_JSON_MAX_RATIO 6

/*
 * The maximum length of a value that escape_json escapes in place after
 * one reservation of ESCAPE_JSON_MAX_RATIO bytes per input byte.  Longer
 * values are appended piece by piece.
 */
#define ESCAPE_JSON_RESERVE_MAX (64u * 1024u)

/*
 * Appends v as the inside of a JSON string (no quotes).  Printable ASCII
 * is copied except the quote (\") and the backslash, which becomes \\\\
 * (an escaped backslash pair, so it reads back as "\\").  \n, \t and \r
 * use their short escapes, the other C0 controls and DEL become \u00HH,
 * valid UTF-8 sequences (U+2028 and U+2029 included) are copied, and every
 * byte of invalid UTF-8 becomes \\xHH (reading back as "\xHH").  When
 * out reaches its maximum the rest is dropped and counted, as buf_add does.
 */
void escape_json(struct buf *out, struct sv v);

/*
 * Writes the escaped form of v, the same bytes escape_json appends, to dst,
 * which has room for ESCAPE_JSON_MAX_RATIO * v.len bytes.  Returns the
 * number of bytes written; no NUL is added.
 */
size_t escape_json_to(char *dst, struct sv v);

/*
 * Appends v for a terminal: control bytes (C0, DEL, C1) and invalid UTF-8
 * as \xHH, a backslash as \\.  When v is longer than max bytes, the first
 * max bytes are written followed by "...[+N bytes]".  max 0 means no cap.
 */
void escape_text(struct buf *out, struct sv v, size_t max);

/*
 * Writes s to f escaped as escape_text does, with no cap, for diagnostics
 * that name a file or repeat input.  Returns 0, or -1 when memory for the
 * escaped copy ran out or the write failed.
 */
int escape_text_write(FILE *f, const char *s);

#endif
