/* test_sa.c - the set-associative array (model/sa.c) on its own.
 *
 * Every expected way, age vector, PLRU word and LFSR state below was worked
 * out by hand from the replacement rules in the header comment of sa.h:
 *   LRU    age 0 (MRU) .. ways-1 (LRU); reset age[w] = w; touch of w: every
 *          age below age[w] +1, age[w] = 0; victim: the way with age ways-1.
 *   PLRU   ways-1 node bits in heap order (children of n: 2n+1, 2n+2),
 *          reset 0; victim: from the root, 0 = left, 1 = right; a touch
 *          points every node on the way's path away from it.
 *   RANDOM 16-bit Galois LFSR, taps 0xB400, one step per victim choice,
 *          victim = lfsr % ways after the step.
 *   fill   same-tag way if any, else lowest invalid way, else the victim
 *          (LFSR steps only then); the filled way is touched.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "sa.h"

static void mk(sa_t *a, uint32_t entries, uint32_t ways, mmu_repl_t repl, uint16_t seed)
{
    mmu_array_cfg_t c = {entries, ways, repl, seed};
    CHECK_EQ(sa_init(a, &c), 0);
}

static uint32_t fill(sa_t *a, uint64_t tag, uint64_t data, uint16_t pcid, uint8_t flags)
{
    sa_entry_t e = {0};
    e.tag = tag;
    e.data = data;
    e.pcid = pcid;
    e.size = 0;
    e.flags = flags;
    return sa_fill(a, &e);
}

#define CHECK_AGES(a, s, a0, a1, a2, a3)                      \
    do {                                                      \
        CHECK_EQ((a)->age[(uint64_t)(s) * (a)->ways + 0], a0); \
        CHECK_EQ((a)->age[(uint64_t)(s) * (a)->ways + 1], a1); \
        CHECK_EQ((a)->age[(uint64_t)(s) * (a)->ways + 2], a2); \
        CHECK_EQ((a)->age[(uint64_t)(s) * (a)->ways + 3], a3); \
    } while (0)

/* ------------------------------------------------------------------ LRU */

