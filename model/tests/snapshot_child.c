/* snapshot_child.c - the process that cli_replay.sh snapshots.
 *
 * usage: snapshot_child REPORT
 *
 * Maps and touches memory of its own, prints "ready" on standard output and
 * waits. On SIGUSR1 it writes REPORT: for every 4 KiB page of its regions
 * the frame the kernel gave it, from /proc/self/pagemap and
 * /proc/kpageflags (root only), one line per page:
 *
 *     page REGION VA PRESENT PA THP
 *
 * (VA and PA hexadecimal, PRESENT and THP 0 or 1; PA 0 when not present),
 * then "end". SIGTERM ends it; so does a 60 s alarm, if the test forgets.
 *
 * Regions:
 *   small  16 pages of 4 KiB: page 0 read-only, page 1 read+exec, pages
 *          2..14 read+write, page 15 never touched (not present)
 *   thp    4 MiB, 2 MiB-aligned, madvise(MADV_HUGEPAGE), every page written
 *   huge   2 MiB MAP_HUGETLB, only when the machine has a free huge page
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096ul
#define MB2 (2ul << 20)

typedef struct {
    const char *name;
    char *base;
    size_t len;
} region_t;
static region_t reg[3];
static int nreg;

static uint64_t read_u64(int fd, uint64_t idx)
{
    uint64_t v = 0;
    if (fd < 0 || pread(fd, &v, 8, (off_t)(idx * 8)) != 8)
        return 0;
    return v;
}

static int report(const char *path)
{
    int pm = open("/proc/self/pagemap", O_RDONLY);
    int kf = open("/proc/kpageflags", O_RDONLY);
    FILE *f = fopen(path, "w");
    if (pm < 0 || !f)
        return -1;
    for (int r = 0; r < nreg; r++)
        for (size_t off = 0; off < reg[r].len; off += PG) {
            uint64_t va = (uint64_t)(uintptr_t)(reg[r].base + off);
            uint64_t e = read_u64(pm, va / PG);
            int present = (int)(e >> 63);
            uint64_t pfn = e & ((1ull << 55) - 1);
            uint64_t flags = present ? read_u64(kf, pfn) : 0;
            fprintf(f, "page %s 0x%llx %d 0x%llx %d\n", reg[r].name, (unsigned long long)va, present,
                    (unsigned long long)(present ? pfn * PG : 0), (int)(flags >> 22 & 1));
        }
    fprintf(f, "end\n");
    close(pm);
    if (kf >= 0)
        close(kf);
    return fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: snapshot_child REPORT\n");
        return 2;
    }
    alarm(60);
    /* small: 16 pages, three kinds of permissions, one page never touched */
    char *s = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        return perror("mmap"), 1;
    for (int i = 0; i < 15; i++)
        s[i * PG] = (char)(i + 1);
    if (mprotect(s, PG, PROT_READ) || mprotect(s + PG, PG, PROT_READ | PROT_EXEC))
        return perror("mprotect"), 1;
    reg[nreg++] = (region_t){"small", s, 16 * PG};
    /* thp: 4 MiB at a 2 MiB boundary */
    char *t = mmap(NULL, 3 * MB2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (t == MAP_FAILED)
        return perror("mmap"), 1;
    char *ta = (char *)(((uintptr_t)t + MB2 - 1) & ~(MB2 - 1));
    madvise(ta, 2 * MB2, MADV_HUGEPAGE); /* may fail where THP is off: then 4 KiB pages */
    for (size_t off = 0; off < 2 * MB2; off += PG)
        ta[off] = 1;
    reg[nreg++] = (region_t){"thp", ta, 2 * MB2};
    /* huge: a hugetlb page, if there is one to have */
    char *h = mmap(NULL, MB2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    if (h != MAP_FAILED) {
        h[0] = 1;
        reg[nreg++] = (region_t){"huge", h, MB2};
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        int sig;
        if (sigwait(&set, &sig) != 0)
            return 1;
        if (sig == SIGTERM)
            return 0;
        if (report(argv[1]) != 0)
            return perror(argv[1]), 1;
    }
}
