/* pt.c - page-table builder and demand mapper. */
#include "pt.h"

#include <stdio.h>
#include <stdlib.h>

#include "paging.h"

struct pt {
    pmem_t *mem;
    unsigned m;
    uint64_t seed;
    uint64_t amask;
    uint64_t next_table;               /* next paging-structure page */
    uint64_t table_end;
    uint64_t used[MMU_PS_COUNT];       /* frames handed out per pool */
    uint64_t tables;
    /* demand-mode memo: the last page found mapped */
    uint64_t memo_cr3, memo_base, memo_mask;
    unsigned memo_ps;
};

pt_t *pt_create(pmem_t *mem, unsigned maxphyaddr, uint64_t seed)
{
    pt_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->mem = mem;
    p->m = maxphyaddr;
    p->seed = seed;
    p->amask = pg_addr_mask(maxphyaddr);
    p->next_table = 1ull << (maxphyaddr - 4);
    p->table_end = 1ull << (maxphyaddr - 3);
    p->memo_mask = 0;
    p->memo_cr3 = ~0ull;
    return p;
}

void pt_destroy(pt_t *p) { free(p); }
pmem_t *pt_mem(pt_t *p) { return p->mem; }
uint64_t pt_frames_used(const pt_t *p, unsigned ps) { return p->used[ps]; }
uint64_t pt_tables_used(const pt_t *p) { return p->tables; }

static uint64_t new_table(pt_t *p)
{
    if (p->next_table >= p->table_end)
        return 0;
    uint64_t t = p->next_table;
    p->next_table += 4096;
    p->tables++;
    /* materialise the frame so that it exists (all zero = not present) */
    if (pmem_write64(p->mem, t, 0) != 0)
        return 0;
    return t;
}

uint64_t pt_new_root(pt_t *p) { return new_table(p); }

/* A bijection on [0, 2^k): seeded affine map, xorshift, odd multiply. */
static uint64_t scatter(uint64_t x, unsigned k, uint64_t seed)
{
    if (k == 0)
        return 0;
    uint64_t mask = (k >= 64) ? ~0ull : ((1ull << k) - 1);
    x = (x * 0x9E3779B97F4A7C15ull + seed * 0xD1B54A32D192ED03ull) & mask;
    x ^= x >> ((k + 1) / 2);
    x = (x * 0xBF58476D1CE4E5B9ull) & mask;
    x ^= x >> ((k + 2) / 3 ? (k + 2) / 3 : 1);
    return x & mask;
}

uint64_t pt_alloc_frame(pt_t *p, unsigned ps)
{
    unsigned shift = mmu_ps_shift(ps);
    unsigned pool_bits = p->m - 1 - (unsigned)(MMU_PS_1G - ps); /* pool = [2^pool_bits, 2^(pool_bits+1)) */
    if (pool_bits < shift)
        return 0;
    unsigned k = pool_bits - shift; /* log2(frames in pool) */
    if (k < 63 && p->used[ps] >= (1ull << k))
        return 0;
    uint64_t idx = scatter(p->used[ps]++, k, p->seed + ps);
    return (1ull << pool_bits) + (idx << shift);
}

/* Walk down to the table that holds the level-`level` entry for va, creating
 * missing tables (their entries with A = 1 when flags has PT_TABLE_A).
 * Returns the entry address or 0 with err set. */
static uint64_t ensure_path(pt_t *p, uint64_t cr3, uint64_t va, unsigned level, uint64_t flags, char *err,
                            size_t errlen)
{
    uint64_t table = cr3 & p->amask;
    for (unsigned l = 4; l > level; l--) {
        unsigned sh = 12 + 9 * (l - 1);
        uint64_t ea = table + (((va >> sh) & 511) << 3);
        uint64_t e = pmem_read64(p->mem, ea);
        if (!(e & PTE_P)) {
            uint64_t t = new_table(p);
            if (!t) {
                snprintf(err, errlen, "out of physical memory for paging structures (maxphyaddr %u)", p->m);
                return 0;
            }
            e = t | PTE_P | PTE_RW | PTE_US | ((flags & PT_TABLE_A) ? PTE_A : 0);
            if (pmem_write64(p->mem, ea, e) != 0) {
                snprintf(err, errlen, "out of host memory");
                return 0;
            }
        } else if (l < 4 && (e & PTE_PS)) {
            snprintf(err, errlen, "0x%llx is already mapped by a larger page", (unsigned long long)va);
            return 0;
        }
        table = e & p->amask;
    }
    return table + (((va >> (12 + 9 * (level - 1))) & 511) << 3);
}