static void test_lru(void)
{
    printf("test_lru\n");
    sa_t a;
    mk(&a, 4, 4, MMU_REPL_LRU, 0);
    CHECK_EQ(a.sets, 1);
    CHECK_EQ(a.set_mask, 0);
    /* reset: age = [0,1,2,3], victim = way 3 (age 3) */
    CHECK_AGES(&a, 0, 0, 1, 2, 3);
    CHECK_EQ(sa_victim(&a, 0), 3);
    CHECK_AGES(&a, 0, 0, 1, 2, 3); /* sa_victim does not change LRU state */

    /* fills into an all-invalid set: lowest invalid way, whatever the ages */
    CHECK_EQ(fill(&a, 10, 0x1000, 0, 0), 0); /* touch 0 (age 0): nothing below -> [0,1,2,3] */
    CHECK_AGES(&a, 0, 0, 1, 2, 3);
    CHECK_EQ(fill(&a, 11, 0x2000, 0, 0), 1); /* touch 1 (age 1): w0 0->1 -> [1,0,2,3] */
    CHECK_AGES(&a, 0, 1, 0, 2, 3);
    CHECK_EQ(fill(&a, 12, 0x3000, 0, 0), 2); /* touch 2 (age 2): w0 1->2, w1 0->1 -> [2,1,0,3] */
    CHECK_AGES(&a, 0, 2, 1, 0, 3);
    CHECK_EQ(fill(&a, 13, 0x4000, 0, 0), 3); /* touch 3 (age 3): all +1 -> [3,2,1,0] */
    CHECK_AGES(&a, 0, 3, 2, 1, 0);
    CHECK_EQ(sa_victim(&a, 0), 0); /* age 3 at way 0 */
    for (uint32_t w = 0; w < 4; w++) {
        CHECK(sa_way(&a, 0, w)->flags & SA_V);
        CHECK_EQ(sa_way(&a, 0, w)->tag, 10 + w);
    }

    /* touches */
    sa_touch(&a, 0, 0); /* old 3: w1 2->3, w2 1->2, w3 0->1 -> [0,3,2,1] */
    CHECK_AGES(&a, 0, 0, 3, 2, 1);
    CHECK_EQ(sa_victim(&a, 0), 1);
    sa_touch(&a, 0, 2); /* old 2: w0 0->1, w3 1->2 (w1 = 3 not below) -> [1,3,0,2] */
    CHECK_AGES(&a, 0, 1, 3, 0, 2);
    CHECK_EQ(sa_victim(&a, 0), 1);
    sa_touch(&a, 0, 1); /* old 3: w0 1->2, w2 0->1, w3 2->3 -> [2,0,1,3] */
    CHECK_AGES(&a, 0, 2, 0, 1, 3);
    CHECK_EQ(sa_victim(&a, 0), 3);
    sa_touch(&a, 0, 1); /* touching the MRU again: old 0, nothing below -> unchanged */
    CHECK_AGES(&a, 0, 2, 0, 1, 3);

    /* full set, new tag 14: victim way 3 (tag 13 goes);
     * touch 3 (old 3): w0 2->3, w1 0->1, w2 1->2 -> [3,1,2,0] */
    CHECK_EQ(fill(&a, 14, 0x5000, 0, 0), 3);
    CHECK_EQ(sa_way(&a, 0, 3)->tag, 14);
    CHECK_EQ(sa_way(&a, 0, 3)->data, 0x5000);
    CHECK_AGES(&a, 0, 3, 1, 2, 0);
    CHECK_EQ(sa_find(&a, 0, 13, 0, 0), -1);

    /* re-fill of an existing tag (11, way 1) overwrites that way, no victim:
     * touch 1 (old 1): w3 0->1 -> [3,0,2,1] */
    CHECK_EQ(fill(&a, 11, 0x6000, 0, 0), 1);
    CHECK_EQ(sa_way(&a, 0, 1)->data, 0x6000);
    CHECK_AGES(&a, 0, 3, 0, 2, 1);
    int n11 = 0;
    for (uint32_t w = 0; w < 4; w++)
        n11 += sa_way(&a, 0, w)->tag == 11;
    CHECK_EQ(n11, 1); /* no duplicate */
    CHECK_EQ(sa_victim(&a, 0), 0);

    /* new tag 15: victim way 0 (age 3); touch 0 (old 3): w1 0->1, w2 2->3, w3 1->2 -> [0,1,3,2] */
    CHECK_EQ(fill(&a, 15, 0x7000, 0, 0), 0);
    CHECK_AGES(&a, 0, 0, 1, 3, 2);
    CHECK_EQ(sa_victim(&a, 0), 2);

    /* invalid ways are preferred over the LRU victim, lowest first:
     * invalidate ways 3 and 1; victim by age would be way 2. */
    sa_way(&a, 0, 3)->flags = 0;
    sa_way(&a, 0, 1)->flags = 0;
    /* fill 16 -> way 1 (lowest invalid); touch 1 (old 1): w0 0->1 -> [1,0,3,2] */
    CHECK_EQ(fill(&a, 16, 0x8000, 0, 0), 1);
    CHECK_AGES(&a, 0, 1, 0, 3, 2);
    /* fill 17 -> way 3; touch 3 (old 2): w0 1->2, w1 0->1 -> [2,1,3,0] */
    CHECK_EQ(fill(&a, 17, 0x9000, 0, 0), 3);
    CHECK_AGES(&a, 0, 2, 1, 3, 0);
    /* now full: fill 18 -> way 2 (age 3) */
    CHECK_EQ(fill(&a, 18, 0xA000, 0, 0), 2);

    /* sa_reset: all invalid, ages back to [0,1,2,3] */
    sa_reset(&a);
    CHECK_AGES(&a, 0, 0, 1, 2, 3);
    for (uint32_t w = 0; w < 4; w++)
        CHECK(!(sa_way(&a, 0, w)->flags & SA_V));
    CHECK_EQ(sa_find(&a, 0, 18, 0, 0), -1);
    sa_free(&a);

    /* 1-way LRU: age[0] = 0 = ways-1 -> victim always way 0 */
    mk(&a, 1, 1, MMU_REPL_LRU, 0);
    CHECK_EQ(fill(&a, 1, 1, 0, 0), 0);
    CHECK_EQ(fill(&a, 2, 2, 0, 0), 0);
    CHECK_EQ(sa_way(&a, 0, 0)->tag, 2);
    CHECK_EQ(sa_find(&a, 0, 1, 0, 0), -1);
    sa_free(&a);
}

