/* units.c - sizes and numbers in configuration text (units.h). */
#include "units.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Digits of base 10 or 16 from *ps, at least one; advances *ps. */
static int parse_digits(const char **ps, unsigned base, uint64_t *out)
{
    const char *s = *ps;
    uint64_t v = 0;
    int n = 0;
    for (;; s++, n++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            break;
        if (v > (UINT64_MAX - d) / base)
            return -1; /* overflow */
        v = v * base + d;
    }
    if (n == 0)
        return -1;
    *ps = s;
    *out = v;
    return 0;
}

static int is_hex_prefix(const char *s) { return s[0] == '0' && (s[1] == 'x' || s[1] == 'X'); }

int units_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v;
    if (s == NULL)
        return -1;
    if (is_hex_prefix(s)) {
        s += 2;
        if (parse_digits(&s, 16, &v) != 0)
            return -1;
    } else if (parse_digits(&s, 10, &v) != 0) {
        return -1;
    }
    if (*s != '\0')
        return -1;
    *out = v;
    return 0;
}

int units_parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *suffix;
        unsigned shift;
    } suffixes[] = {
        {"", 0},     {"b", 0},    {"k", 10},   {"kb", 10},  {"kib", 10}, {"m", 20},   {"mb", 20},
        {"mib", 20}, {"g", 30},   {"gb", 30},  {"gib", 30}, {"t", 40},   {"tb", 40},  {"tib", 40},
    };
    uint64_t v;
    char suf[4];
    size_t n = 0;

    if (s == NULL)
        return -1;
    if (is_hex_prefix(s))
        return units_parse_u64(s, out);
    if (parse_digits(&s, 10, &v) != 0)
        return -1;
    if (*s == ' ' || *s == '\t') {
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            return -1; /* blanks only between a number and its unit */
    }
    for (; *s != '\0'; s++) {
        if (n + 1 >= sizeof suf)
            return -1;
        suf[n++] = (char)tolower((unsigned char)*s);
    }
    suf[n] = '\0';
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (strcmp(suf, suffixes[i].suffix) == 0) {
            unsigned sh = suffixes[i].shift;
            if (sh != 0 && v > (UINT64_MAX >> sh))
                return -1; /* overflow */
            *out = v << sh;
            return 0;
        }
    }
    return -1;
}

const char *units_fmt_size(uint64_t bytes, char *buf, size_t n)
{
    static const char *const names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    unsigned u = 0;
    if (buf == NULL || n == 0)
        return buf;
    while (u + 1 < sizeof names / sizeof names[0] && bytes >= (UINT64_C(1) << (10 * (u + 1))))
        u++;
    uint64_t unit = UINT64_C(1) << (10 * u);
    uint64_t whole = bytes / unit, rem = bytes % unit;
    if (rem == 0) {
        snprintf(buf, n, "%" PRIu64 " %s", whole, names[u]);
    } else {
        /* rem < unit <= 2^40, so rem * 10 cannot overflow */
        uint64_t tenths = (rem * 10 + unit / 2) / unit;
        if (tenths == 10) {
            whole++;
            tenths = 0;
        }
        if (whole == 1024 && u + 1 < sizeof names / sizeof names[0]) {
            whole = 1; /* 1023.96 KiB reads better as 1.0 MiB */
            u++;
        }
        snprintf(buf, n, "%" PRIu64 ".%" PRIu64 " %s", whole, tenths, names[u]);
    }
    return buf;
}
