/* mmu_types.h - values that cross component boundaries: enums, the port
 * structures of one cycle, and the response record.
 *
 * Every field here is defined cycle by cycle in docs/timing.md; the RTL's
 * ports carry the same names with a `_i`/`_o` suffix.
 */
#ifndef MMU_TYPES_H
#define MMU_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Page sizes, in the order used everywhere (index into per-size arrays). */
enum { MMU_PS_4K = 0, MMU_PS_2M = 1, MMU_PS_1G = 2, MMU_PS_COUNT = 3 };
#define MMU_PS_NONE 3 /* fault before a leaf was found */

static inline unsigned mmu_ps_shift(unsigned ps) { return ps == MMU_PS_4K ? 12u : ps == MMU_PS_2M ? 21u : 30u; }

/* Access kinds (req_acc). */
typedef enum { MMU_ACC_READ = 0, MMU_ACC_WRITE = 1, MMU_ACC_EXEC = 2 } mmu_acc_t;

/* Fault class (rsp_fault). */
typedef enum { MMU_FAULT_NONE = 0, MMU_FAULT_PF = 1, MMU_FAULT_GP = 2 } mmu_fault_t;

/* Fault cause (rsp_cause): the rule that produced the fault. */
typedef enum {
    MMU_CAUSE_NONE = 0,
    MMU_CAUSE_NOT_PRESENT = 1, /* P=0 in some paging-structure entry (SDM 4.7) */
    MMU_CAUSE_RSVD = 2,        /* reserved bit set (SDM 4.5.4, 4.7) */
    MMU_CAUSE_WRITE = 3,       /* write to a read-only page (SDM 4.6.1) */
    MMU_CAUSE_USER = 4,        /* user access to a supervisor page (SDM 4.6.1) */
    MMU_CAUSE_NX = 5,          /* fetch from an execute-disable page (SDM 4.6.1) */
    MMU_CAUSE_SMEP = 6,        /* supervisor fetch from a user page (SDM 4.6.1) */
    MMU_CAUSE_SMAP = 7,        /* supervisor data access to a user page (SDM 4.6.1) */
    MMU_CAUSE_NONCANON = 8,    /* non-canonical address: #GP (SDM 3.3.7.1) */
    MMU_CAUSE_COUNT = 9
} mmu_cause_t;

/* Page-fault error code bits (SDM 4.7, Figure 4-12). */
enum {
    MMU_PFEC_P = 1u << 0,
    MMU_PFEC_WR = 1u << 1,
    MMU_PFEC_US = 1u << 2,
    MMU_PFEC_RSVD = 1u << 3,
    MMU_PFEC_ID = 1u << 4,
    MMU_PFEC_PK = 1u << 5 /* protection keys are not modelled: always 0 */
};

/* Where a translation was found (rsp_src). */
typedef enum { MMU_SRC_L1 = 0, MMU_SRC_STLB = 1, MMU_SRC_WALK = 2, MMU_SRC_NONE = 3 } mmu_src_t;

/* Control operations (ctl_op). */
typedef enum {
    MMU_CTL_NONE = 0,
    MMU_CTL_CR3 = 1,     /* ctl_data = new CR3 (bit 63 = no-flush when PCIDE=1, 11:0 = PCID) */
    MMU_CTL_INVLPG = 2,  /* ctl_addr = linear address */
    MMU_CTL_INVPCID = 3, /* ctl_type = 0..3, ctl_pcid, ctl_addr */
    MMU_CTL_MODE = 4     /* ctl_data = mode bits MMU_MODE_* */
} mmu_ctl_op_t;

/* Mode bits written by MMU_CTL_MODE. */
enum {
    MMU_MODE_WP = 1u << 0,    /* CR0.WP */
    MMU_MODE_PCIDE = 1u << 1, /* CR4.PCIDE */
    MMU_MODE_SMEP = 1u << 2,  /* CR4.SMEP */
    MMU_MODE_SMAP = 1u << 3,  /* CR4.SMAP */
    MMU_MODE_PGE = 1u << 4,   /* CR4.PGE */
    MMU_MODE_NXE = 1u << 5,   /* IA32_EFER.NXE */
    MMU_MODE_AC = 1u << 6,    /* RFLAGS.AC */
    MMU_MODE_NOPG1G = 1u << 7 /* CPUID.80000001H:EDX.Page1GB = 0: no 1 GiB pages,
                                 PDPTE.PS = 1 is a reserved bit (SDM 4.5.4) */
};
#define MMU_MODE_MASK 0xFFu /* every defined mode bit */