/* ------------------------------------------------------------------ PLRU */

static void test_plru4(void)
{
    printf("test_plru4\n");
    /* 4 ways: nodes 0 (root), 1 (ways 0,1), 2 (ways 2,3); leaf of way w is
     * node w+3. Touch 0: b1=1,b0=1. Touch 1: b1=0,b0=1. Touch 2: b2=1,b0=0.
     * Touch 3: b2=0,b0=0. */
    sa_t a;
    mk(&a, 4, 4, MMU_REPL_PLRU, 0);
    CHECK_EQ(a.plru[0], 0);
    CHECK_EQ(sa_victim(&a, 0), 0); /* 0 -> node1, 0 -> node3 = way 0 */
    /* fills 0..3 into invalid ways; after touches 0,1,2,3 in order:
     * t0 {b0,b1}; t1 b1=0 -> {b0}; t2 b2=1,b0=0 -> {b2}; t3 b2=0 -> {} */
    CHECK_EQ(fill(&a, 100, 0, 0, 0), 0);
    CHECK_EQ(a.plru[0], 3); /* b0|b1 */
    CHECK_EQ(fill(&a, 101, 0, 0, 0), 1);
    CHECK_EQ(a.plru[0], 1); /* b0 */
    CHECK_EQ(fill(&a, 102, 0, 0, 0), 2);
    CHECK_EQ(a.plru[0], 4); /* b2 */
    CHECK_EQ(fill(&a, 103, 0, 0, 0), 3);
    CHECK_EQ(a.plru[0], 0);
    CHECK_EQ(sa_victim(&a, 0), 0);

    /* full-set fills with new tags, starting from bits 0:
     * victim 0; touch 0 -> {b0,b1}=3: root 1 -> node2, b2 0 -> way 2
     * victim 2; touch 2 -> b2=1,b0=0 -> {b1,b2}=6: root 0 -> node1, b1 1 -> way 1
     * victim 1; touch 1 -> b1=0,b0=1 -> {b0,b2}=5: root 1 -> node2, b2 1 -> way 3
     * victim 3; touch 3 -> b2=0,b0=0 -> {} = 0 -> way 0 */
    static const uint32_t seq[5] = {0, 2, 1, 3, 0};
    static const uint64_t bits[5] = {3, 6, 5, 0, 3};
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(fill(&a, 200 + (uint64_t)i, 0, 0, 0), seq[i]);
        CHECK_EQ(a.plru[0], bits[i]);
    }
    /* now bits = 3 (after the last fill into way 0) -> victim 2 */
    CHECK_EQ(sa_victim(&a, 0), 2);
    CHECK_EQ(a.plru[0], 3); /* sa_victim does not change PLRU state */

    /* a touch pattern: touch 0 -> {b0,b1}; touch 2 -> b2=1, b0=0 -> {b1,b2}=6;
     * victim: root 0 -> node 1, b1=1 -> node 4 = way 1 */
    sa_touch(&a, 0, 0);
    sa_touch(&a, 0, 2);
    CHECK_EQ(a.plru[0], 6);
    CHECK_EQ(sa_victim(&a, 0), 1);
    /* touch 3 -> b2=0, b0=0 -> {b1}=2: root 0 -> node1, b1=1 -> way 1 */
    sa_touch(&a, 0, 3);
    CHECK_EQ(a.plru[0], 2);
    CHECK_EQ(sa_victim(&a, 0), 1);
    /* touch 1 -> b1=0, b0=1 -> {b0}=1: root 1 -> node2, b2=0 -> way 2 */
    sa_touch(&a, 0, 1);
    CHECK_EQ(a.plru[0], 1);
    CHECK_EQ(sa_victim(&a, 0), 2);

    /* re-fill of an existing tag goes to its own way and touches it:
     * tag 203 is in way 3 (fill i=3 above). touch 3: b2=0,b0=0 -> {} */
    CHECK_EQ(sa_find(&a, 0, 203, 0, 0), 3);
    CHECK_EQ(fill(&a, 203, 0x55, 0, 0), 3);
    CHECK_EQ(sa_way(&a, 0, 3)->data, 0x55);
    CHECK_EQ(a.plru[0], 0);
    sa_free(&a);
}

