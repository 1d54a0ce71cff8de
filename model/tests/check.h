/* check.h - the unit tests' few assertion macros. A failed check prints
 * file:line, the expression and both values, counts, and the test goes on;
 * CHECK_DONE() returns the exit status and prints "N passed, N failed". */
#ifndef MMU_CHECK_H
#define MMU_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int check_pass_, check_fail_;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            check_pass_++;                                                           \
        } else {                                                                     \
            check_fail_++;                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_EQ(a, b)                                                                        \
    do {                                                                                      \
        uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);                          \
        if (check_a_ == check_b_) {                                                           \
            check_pass_++;                                                                    \
        } else {                                                                              \
            check_fail_++;                                                                    \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s: 0x%" PRIx64 " (%" PRIu64       \
                    ") != 0x%" PRIx64 " (%" PRIu64 ")\n",                                     \
                    __FILE__, __LINE__, #a, #b, check_a_, check_a_, check_b_, check_b_);      \
        }                                                                                     \
    } while (0)

#define CHECK_DONE()                                                         \
    do {                                                                     \
        printf("%d passed, %d failed\n", check_pass_, check_fail_);          \
        return check_fail_ ? EXIT_FAILURE : EXIT_SUCCESS;                    \
    } while (0)

#endif
