/* image.h - page tables the tool did not build (docs/replay.md):
 *
 *   - a text image: one "PHYSICAL-ADDRESS VALUE" pair per 8-byte entry, and
 *     a header with the control state (CR3, CR0.WP, CR4.*, EFER.NXE,
 *     RFLAGS.AC, MAXPHYADDR);
 *   - raw images: binary dumps of physical ranges, each with its base
 *     address, read lazily (only the paging-structure pages that walks
 *     reach are loaded);
 *   - a snapshot mapping file written by scripts/snapshot: virtual ranges
 *     with their physical frames, page sizes and permissions, rebuilt into
 *     page tables with pt_map.
 *
 * An image is memory, nothing more: entries that point outside it read as
 * zero (not present), pointers to itself are followed as the walker follows
 * them, garbage gets the fault the architecture gives. Errors in the files
 * are one line, "FILE:LINE: reason" or "FILE: reason".
 *
 * Use: image_create; image_load_text and/or image_add_raw, or
 * image_load_snapshot; image_apply_header to a sim_config_t; image_opts to
 * fill the sim_opts_t of sim_run_opts; image_destroy after the run.
 */
#ifndef MMU_IMAGE_H
#define MMU_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "mmu_config.h"
#include "pmem.h"
#include "sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct image image_t;

image_t *image_create(void);  /* NULL when out of memory */
void image_destroy(image_t *im); /* NULL is a no-op */

/* Load a text image (plain or gzip; "-" is standard input). At most one per
 * image_t. Returns 0, or -1 with "FILE:LINE: reason" in err. */
int image_load_text(image_t *im, const char *path, char *err, size_t errlen);

/* Add a raw binary dump of physical memory [base, base + file size). The
 * file must be a regular file (it is read at random offsets) of a multiple
 * of 8 bytes; ranges must not overlap. Entries of a text image take
 * precedence over raw bytes at the same address. Returns 0 or -1 with err. */
int image_add_raw(image_t *im, const char *path, uint64_t base, char *err, size_t errlen);

/* Parse "FILE@BASE" (BASE hexadecimal, optional 0x; the last '@' splits)
 * and add it. */
int image_add_raw_arg(image_t *im, const char *arg, char *err, size_t errlen);

/* Build page tables from a snapshot mapping file (scripts/snapshot; plain or
 * gzip) with the page-table builder: a new root, then every page of every
 * range mapped user-mode, writable with 'w', execute-disable without 'x'.
 * maxphyaddr and seed are those of the run. Cannot be combined with a text
 * or raw image. Returns 0 or -1 with "FILE:LINE: reason". */
int image_load_snapshot(image_t *im, const char *path, unsigned maxphyaddr, uint64_t seed, char *err, size_t errlen);

/* Pages mapped from a snapshot, per size (MMU_PS_*), and ranges read. */
uint64_t image_snapshot_pages(const image_t *im, unsigned ps);
uint64_t image_snapshot_ranges(const image_t *im);

/* The header's control state as configuration keys (mode.wp, mode.smep,
 * mode.smap, pcid, mode.pge, mode.nxe, mode.ac, maxphyaddr), applied with
 * cfg_set in the order of the file. Returns 0 or -1 with
 * "FILE:LINE: key: reason". */
int image_apply_header(const image_t *im, sim_config_t *cfg, char *err, size_t errlen);

/* CR3: from the header of a text image, or the root built for a snapshot.
 * Returns 1 and *cr3 when known, 0 otherwise. */
int image_cr3(const image_t *im, uint64_t *cr3);

/* Fill *o for sim_run_opts: the memory, cr3, and the lazy loader when raw
 * images are present (it masks table addresses with maxphyaddr, as the
 * walker does). o->priv is left as it is. */
void image_opts(image_t *im, uint64_t cr3, unsigned maxphyaddr, sim_opts_t *o);

/* The physical memory (text entries, loaded raw pages, built tables). */
pmem_t *image_mem(image_t *im);

/* sim_opts_t.prepare: load the paging-structure pages on va's path from the
 * raw images (each page once). ctx is the image_t. */
int image_prepare(void *ctx, pmem_t *mem, uint64_t cr3, uint64_t va, char *err, size_t errlen);

/* Pages read from raw images so far. */
uint64_t image_raw_pages_loaded(const image_t *im);

#ifdef __cplusplus
}
#endif
#endif