static void test_plru8(void)
{
    printf("test_plru8\n");
    /* 8 ways: nodes 0..6, leaf of way w = node w+7.
     * node1 -> 3,4; node2 -> 5,6; node3 -> ways 0,1; node4 -> 2,3;
     * node5 -> 4,5; node6 -> 6,7.
     * Path of way w: leaf -> parent ... -> 0; a left child sets its parent's
     * bit (point right), a right child clears it. */
    sa_t a;
    mk(&a, 8, 8, MMU_REPL_PLRU, 0);
    /* fills 0..7 into invalid ways; bits after each touch:
     * t0 b3=1,b1=1,b0=1            -> {0,1,3}  = 0x0B
     * t1 b3=0,b1=1,b0=1            -> {0,1}    = 0x03
     * t2 b4=1,b1=0,b0=1            -> {0,4}    = 0x11
     * t3 b4=0,b1=0,b0=1            -> {0}      = 0x01
     * t4 b5=1,b2=1,b0=0            -> {2,5}    = 0x24
     * t5 b5=0,b2=1,b0=0            -> {2}      = 0x04
     * t6 b6=1,b2=0,b0=0            -> {6}      = 0x40
     * t7 b6=0,b2=0,b0=0            -> {}       = 0x00 */
    static const uint64_t fbits[8] = {0x0B, 0x03, 0x11, 0x01, 0x24, 0x04, 0x40, 0x00};
    for (uint32_t w = 0; w < 8; w++) {
        CHECK_EQ(fill(&a, 300 + w, 0, 0, 0), w);
        CHECK_EQ(a.plru[0], fbits[w]);
    }
    CHECK_EQ(sa_victim(&a, 0), 0);

    /* touch pattern 5, 1, 6:
     * t5: b5=0,b2=1,b0=0 -> {2}        = 4
     * t1: b3=0,b1=1,b0=1 -> {0,1,2}    = 7
     * t6: b6=1,b2=0,b0=0 -> {1,6}      = 0x42
     * victim: b0=0 -> node1, b1=1 -> node4, b4=0 -> node9 = way 2 */
    sa_touch(&a, 0, 5);
    CHECK_EQ(a.plru[0], 4);
    sa_touch(&a, 0, 1);
    CHECK_EQ(a.plru[0], 7);
    sa_touch(&a, 0, 6);
    CHECK_EQ(a.plru[0], 0x42);
    CHECK_EQ(sa_victim(&a, 0), 2);

    /* successive full-set fills of new tags:
     * way 2; t2 b4=1,b1=0,b0=1 -> {0,4,6} = 0x51; victim b0=1 -> n2, b2=0 -> n5, b5=0 -> way 4
     * way 4; t4 b5=1,b2=1,b0=0 -> {2,4,5,6} = 0x74; victim n1 (b1=0) -> n3 (b3=0) -> way 0
     * way 0; t0 b3=1,b1=1,b0=1 -> {0..6} = 0x7F; victim n2 -> n6 -> way 7
     * way 7; t7 b6=0,b2=0,b0=0 -> {1,3,4,5} = 0x3A; victim n1 (1) -> n4 (1) -> way 3
     * way 3; t3 b4=0,b1=0,b0=1 -> {0,3,5} = 0x29; victim n2 (b2=0) -> n5 (b5=1) -> way 5 */
    static const uint32_t seq[5] = {2, 4, 0, 7, 3};
    static const uint64_t bits[5] = {0x51, 0x74, 0x7F, 0x3A, 0x29};
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(fill(&a, 400 + (uint64_t)i, 0, 0, 0), seq[i]);
        CHECK_EQ(a.plru[0], bits[i]);
    }
    CHECK_EQ(sa_victim(&a, 0), 5);
    sa_free(&a);
}