int pt_map(pt_t *p, uint64_t cr3, uint64_t va, uint64_t pa, unsigned ps, uint64_t flags, char *err, size_t errlen)
{
    uint64_t size = 1ull << mmu_ps_shift(ps);
    if (!pg_canonical(va)) {
        snprintf(err, errlen, "0x%llx is not canonical", (unsigned long long)va);
        return -1;
    }
    if ((va & (size - 1)) || (pa & (size - 1))) {
        snprintf(err, errlen, "va 0x%llx / pa 0x%llx not aligned to the page size", (unsigned long long)va,
                 (unsigned long long)pa);
        return -1;
    }
    if (pa >> p->m) {
        snprintf(err, errlen, "pa 0x%llx above MAXPHYADDR %u", (unsigned long long)pa, p->m);
        return -1;
    }
    unsigned level = ps == MMU_PS_4K ? 1 : ps == MMU_PS_2M ? 2 : 3;
    p->memo_cr3 = ~0ull; /* forget the demand memo */
    uint64_t ea = ensure_path(p, cr3, va, level, flags, err, errlen);
    if (!ea)
        return -1;
    uint64_t old = pmem_read64(p->mem, ea);
    if ((old & PTE_P) && level > 1 && !(old & PTE_PS)) {
        snprintf(err, errlen, "0x%llx is already mapped by smaller pages", (unsigned long long)va);
        return -1;
    }
    uint64_t e = pa | PTE_P | (flags & (PT_W | PT_U | PT_A | PT_D | PT_G | PT_NX));
    if (level > 1)
        e |= PTE_PS;
    if (pmem_write64(p->mem, ea, e) != 0) {
        snprintf(err, errlen, "out of host memory");
        return -1;
    }
    return 0;
}

int pt_map_region(pt_t *p, uint64_t cr3, uint64_t va, uint64_t pa, uint64_t len, unsigned ps, uint64_t flags, char *err, size_t errlen)
{
    uint64_t size = 1ull << mmu_ps_shift(ps);
    for (uint64_t off = 0; off < len; off += size)
        if (pt_map(p, cr3, va + off, pa + off, ps, flags, err, errlen) != 0)
            return -1;
    return 0;
}

uint64_t pt_entry_addr(pt_t *p, uint64_t cr3, uint64_t va, unsigned level)
{
    uint64_t table = cr3 & p->amask;
    for (unsigned l = 4;; l--) {
        uint64_t ea = table + (((va >> (12 + 9 * (l - 1))) & 511) << 3);
        if (l == level)
            return ea;
        uint64_t e = pmem_read64(p->mem, ea);
        if (!(e & PTE_P) || (l < 4 && (e & PTE_PS)))
            return 0;
        table = e & p->amask;
    }
}

int pt_translate(pt_t *p, uint64_t cr3, uint64_t va, uint64_t *pa, unsigned *ps)
{
    uint64_t table = cr3 & p->amask;
    for (unsigned l = 4; l >= 1; l--) {
        uint64_t e = pmem_read64(p->mem, table + (((va >> (12 + 9 * (l - 1))) & 511) << 3));
        if (!(e & PTE_P))
            return 0;
        if (l == 1 || (l < 4 && (e & PTE_PS))) {
            unsigned s = l == 1 ? MMU_PS_4K : l == 2 ? MMU_PS_2M : MMU_PS_1G;
            uint64_t mask = (1ull << mmu_ps_shift(s)) - 1;
            *pa = (e & p->amask & ~mask) | (va & mask);
            *ps = s;
            return 1;
        }
        table = e & p->amask;
    }
    return 0;
}

