/* rtable.c - the request table: see rtable.h. */
#include "rtable.h"

#include <string.h>

void rt_init(rtable_t *r, uint32_t cap)
{
    memset(r, 0, sizeof *r);
    r->cap = cap;
    r->l1q.cap = r->stlbq.cap = r->missq.cap = cap;
}

int rt_alloc(rtable_t *r, const mmu_in_t *in, uint64_t t, uint32_t l1_lat)
{
    int idx = 0;
    while (r->e[idx].state != RT_FREE)
        idx++;
    rt_entry_t *e = &r->e[idx];
    /* no memset: the walk fields of info are valid only when read_mask
     * or mem_writes say so (the hot path does not clear 250 bytes) */
    e->info.joined = false;
    e->info.soft_miss = false;
    e->info.mem_reads = 0;
    e->info.mem_writes = 0;
    e->info.read_mask = 0;
    e->info.pcid = 0;
    e->info.fault_level = 0;
    e->info.rights = 0;
    e->info.restarts = 0;
    e->info.tlb_array = -1;
    e->info.tlb_piece = false;
    e->walker = 0;
    e->state = RT_L1;
    e->id = in->req_id;
    e->va = in->req_vaddr;
    e->acc = in->req_acc;
    e->user = in->req_user && !in->req_implicit; /* [T:implicit] effective privilege */
    e->implicit = in->req_implicit;
    e->due = t + l1_lat - 1;
    e->next = -1;
    e->info.seq = r->seq++;
    e->info.va = in->req_vaddr;
    e->info.cycle_accept = t;
    e->info.acc = in->req_acc;
    e->info.user = e->user;
    e->info.implicit = in->req_implicit;
    return idx;
}

void rt_accept_commit(rtable_t *r, int idx)
{
    uint16_t id = (uint16_t)r->e[idx].id;
    rt_ring_push(&r->l1q, (int8_t)idx);
    r->count++;
    r->id_out[id >> 6] |= 1ull << (id & 63);
}

int rt_respond(rtable_t *r, uint64_t t)
{
    int idx = r->done[0];
    rt_entry_t *e = &r->e[idx];
    e->info.cycle_rsp = t;
    memmove(&r->done[0], &r->done[1], (r->ndone - 1) * sizeof r->done[0]);
    r->ndone--;
    e->state = RT_FREE;
    r->count--;
    uint16_t id = (uint16_t)e->id;
    r->id_out[id >> 6] &= ~(1ull << (id & 63));
    return idx;
}

void rt_done(rtable_t *r, int idx)
{
    r->e[idx].state = RT_DONE;
    uint32_t i = r->ndone++;
    while (i > 0 && r->e[r->done[i - 1]].info.seq > r->e[idx].info.seq) {
        r->done[i] = r->done[i - 1];
        i--;
    }
    r->done[i] = (int8_t)idx;
}

void rt_finish_hit(rt_entry_t *e, const sa_entry_t *hit, uint8_t src, uint16_t pcid)
{
    e->info.pcid = pcid;
    e->info.rights = rt_rights_of(hit->flags);
    /* the entry may be a piece of a larger page ([T:fill] splintering): the
     * offset is within the piece, the size reported the page's */
    uint64_t mask = (1ull << mmu_ps_shift(hit->size)) - 1;
    e->paddr = hit->data | (e->va & mask);
    e->size = hit->asize;
    e->info.tlb_piece = hit->size < hit->asize;
    e->fault = MMU_FAULT_NONE;
    e->cause = MMU_CAUSE_NONE;
    e->err = 0;
    e->src = src;
    e->pwc = 0;
}