static void test_plru_small(void)
{
    printf("test_plru_small\n");
    sa_t a;
    /* 2 ways: one node b0; way 0 = node 1 (left), way 1 = node 2 (right) */
    mk(&a, 2, 2, MMU_REPL_PLRU, 0);
    CHECK_EQ(sa_victim(&a, 0), 0);           /* reset b0 = 0 -> left */
    CHECK_EQ(fill(&a, 1, 0, 0, 0), 0);       /* invalid way 0; touch 0: b0 = 1 */
    CHECK_EQ(a.plru[0], 1);
    CHECK_EQ(sa_victim(&a, 0), 1);
    CHECK_EQ(fill(&a, 2, 0, 0, 0), 1);       /* invalid way 1; touch 1: b0 = 0 */
    CHECK_EQ(a.plru[0], 0);
    CHECK_EQ(sa_victim(&a, 0), 0);
    sa_touch(&a, 0, 0);                      /* b0 = 1 */
    CHECK_EQ(sa_victim(&a, 0), 1);
    CHECK_EQ(fill(&a, 3, 0, 0, 0), 1);       /* victim 1 (tag 2 goes); b0 = 0 */
    CHECK_EQ(sa_find(&a, 0, 2, 0, 0), -1);
    CHECK_EQ(fill(&a, 4, 0, 0, 0), 0);       /* victim 0 (tag 1 goes); b0 = 1 */
    CHECK_EQ(fill(&a, 5, 0, 0, 0), 1);       /* alternates */
    CHECK_EQ(sa_find(&a, 0, 4, 0, 0), 0);
    CHECK_EQ(sa_find(&a, 0, 5, 0, 0), 1);
    sa_free(&a);

    /* 1 way: no node bits; the victim is always way 0 */
    mk(&a, 1, 1, MMU_REPL_PLRU, 0);
    CHECK_EQ(sa_victim(&a, 0), 0);
    CHECK_EQ(fill(&a, 7, 0, 0, 0), 0);
    CHECK_EQ(fill(&a, 8, 0, 0, 0), 0);
    CHECK_EQ(sa_way(&a, 0, 0)->tag, 8);
    CHECK_EQ(sa_victim(&a, 0), 0);
    sa_free(&a);
}

/* ---------------------------------------------------------------- RANDOM */

/* Independent LFSR: the state as 16 separate bits; one step of the Galois
 * form with polynomial x^16+x^14+x^13+x^11+1 (taps 0xB400 = bits 15,13,12,10)
 * shifts every bit down by one and, when the bit shifted out (s[0]) is 1,
 * feeds it into bit 15 and XORs it into bits 13, 12, 10. */
