/* walker.c - one page-table walker: see walker.h. Rules are those of
 * docs/timing.md ([T:...]) and Intel SDM Vol. 3A chapter 4.
 *
 * Walk algorithm (SDM 4.5, 4-level paging), as the walker implements it:
 *   1. Start below the deepest page-walk-cache hit with its table address and
 *      combined rights, else read the PML4E at CR3[M-1:12] + 8*VA[47:39].
 *   2. For each entry read: P=0 -> #PF not present; a reserved bit set ->
 *      #PF RSVD (SDM 4.5.4); combine R/W and U/S (AND) and XD (OR) (SDM 4.6).
 *   3. PDPTE.PS=1 -> 1 GiB page, PDE.PS=1 -> 2 MiB page, PTE -> 4 KiB page.
 *   4. Check the access against the combined rights (SDM 4.6.1); a violation
 *      is #PF with P=1.
 *   5. Set A in every entry used that has A=0, and D in the leaf on a write
 *      (SDM 4.8), each as a locked update on the memory port (set the bits
 *      if the entry is unchanged, return its old value), top level first;
 *      after a rights fault, A in the non-leaf entries only (SDM 4.8, 6.15).
 *      An entry that changed since it was read restarts the walk.
 */
#include "walker.h"

#include <string.h>

#include "paging.h"

void walker_start(walker_t *w, uint64_t va, uint8_t acc, bool user, bool implicit, uint16_t pcid, int8_t owner,
                  uint64_t t, uint32_t pwc_lat)
{
    memset(w, 0, sizeof *w);
    w->state = W_PWC;
    w->t_start = t;
    w->due = t + pwc_lat - 1;
    w->va = va;
    w->acc = acc;
    w->user = user;
    w->implicit = implicit;
    w->pcid = pcid;
    w->waiters = owner;
}

void walker_pwc_result(walker_t *w, int deepest, const sa_entry_t *hit, uint64_t cr3_base)
{
    if (deepest < 0) {
        w->level = 4;
        w->table = cr3_base;
    } else {
        w->level = (uint8_t)(3 - deepest);
        w->table = hit->data;
        w->cum[w->level + 1] = hit->flags & (SA_RW | SA_US | SA_XD);
    }
    w->pwc_hit = (uint8_t)(deepest + 1);
    w->state = W_MEMRQ;
}

void walker_mem_request(const walker_t *w, mmu_out_t *o)
{
    if (w->state == W_MEMRQ) {
        o->mem_req_we = false;
        o->mem_req_addr = w->table + (((w->va >> (12 + 9 * (w->level - 1))) & 511) << 3);
    } else {
        o->mem_req_we = true;
        o->mem_req_addr = w->wr_addr[w->wr_i];
        o->mem_req_wdata = w->wr_data[w->wr_i];
    }
}

void walker_granted(walker_t *w)
{
    if (w->state == W_MEMRQ) {
        w->state = W_MEMWAIT;
        w->mem_reads++;
        return;
    }
    w->state = W_ADWAIT;
    if (w->ad_total < 4) {
        w->ad_addr[w->ad_total] = w->wr_addr[w->wr_i];
        w->ad_data[w->ad_total] = w->wr_data[w->wr_i];
    }
    w->ad_total++;
}

static uint8_t level_size(unsigned level) { return level == 1 ? MMU_PS_4K : level == 2 ? MMU_PS_2M : MMU_PS_1G; }

/* Queue the locked A/D updates of a walk whose leaf is at level L, top level
 * first (docs/timing.md 5.5): without a fault, A in every entry read that
 * lacks it and D in the leaf on a write; after a rights fault, A in the
 * non-leaf entries only (SDM 4.8; Vol. 3A 6.15). Entries from a PWC hit
 * were not read and are not updated. Returns the number of updates. */
static uint8_t queue_ad(walker_t *w, unsigned L, bool rights_fault)
{
    w->nwr = 0;
    w->wr_i = 0;
    for (unsigned l = 4; l >= L; l--) {
        if (!(w->read_mask & (1u << l)) || (rights_fault && l == L))
            continue;
        uint64_t e = w->pte[l];
        uint64_t set = PTE_A;
        if (l == L && w->acc == MMU_ACC_WRITE)
            set |= PTE_D;
        if ((e & set) != set) {
            w->wr_level[w->nwr] = (uint8_t)l;
            w->wr_addr[w->nwr] = w->pte_addr[l];
            w->wr_data[w->nwr] = e | set;
            w->pte[l] = e | set;
            w->nwr++;
        }
    }
    return w->nwr;
}

