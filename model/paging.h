/* paging.h - x86-64 4-level paging entry formats and the architectural rules
 * that both the TLB path and the walker apply (Intel SDM Vol. 3A ch. 4). */
#ifndef MMU_PAGING_H
#define MMU_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Paging-structure entry bits (SDM 4.5, Tables 4-15 .. 4-20). */
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_XD (1ull << 63)
#define PTE_AD (PTE_A | PTE_D)

/* Levels, as in the SDM's walk: 4 = PML4E, 3 = PDPTE, 2 = PDE, 1 = PTE. */

/* Canonical: bits 63:47 all equal (SDM 3.3.7.1, 4-level paging). */
static inline bool pg_canonical(uint64_t va)
{
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1FFFF;
}

/* Bits M-1:12 (physical address of a 4 KiB frame or table). */
static inline uint64_t pg_addr_mask(unsigned maxphyaddr) { return ((1ull << maxphyaddr) - 1) & ~0xFFFull; }

/* Reserved bits that are set in a present entry at `level` (SDM 4.5.4,
 * Tables 4-14..4-20 and the note on bit 63 when IA32_EFER.NXE = 0):
 *   all levels: bits 51:MAXPHYADDR; bit 63 (XD) when NXE = 0
 *   PML4E: bit 7 (PS)
 *   PDPTE with PS=1 (1 GiB page): bits 29:13
 *   PDE with PS=1 (2 MiB page): bits 20:13
 *   PDPTE: bit 7 (PS) when the processor has no 1 GiB pages (no1g:
 *          CPUID.80000001H:EDX.Page1GB = 0, SDM 4.5.4)
 * Every other bit is software's (PWT, PCD, PAT, ignored bits, the protection
 * key with CR4.PKE = 0): it never makes an entry reserved. */
static inline bool pg_rsvd(uint64_t e, unsigned level, unsigned maxphyaddr, bool nxe, bool no1g)
{
    uint64_t r = ((1ull << 52) - 1) & ~((1ull << maxphyaddr) - 1);
    if (!nxe)
        r |= PTE_XD;
    if (level == 4)
        r |= PTE_PS;
    else if (level == 3 && (e & PTE_PS))
        r |= no1g ? PTE_PS : 0x3FFFE000ull; /* no 1 GiB pages: PS; else 29:13 */
    else if (level == 2 && (e & PTE_PS))
        r |= 0x1FE000ull; /* 20:13 */
    return (e & r) != 0;
}

/* Access rights with the combined R/W, U/S and XD of all levels (SDM 4.6.1).
 * `user` is the effective privilege: a user-mode access (CPL = 3) that is
 * not implicit. `implicit`: an implicit supervisor-mode access (SDM 4.6.1:
 * GDT, LDT, IDT, TSS accesses), which SMAP forbids on user-mode addresses
 * whatever RFLAGS.AC says. Returns MMU_CAUSE_NONE or the violated rule. */
static inline mmu_cause_t pg_rights(uint32_t mode, unsigned acc, bool user, bool implicit, bool rw, bool us,
                                    bool xd)
{
    bool nxe = mode & MMU_MODE_NXE, wp = mode & MMU_MODE_WP;
    bool smep = mode & MMU_MODE_SMEP, smap = mode & MMU_MODE_SMAP, ac = mode & MMU_MODE_AC;
    if (user) {
        /* user-mode access: only to user-mode addresses */
        if (!us)
            return MMU_CAUSE_USER;
        if (acc == MMU_ACC_WRITE && !rw)
            return MMU_CAUSE_WRITE; /* user writes need R/W=1 whatever CR0.WP */
        if (acc == MMU_ACC_EXEC && nxe && xd)
            return MMU_CAUSE_NX;
        return MMU_CAUSE_NONE;
    }
    /* supervisor-mode access, explicit or implicit */
    if (acc == MMU_ACC_EXEC) {
        if (nxe && xd)
            return MMU_CAUSE_NX;
        if (us && smep)
            return MMU_CAUSE_SMEP;
        return MMU_CAUSE_NONE;
    }
    if (us && smap && (!ac || implicit)) /* SDM 4.6.1: AC = 0, or implicit */
        return MMU_CAUSE_SMAP;
    if (acc == MMU_ACC_WRITE && !rw && wp)
        return MMU_CAUSE_WRITE;
    return MMU_CAUSE_NONE;
}

/* The locked A/D update of docs/timing.md [T:locked-update], as the memory
 * side applies it: `wdata` is the entry as the walk read it with A and/or D
 * ORed in. If the entry `old` still equals it but for A and D, the update
 * ORs wdata's A and D in; else the entry changed and nothing is written.
 * Returns the entry after the update. The walker's own check of the answer
 * ([T:ad-check]) is pg_ad_unchanged(old, value read). */
static inline bool pg_ad_unchanged(uint64_t a, uint64_t b) { return ((a ^ b) & ~PTE_AD) == 0; }
static inline uint64_t pg_locked_update(uint64_t old, uint64_t wdata)
{
    return pg_ad_unchanged(old, wdata) ? old | (wdata & PTE_AD) : old;
}

/* Page-fault error code (SDM 4.7): P, W/R, U/S, RSVD, I/D. I/D is set for an
 * instruction fetch when CR4.SMEP = 1 or IA32_EFER.NXE = 1. `user` is the
 * effective privilege: U/S = 0 for an implicit supervisor-mode access. */
static inline uint8_t pg_error_code(uint32_t mode, unsigned acc, bool user, mmu_cause_t cause)
{
    uint8_t ec = 0;
    if (cause != MMU_CAUSE_NOT_PRESENT)
        ec |= MMU_PFEC_P;
    if (acc == MMU_ACC_WRITE)
        ec |= MMU_PFEC_WR;
    if (user)
        ec |= MMU_PFEC_US;
    if (cause == MMU_CAUSE_RSVD)
        ec |= MMU_PFEC_RSVD;
    if (acc == MMU_ACC_EXEC && (mode & (MMU_MODE_NXE | MMU_MODE_SMEP)))
        ec |= MMU_PFEC_ID;
    return ec;
}

#ifdef __cplusplus
}
#endif
#endif