static uint16_t lfsr_bits(uint16_t v, int steps)
{
    int s[16];
    for (int i = 0; i < 16; i++)
        s[i] = (v >> i) & 1;
    for (int k = 0; k < steps; k++) {
        int out = s[0], n[16];
        for (int i = 0; i < 15; i++)
            n[i] = s[i + 1];
        n[15] = out;
        n[13] ^= out;
        n[12] ^= out;
        n[10] ^= out;
        memcpy(s, n, sizeof s);
    }
    uint16_t r = 0;
    for (int i = 0; i < 16; i++)
        r = (uint16_t)(r | (s[i] << i));
    return r;
}

static void test_random(void)
{
    printf("test_random\n");
    /* By hand, from 0xACE1 = 1010 1100 1110 0001:
     *  s1: lsb 1: 0x5670 ^ 0xB400 = 0xE270
     *  s2: lsb 0: 0x7138     s3: 0x389C     s4: 0x1C4E     s5: 0x0E27
     *  s6: lsb 1: 0x0713 ^ 0xB400 = 0xB313
     *  s7: lsb 1: 0x5989 ^ 0xB400 = 0xED89
     *  s8: lsb 1: 0x76C4 ^ 0xB400 = 0xC2C4
     *  s9: 0x6162    s10: 0x30B1
     *  s11: lsb 1: 0x1858 ^ 0xB400 = 0xAC58     s12: 0x562C */
    static const uint16_t st[13] = {0xACE1, 0xE270, 0x7138, 0x389C, 0x1C4E, 0x0E27, 0xB313,
                                    0xED89, 0xC2C4, 0x6162, 0x30B1, 0xAC58, 0x562C};
    /* the hand table agrees with the bit-by-bit implementation */
    for (int i = 1; i < 13; i++)
        CHECK_EQ(lfsr_bits(0xACE1, i), st[i]);
    /* and with sa.h's exposed single step */
    for (int i = 1; i < 13; i++)
        CHECK_EQ(sa_lfsr_step(st[i - 1]), st[i]);

    /* 4 ways: victims = state % 4 = low two bits:
     * 0xE270->0 0x7138->0 0x389C->0 0x1C4E->2 0x0E27->3 0xB313->3 0xED89->1
     * 0xC2C4->0 0x6162->2 0x30B1->1 0xAC58->0 */
    static const uint32_t v4[11] = {0, 0, 0, 2, 3, 3, 1, 0, 2, 1, 0};
    sa_t a;
    mk(&a, 4, 4, MMU_REPL_RANDOM, 0xACE1);
    CHECK_EQ(a.lfsr, 0xACE1);
    /* fills into invalid ways do not step the LFSR */
    for (uint32_t w = 0; w < 4; w++) {
        CHECK_EQ(fill(&a, 500 + w, 0, 0, 0), w);
        CHECK_EQ(a.lfsr, 0xACE1);
    }
    for (int i = 0; i < 11; i++) {
        CHECK_EQ(fill(&a, 600 + (uint64_t)i, 0, 0, 0), v4[i]);
        CHECK_EQ(a.lfsr, st[i + 1]);
    }
    /* a re-fill of an existing tag does not step */
    CHECK_EQ(fill(&a, 610, 1, 0, 0), 0); /* 610 went to way 0 (last victim) */
    CHECK_EQ(a.lfsr, st[11]);
    /* an invalid way exists: it is used, the LFSR does not step */
    sa_way(&a, 0, 2)->flags = 0;
    CHECK_EQ(fill(&a, 700, 0, 0, 0), 2);
    CHECK_EQ(a.lfsr, st[11]);
    /* next full-set fill: s12 = 0x562C -> way 0 */
    CHECK_EQ(fill(&a, 701, 0, 0, 0), 0);
    CHECK_EQ(a.lfsr, st[12]);
    /* touches never step the LFSR */
    sa_touch(&a, 0, 1);
    CHECK_EQ(a.lfsr, st[12]);
    sa_free(&a);

    /* 3 ways (not a power of two: really % ways, not a mask):
     * 57968%3=2 28984%3=1 14492%3=2 7246%3=1 3623%3=2 45843%3=0 60809%3=2
     * 49860%3=0 (digit sums 35,31,20,19,14,24,23,27) */
    static const uint32_t v3[8] = {2, 1, 2, 1, 2, 0, 2, 0};
    mk(&a, 3, 3, MMU_REPL_RANDOM, 0xACE1);
    for (uint32_t w = 0; w < 3; w++)
        CHECK_EQ(fill(&a, 800 + w, 0, 0, 0), w);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(fill(&a, 900 + (uint64_t)i, 0, 0, 0), v3[i]);
    sa_free(&a);

    /* sa_victim itself steps once per call */
    mk(&a, 4, 4, MMU_REPL_RANDOM, 0xACE1);
    CHECK_EQ(sa_victim(&a, 0), 0);
    CHECK_EQ(a.lfsr, 0xE270);
    CHECK_EQ(sa_victim(&a, 0), 0);
    CHECK_EQ(a.lfsr, 0x7138);
    sa_free(&a);

    /* another seed: 0x0001 -> lsb 1: 0x0000 ^ 0xB400 = 0xB400 -> 0x5A00 -> 0x2D00 */
    CHECK_EQ(lfsr_bits(0x0001, 1), 0xB400);
    mk(&a, 2, 2, MMU_REPL_RANDOM, 0x0001);
    fill(&a, 1, 0, 0, 0);
    fill(&a, 2, 0, 0, 0);
    CHECK_EQ(fill(&a, 3, 0, 0, 0), 0); /* 0xB400 % 2 = 0 */
    CHECK_EQ(a.lfsr, 0xB400);
    CHECK_EQ(fill(&a, 4, 0, 0, 0), 0); /* 0x5A00 % 2 = 0 */
    CHECK_EQ(a.lfsr, 0x5A00);
    sa_free(&a);
}