/* Combined access rights of a translation (mmu_rsp_info_t.rights). */
enum { MMU_RIGHT_RW = 1u << 0, MMU_RIGHT_US = 1u << 1, MMU_RIGHT_XD = 1u << 2 };

/* Inputs of one cycle (driven by the CPU side and the memory side). */
typedef struct {
    /* translation request channel */
    bool req_valid;
    uint32_t req_id;
    uint64_t req_vaddr;
    uint8_t req_acc; /* mmu_acc_t */
    bool req_user;
    bool req_implicit; /* implicit supervisor-mode access (SDM 4.6): supervisor
                          whatever req_user says; SMAP applies whatever RFLAGS.AC */
    /* control channel */
    bool ctl_valid;
    uint8_t ctl_op; /* mmu_ctl_op_t */
    uint8_t ctl_type;
    uint16_t ctl_pcid;
    uint64_t ctl_data;
    uint64_t ctl_addr;
    /* page-walk memory port: read response */
    bool mem_rsp_valid;
    uint8_t mem_rsp_id;
    uint64_t mem_rsp_data;
} mmu_in_t;

/* Outputs of one cycle: functions of the state at the start of the cycle. */
typedef struct {
    bool req_ready;
    bool ctl_ready;
    /* response channel (no back-pressure) */
    bool rsp_valid;
    uint32_t rsp_id;
    uint64_t rsp_paddr;
    uint8_t rsp_size;  /* MMU_PS_*, MMU_PS_NONE on a fault before a leaf */
    uint8_t rsp_fault; /* mmu_fault_t */
    uint8_t rsp_cause; /* mmu_cause_t */
    uint8_t rsp_err;   /* page-fault error code */
    uint64_t rsp_fault_addr;
    uint8_t rsp_src; /* mmu_src_t */
    uint8_t rsp_pwc; /* walks: 0 none, 1 PML4E, 2 PDPTE, 3 PDE cache hit */
    /* page-walk memory port: request (always accepted) */
    bool mem_req_valid;
    bool mem_req_we;
    uint8_t mem_req_id;
    uint64_t mem_req_addr;
    uint64_t mem_req_wdata;
} mmu_out_t;

/* Model-side facts about a completed translation, not on any port:
 * what the statistics need. Filled for the response of the cycle. */
typedef struct {
    uint64_t seq;          /* acceptance order, from 0 */
    uint64_t cycle_accept; /* cycle of the request handshake */
    uint64_t cycle_rsp;    /* cycle in which rsp_valid was 1 */
    uint8_t acc;
    bool user;
    bool implicit;      /* req_implicit of the request */
    bool joined;        /* joined another request's walk */
    uint8_t mem_reads;  /* paging-structure reads of this request's walk */
    uint8_t mem_writes; /* locked A/D updates of this request's walk */
    bool soft_miss;     /* a TLB held the page but could not be used (D clear or rights) */
    uint64_t va;        /* the request's address */
    uint16_t pcid;      /* PCID of the translation (current PCID at the lookup) */
    uint8_t fault_level; /* #PF: level of the entry that faulted (4 PML4E .. 1 PTE;
                            a rights fault: the leaf's level); else 0 */
    uint8_t rights;      /* MMU_RIGHT_*: combined R/W, U/S, XD of the translation
                            (a hit: the TLB entry's; a walk: down to the leaf;
                            0 when no leaf was reached) */
    uint8_t restarts;    /* walks restarted because an entry changed under a
                            locked A/D update (docs/timing.md 5.5) */
    int8_t tlb_array;    /* a TLB hit (L1 or STLB): the id of the array that
                            answered (mmu_array(), 0 .. ntlb-1); -1 otherwise */
    bool tlb_piece;      /* that hit's entry is a piece of a larger page
                            (entry size < page size, [T:fill] splintering) */
    /* the walk's memory traffic (owner of a walk only; joined requests: none):
     * entries read, by level 4..1 (bit L of read_mask), with their address and
     * value as read (after a restart: as read by the last pass), then the
     * locked A/D updates (address, wdata) in the order they were made; only
     * levels in read_mask and the first min(mem_writes, 4) updates are
     * defined */
    uint8_t read_mask;
    uint64_t pte_addr[5], pte[5];
    uint64_t wr_addr[4], wr_data[4];
} mmu_rsp_info_t;

#ifdef __cplusplus
}
#endif
#endif