static unsigned choose_size(const pt_t *p, uint64_t va, backing_t b, const uint32_t w[MMU_PS_COUNT])
{
    if (b != BACK_MIX)
        return (unsigned)b;
    uint64_t total = (uint64_t)w[0] + w[1] + w[2];
    /* one draw per 1 GiB virtual region, from the seed: splitmix64 */
    uint64_t x = ((va & 0xFFFFFFFFFFFFull) >> 30) + p->seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    uint64_t r = x % total;
    return r < w[0] ? MMU_PS_4K : r < (uint64_t)w[0] + w[1] ? MMU_PS_2M : MMU_PS_1G;
}

/* The PT_* flags of a page mapped on first touch (demand.ad, docs/config.md).
 *
 * linux: what Linux's x86 page-fault path writes. The leaf comes from
 * mk_pte(page, vma->vm_page_prot), and every x86 user protection
 * (PAGE_SHARED, PAGE_COPY, PAGE_READONLY, ..., arch/x86/include/asm/
 * pgtable_types.h) includes _PAGE_ACCESSED, so A = 1 (pte_sw_mkyoung() is a
 * no-op on x86); a write fault adds pte_mkdirty() (mm/memory.c:
 * do_anonymous_page() for anonymous memory, do_set_pte()/set_pte_range()
 * for file pages), so D = 1 iff the first touch is a write. The tables it
 * creates are linked with _PAGE_TABLE = P|RW|USER|ACCESSED|DIRTY
 * (pmd_populate(), pud_populate(), p4d_populate(), arch/x86/include/asm/
 * pgalloc.h), so A = 1 in the entries created; their bit 6 is ignored by
 * the processor in a non-leaf entry (SDM Tables 4-15, 4-17, 4-19) and is
 * left 0 here.
 * dirty: A = 1 in every entry written, D = 1 in the leaf. */
static uint64_t demand_flags(demand_ad_t ad, bool write)
{
    switch (ad) {
    case DEMAND_AD_LINUX:
        return PT_W | PT_U | PT_A | (write ? PT_D : 0) | PT_TABLE_A;
    case DEMAND_AD_DIRTY:
        return PT_W | PT_U | PT_A | PT_D | PT_TABLE_A;
    case DEMAND_AD_CLEAR:
        break;
    }
    return PT_W | PT_U;
}

int pt_demand(pt_t *p, uint64_t cr3, uint64_t va, backing_t backing, const uint32_t mix_weight[MMU_PS_COUNT],
              demand_ad_t ad, bool write, unsigned *ps, char *err, size_t errlen)
{
    if (p->memo_cr3 == cr3 && (va & ~p->memo_mask) == p->memo_base) {
        *ps = p->memo_ps;
        return 0;
    }
    uint64_t pa;
    unsigned s;
    if (!pt_translate(p, cr3, va, &pa, &s)) {
        s = choose_size(p, va, backing, mix_weight);
        /* a larger page cannot go where smaller pages already exist: fall back */
        for (;;) {
            uint64_t size = 1ull << mmu_ps_shift(s);
            uint64_t frame = pt_alloc_frame(p, s);
            if (!frame) {
                snprintf(err, errlen, "out of physical %s frames (maxphyaddr %u)", s == 0 ? "4 KiB" : s == 1 ? "2 MiB" : "1 GiB", p->m);
                return -1;
            }
            char e2[160];
            if (pt_map(p, cr3, va & ~(size - 1), frame, s, demand_flags(ad, write), e2, sizeof e2) == 0)
                break;
            if (s == MMU_PS_4K) {
                snprintf(err, errlen, "%s", e2);
                return -1;
            }
            s--; /* region partly mapped with smaller pages */
        }
    }
    p->memo_cr3 = cr3;
    p->memo_mask = (1ull << mmu_ps_shift(s)) - 1;
    p->memo_base = va & ~p->memo_mask;
    p->memo_ps = s;
    *ps = s;
    return 0;
}