/* ------------------------------------------------- sets, pcid and global */

static void test_sets(void)
{
    printf("test_sets\n");
    sa_t a;
    mk(&a, 16, 4, MMU_REPL_LRU, 0); /* 4 sets */
    CHECK_EQ(a.sets, 4);
    CHECK_EQ(a.ways, 4);
    CHECK_EQ(a.set_mask, 3);
    CHECK_EQ(sa_set(&a, 0x12), 2); /* 0x12 & 3 */
    CHECK_EQ(sa_set(&a, 0x13), 3);
    CHECK_EQ(sa_set(&a, 0xFFFFFFFFFFFFFFFCull), 0);
    CHECK_EQ(fill(&a, 0x12, 0xA, 0, 0), 0);
    CHECK_EQ(sa_way(&a, 2, 0)->tag, 0x12);
    CHECK_EQ(fill(&a, 0x16, 0xB, 0, 0), 1); /* also set 2, next invalid way */
    CHECK_EQ(sa_way(&a, 2, 1)->tag, 0x16);
    CHECK_EQ(fill(&a, 0x13, 0xC, 0, 0), 0); /* set 3, way 0 */
    CHECK_EQ(sa_way(&a, 3, 0)->tag, 0x13);
    CHECK_EQ(sa_find(&a, 2, 0x12, 0, 0), 0);
    CHECK_EQ(sa_find(&a, 2, 0x16, 0, 0), 1);
    CHECK_EQ(sa_find(&a, 3, 0x13, 0, 0), 0);
    CHECK_EQ(sa_find(&a, 3, 0x12, 0, 0), -1); /* wrong set */
    /* five tags of set 1: 1, 5, 9, 0xD fill ways 0..3, ages [3,2,1,0];
     * 0x11 evicts way 0 (tag 1) of set 1 only */
    CHECK_EQ(fill(&a, 0x1, 0, 0, 0), 0);
    CHECK_EQ(fill(&a, 0x5, 0, 0, 0), 1);
    CHECK_EQ(fill(&a, 0x9, 0, 0, 0), 2);
    CHECK_EQ(fill(&a, 0xD, 0, 0, 0), 3);
    CHECK_AGES(&a, 1, 3, 2, 1, 0);
    CHECK_EQ(fill(&a, 0x11, 0, 0, 0), 0);
    CHECK_EQ(sa_find(&a, 1, 0x1, 0, 0), -1);
    CHECK_EQ(sa_find(&a, 1, 0x11, 0, 0), 0);
    /* set 2's content and replacement state are untouched:
     * set 2 fills: way0 [0,1,2,3], way1 [1,0,2,3] */
    CHECK_EQ(sa_find(&a, 2, 0x12, 0, 0), 0);
    CHECK_EQ(sa_find(&a, 2, 0x16, 0, 0), 1);
    CHECK_AGES(&a, 2, 1, 0, 2, 3);
    CHECK_AGES(&a, 0, 0, 1, 2, 3);
    sa_free(&a);

    /* pcid / global / size matching in sa_find */
    mk(&a, 8, 4, MMU_REPL_LRU, 0); /* 2 sets */
    CHECK_EQ(fill(&a, 0x20, 0x100, 1, 0), 0); /* set 0, pcid 1, non-global */
    CHECK_EQ(fill(&a, 0x20, 0x200, 2, 0), 1); /* same tag, pcid 2: a different entry */
    CHECK_EQ(sa_find(&a, 0, 0x20, 0, 1), 0);
    CHECK_EQ(sa_find(&a, 0, 0x20, 0, 2), 1);
    CHECK_EQ(sa_find(&a, 0, 0x20, 0, 3), -1); /* non-global matches only its pcid */
    CHECK_EQ(sa_find(&a, 0, 0x20, 1, 1), -1); /* size must match */
    CHECK_EQ(fill(&a, 0x24, 0x300, 5, SA_G), 2); /* global, filled under pcid 5 */
    CHECK_EQ(sa_find(&a, 0, 0x24, 0, 5), 2);
    CHECK_EQ(sa_find(&a, 0, 0x24, 0, 7), 2); /* global matches any pcid */
    CHECK_EQ(sa_find(&a, 0, 0x24, 0, 0), 2);
    /* a fill of the same tag under another pcid hits the global entry
     * (a lookup of that tag would hit it) and overwrites it */
    CHECK_EQ(fill(&a, 0x24, 0x400, 9, 0), 2);
    CHECK_EQ(sa_way(&a, 0, 2)->data, 0x400);
    CHECK_EQ(sa_find(&a, 0, 0x24, 0, 5), -1); /* now non-global pcid 9 */
    CHECK_EQ(sa_find(&a, 0, 0x24, 0, 9), 2);
    /* when a non-global and a global entry both match, the lowest way wins:
     * way 0 (pcid 1) vs a global 0x20 in way 3 */
    sa_entry_t g = {.tag = 0x20, .data = 0x500, .pcid = 4, .size = 0, .flags = SA_G | SA_V};
    *sa_way(&a, 0, 3) = g;
    CHECK_EQ(sa_find(&a, 0, 0x20, 0, 1), 0);
    CHECK_EQ(sa_find(&a, 0, 0x20, 0, 6), 3);
    /* invalid entries never match */
    sa_way(&a, 0, 0)->flags &= (uint8_t)~SA_V;
    CHECK_EQ(sa_find(&a, 0, 0x20, 0, 1), 3); /* only the global one is left */
    sa_free(&a);

    /* a disabled array */
    mmu_array_cfg_t c0 = {0, 4, MMU_REPL_LRU, 0};
    CHECK_EQ(sa_init(&a, &c0), 0);
    CHECK(!sa_enabled(&a));
    CHECK_EQ(a.sets, 0);
    sa_free(&a);
}

int main(void)
{
    test_lru();
    test_plru4();
    test_plru8();
    test_plru_small();
    test_random();
    test_sets();
    CHECK_DONE();
}
