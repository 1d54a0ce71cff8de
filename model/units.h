/* units.h - sizes and numbers in configuration text.
 *
 * Sizes use binary units: K = 1024, M = 1024^2, G = 1024^3, T = 1024^4, with
 * an optional "i" and "B" ("4K", "4KB", "4KiB", "4 kib" are all 4096).
 * Keys and ranges that use them: docs/config.md.
 */
#ifndef MMU_UNITS_H
#define MMU_UNITS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parse a size: decimal digits, optional blanks, optional suffix
 * (B, K, KB, KiB, M, MB, MiB, G, GB, GiB, T, TB, TiB; any case), or 0x hex
 * without a suffix. Returns 0, or -1 on an empty string, a sign, junk, a
 * fraction or a value above UINT64_MAX (*out is then unchanged). */
int units_parse_size(const char *s, uint64_t *out);

/* Parse an unsigned 64-bit number: decimal or 0x/0X hex, nothing else.
 * Returns 0, or -1 as units_parse_size (*out is then unchanged). */
int units_parse_u64(const char *s, uint64_t *out);

/* Format bytes with the largest binary unit not above them: "512 B",
 * "4 KiB", "2 MiB", "1.5 GiB" (an integer when exact, else one decimal,
 * rounded half up). Writes at most n bytes to buf and returns buf. */
const char *units_fmt_size(uint64_t bytes, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