/* [T:ad-check] The old value of the entry of walker w's current locked
 * update: unchanged but for A and D, the update took effect (next update,
 * or the walk completes); else the memory side wrote nothing and the walk
 * restarts from the PML4E at CR3, without a PWC lookup. */
static void walk_ad_response(walker_t *w, const walker_env_t *env, uint64_t old)
{
    unsigned L = w->wr_level[w->wr_i];
    if (pg_ad_unchanged(old, w->pte_orig[L])) {
        if (++w->wr_i == w->nwr)
            w->complete = true;
        else
            w->state = W_ADW;
        return;
    }
    w->restarts++;
    w->read_mask = 0;
    w->nwr = 0;
    w->wr_i = 0;
    w->pwc_hit = 0;
    w->fault = MMU_FAULT_NONE;
    w->cause = MMU_CAUSE_NONE;
    w->fault_level = 0;
    w->level = 4;
    w->table = env->cr3_base;
    w->state = W_MEMRQ;
}

/* Process the entry read for walker w (end of the cycle of its response). */
static void walk_entry(walker_t *w, const walker_env_t *env, uint64_t v)
{
    unsigned L = w->level;
    w->pte_addr[L] = w->table + (((w->va >> (12 + 9 * (L - 1))) & 511) << 3);
    w->pte[L] = v;
    w->pte_orig[L] = v;
    w->read_mask |= (uint8_t)(1u << L);
    uint8_t prev = L == 4 ? (SA_RW | SA_US) : w->cum[L + 1];
    /* not present, reserved: the walk ends, nothing is written (5.5) */
    if (!(v & PTE_P)) { /* SDM 4.7: not present */
        w->fault = MMU_FAULT_PF;
        w->cause = MMU_CAUSE_NOT_PRESENT;
        w->fault_level = (uint8_t)L;
        w->size = MMU_PS_NONE;
        w->complete = true;
        return;
    }
    if (pg_rsvd(v, L, env->maxphyaddr, env->mode & MMU_MODE_NXE, env->mode & MMU_MODE_NOPG1G)) { /* SDM 4.5.4 */
        w->fault = MMU_FAULT_PF;
        w->cause = MMU_CAUSE_RSVD;
        w->fault_level = (uint8_t)L;
        w->size = MMU_PS_NONE;
        w->complete = true;
        return;
    }
    /* SDM 4.6: R/W and U/S of all levels are ANDed, XD ORed */
    uint8_t cum = (uint8_t)(prev & ((v & PTE_RW) ? 0xFF : ~SA_RW) & ((v & PTE_US) ? 0xFF : ~SA_US));
    if (v & PTE_XD)
        cum |= SA_XD;
    w->cum[L] = cum;
    bool leaf = L == 1 || ((L == 3 || L == 2) && (v & PTE_PS));
    if (!leaf) {
        w->table = v & env->amask;
        w->level = (uint8_t)(L - 1);
        w->state = W_MEMRQ;
        return;
    }
    uint8_t ps = level_size(L);
    uint64_t pmask = (1ull << mmu_ps_shift(ps)) - 1;
    w->size = ps;
    w->leaf_level = (uint8_t)L;
    w->frame = v & env->amask & ~pmask;
    mmu_cause_t c = pg_rights(env->mode, w->acc, w->user, w->implicit, cum & SA_RW, cum & SA_US, cum & SA_XD);
    if (c != MMU_CAUSE_NONE) { /* SDM 4.6.1: a rights fault, after A in the non-leaf entries */
        w->fault = MMU_FAULT_PF;
        w->cause = (uint8_t)c;
        w->fault_level = (uint8_t)L;
        if (queue_ad(w, L, true))
            w->state = W_ADW;
        else
            w->complete = true;
        return;
    }
    queue_ad(w, L, false); /* SDM 4.8: A in every entry used, D in the leaf on a write */
    w->fault = MMU_FAULT_NONE;
    w->cause = MMU_CAUSE_NONE;
    uint8_t tf = cum & (SA_RW | SA_US | SA_XD);
    if ((v & PTE_G) && (env->mode & MMU_MODE_PGE))
        tf |= SA_G;
    if ((v & PTE_D) || w->acc == MMU_ACC_WRITE)
        tf |= SA_D;
    w->tlb_flags = tf;
    if (w->nwr)
        w->state = W_ADW;
    else
        w->complete = true;
}

void walker_response(walker_t *w, const walker_env_t *env, uint64_t data)
{
    if (w->state == W_ADWAIT)
        walk_ad_response(w, env, data);
    else
        walk_entry(w, env, data);
}
