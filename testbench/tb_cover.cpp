// tb_cover.cpp - see tb_cover.h and docs/coverage.md.
#include "tb_cover.h"

#include "lookup.h" // lk_fill_candidates

#include <cjson/cJSON.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <functional>

namespace {

const char *const kFormat = "mmulockstep-coverage-2";
const int kNF = 9; // fields of a bin, then its count
const char *const kFields[kNF] = {"size",          "source", "fault", "ad",   "flush", "busy_dispatch",
                                  "busy_complete", "array",  "piece"};

const char *const kSizeName[4] = {"4K", "2M", "1G", "none"};
const char *const kSrcName[COV_NSRC] = {"L1", "STLB", "walk/0", "walk/PML4E", "walk/PDPTE", "walk/PDE", "joined",
                                        "none"};
const char *const kFaultName[MMU_CAUSE_COUNT] = {"none", "not-present", "rsvd", "write", "user",
                                                 "nx",   "smep",        "smap", "#GP"};

bool is_walk(int src) { return src >= COV_WALK0 && src <= COV_JOIN; }

// Reasons a bin cannot be hit; the letters are printed in the tables.
struct Reason {
    char tag;
    const char *text;
};
const Reason kReasons[] = {
    {'a', "a TLB hit always has a page size: TLB entries are filled only by successful walks (timing.md 5.5)"},
    {'b', "no level-1 array takes pages of this size, whole or as pieces, for any access kind ([T:fill])"},
    {'c', "no level-2 array takes pages of this size, whole or as pieces, for any access kind ([T:fill])"},
    {'d', "no page-walk cache with entries holds this level"},
    {'e', "a PDPTE-cache hit starts the walk at the PDE: the leaf is a PDE (2M) or a PTE (4K), never a PDPTE (1G)"},
    {'f', "a PDE-cache hit starts the walk at the PTE: 4K pages only (or a fault at the PTE, size none)"},
    {'g', "a non-canonical address is a #GP found at the L1 lookup: size none, source none, no walk"},
    {'h', "source none is only ever a #GP (every other response comes from a TLB or a walk)"},
    {'i', "a TLB hit is usable only if the access passes the rights check (timing.md 5.4): otherwise it is a soft "
          "miss and the walk reports the fault"},
    {'j', "a successful translation ends at a leaf, so it has a page size"},
    {'k', "not-present and reserved-bit faults report size none (timing.md 2.2)"},
    {'l', "a rights fault (write, user, nx, smep, smap) is found at the leaf and reports the leaf's size"},
    {'n', "only walks make A/D writes: no write for an L1 or STLB hit or a #GP"},
    {'o', "a new walk starts only on an idle walker: at most walkers-1 are busy at its dispatch"},
    {'p', "a join needs a busy walker (the one it joins)"},
    {'q', "the completing walker itself is busy"},
    {'r', "the array does not hold this page size (or has no entries): no whole page of it is filled there"},
    {'s', "no piece of this page size goes to the array: it needs splinter on, a size held below the page size, "
          "an access kind it serves whose level holds no such page whole, and the largest piece of the level's "
          "splintering arrays ([T:fill])"},
    {'t', "a 4 KiB page is never split into pieces"},
};
const char *reason_text(char tag)
{
    for (const Reason &r : kReasons)
        if (r.tag == tag)
            return r.text;
    return "?";
}

// PWC array needed by a walk source (-1 none).
int pwc_of(int src) { return src == COV_WALK1 ? 0 : src == COV_WALK2 ? 1 : src == COV_WALK3 ? 2 : -1; }

// size x source: 0 reachable, else the reason.
char reach_size_src(const CovConfig &c, int size, int src)
{
    if (src == COV_NONE)
        return size == 3 ? 0 : 'g';
    if (src == COV_L1 || src == COV_STLB) {
        if (size == 3)
            return 'a';
        if (src == COV_L1 && !(c.level_sizes(1) >> size & 1))
            return 'b';
        if (src == COV_STLB && !(c.level_sizes(2) >> size & 1))
            return 'c';
        return 0;
    }
    int p = pwc_of(src);
    if (p >= 0 && !(c.pwc >> p & 1))
        return 'd';
    if (src == COV_WALK2 && size == 2)
        return 'e';
    if (src == COV_WALK3 && (size == 1 || size == 2))
        return 'f';
    return 0;
}

char reach_fault_size(int cause, int size)
{
    if (cause == MMU_CAUSE_NONCANON)
        return size == 3 ? 0 : 'g';
    if (cause == MMU_CAUSE_NONE)
        return size == 3 ? 'j' : 0;
    if (cause == MMU_CAUSE_NOT_PRESENT || cause == MMU_CAUSE_RSVD)
        return size == 3 ? 0 : 'k';
    return size == 3 ? 'l' : 0;
}

char reach_fault_src(const CovConfig &c, int cause, int src)
{
    if (src == COV_NONE)
        return cause == MMU_CAUSE_NONCANON ? 0 : 'h';
    if (cause == MMU_CAUSE_NONCANON)
        return 'g';
    if (src == COV_L1 || src == COV_STLB) {
        if (src == COV_L1 && !c.level_sizes(1))
            return 'b';
        if (src == COV_STLB && !c.level_sizes(2))
            return 'c';
        return cause == MMU_CAUSE_NONE ? 0 : 'i';
    }
    int p = pwc_of(src);
    if (p >= 0 && !(c.pwc >> p & 1))
        return 'd';
    return 0;
}

char reach_ad_src(const CovConfig &c, int ad, int src)
{
    if (ad && !is_walk(src))
        return 'n';
    return reach_fault_src(c, src == COV_NONE ? MMU_CAUSE_NONCANON : MMU_CAUSE_NONE, src);
}

// TLB array a (row a*2 + piece) x page size: 0 reachable, else the reason.
char reach_array(const CovConfig &c, int a, int piece, int size)
{
    const CovArray &t = c.tlb[(size_t)a];
    if (size == 3)
        return 'a';
    if (!piece)
        return t.on && (t.sizes >> size & 1) ? 0 : 'r';
    if (size == MMU_PS_4K)
        return 't';
    for (unsigned acc = 0; acc < 3; acc++) {
        unsigned p = 0;
        if (((c.candidates(t.level, acc, (unsigned)size, &p) >> a) & 1u) && p < (unsigned)size)
            return 0;
    }
    return 's';
}

// A table of counts: rows x columns over the samples that `in` accepts.
struct Table {
    std::string title;
    std::vector<std::string> rows, cols;
    std::vector<std::vector<uint64_t>> n;
    std::vector<std::vector<char>> why; // 0 reachable, else the reason
};

} // namespace

struct CovReport {
    static Table make(const Coverage &cv, const std::string &title, const std::vector<std::string> &rows,
                      const std::vector<std::string> &cols, const std::function<bool(const Coverage::Key &)> &in,
                      const std::function<int(const Coverage::Key &)> &row,
                      const std::function<int(const Coverage::Key &)> &col, const std::function<char(int, int)> &why)
    {
        Table t;
        t.title = title;
        t.rows = rows;
        t.cols = cols;
        t.n.assign(rows.size(), std::vector<uint64_t>(cols.size(), 0));
        t.why.assign(rows.size(), std::vector<char>(cols.size(), 0));
        for (size_t r = 0; r < rows.size(); r++)
            for (size_t c = 0; c < cols.size(); c++)
                t.why[r][c] = why((int)r, (int)c);
        for (const auto &kv : cv.n_) {
            if (!in(kv.first))
                continue;
            int r = row(kv.first), c = col(kv.first);
            if (r >= 0 && c >= 0 && (size_t)r < rows.size() && (size_t)c < cols.size())
                t.n[(size_t)r][(size_t)c] += kv.second;
        }
        return t;
    }

    static std::vector<Table> tables(const Coverage &cv)
    {
        const CovConfig &c = cv.cfg_;
        std::vector<std::string> sizes(kSizeName, kSizeName + 4), srcs(kSrcName, kSrcName + COV_NSRC),
            faults(kFaultName, kFaultName + MMU_CAUSE_COUNT), noyes = {"no", "yes"}, busy,
            kind = {"new walk", "joined"};
        for (unsigned b = 0; b <= c.walkers; b++)
            busy.push_back(std::to_string(b));
        auto all = [](const Coverage::Key &) { return true; };
        auto walks = [](const Coverage::Key &k) { return is_walk(k[1]); };
        auto size = [](const Coverage::Key &k) { return k[0]; };
        auto src = [](const Coverage::Key &k) { return k[1]; };
        auto fault = [](const Coverage::Key &k) { return k[2]; };
        auto ad = [](const Coverage::Key &k) { return k[3]; };
        auto flush = [](const Coverage::Key &k) { return k[4]; };
        auto wkind = [](const Coverage::Key &k) { return k[1] == COV_JOIN ? 1 : 0; };
        auto bdisp = [](const Coverage::Key &k) { return k[5]; };
        auto bdone = [](const Coverage::Key &k) { return k[6]; };
        const unsigned W = c.walkers;
        std::vector<Table> v;
        v.push_back(make(cv, "page size x source (all responses)", sizes, srcs, all, size, src,
                         [&c](int r, int col) { return reach_size_src(c, r, col); }));
        v.push_back(make(cv, "fault x page size (all responses)", faults, sizes, all, fault, size,
                         [](int r, int col) { return reach_fault_size(r, col); }));
        v.push_back(make(cv, "fault x source (all responses)", faults, srcs, all, fault, src,
                         [&c](int r, int col) { return reach_fault_src(c, r, col); }));
        // the three-way cross, one table per page size: reachable when every pair is
        for (int sz = 0; sz < 4; sz++)
            v.push_back(make(cv, std::string("fault x source, page size ") + kSizeName[sz] + " (all responses)",
                             faults, srcs, [sz](const Coverage::Key &k) { return k[0] == sz; }, fault, src,
                             [&c, sz](int r, int col) -> char {
                                 if (char w = reach_size_src(c, sz, col))
                                     return w;
                                 if (char w = reach_fault_size(r, sz))
                                     return w;
                                 return reach_fault_src(c, r, col);
                             }));
        v.push_back(make(cv, "A/D write made x fault (all responses)", noyes, faults, all, ad, fault,
                         [](int r, int col) -> char {
                             if (r && col == MMU_CAUSE_NONCANON)
                                 return 'n';
                             // every fault kind with an update is reachable: rights
                             // faults set A above the leaf (5.5), and a walk that
                             // made updates and restarted ([T:ad-check]) can end in
                             // a not-present or reserved-bit fault
                             return 0;
                         }));
        v.push_back(make(cv, "A/D write made x page size (all responses)", noyes, sizes, all, ad, size,
                         [](int, int) -> char { return 0; })); // size none: a restarted walk's fault
        v.push_back(make(cv, "A/D write made x source (all responses)", noyes, srcs, all, ad, src,
                         [&c](int r, int col) { return reach_ad_src(c, r, col); }));
        v.push_back(make(cv, "control op waiting during the walk x page size (walks)", noyes, sizes, walks, flush,
                         size, [](int, int) { return (char)0; }));
        std::vector<std::string> wsrcs(kSrcName + COV_WALK0, kSrcName + COV_JOIN + 1);
        v.push_back(make(cv, "control op waiting during the walk x source (walks)", noyes, wsrcs, walks, flush,
                         [](const Coverage::Key &k) { return k[1] - COV_WALK0; },
                         [&c](int, int col) { return reach_fault_src(c, MMU_CAUSE_NONE, col + COV_WALK0); }));
        v.push_back(make(cv, "walkers busy at dispatch (walks)", kind, busy, walks, wkind, bdisp,
                         [W](int r, int col) -> char {
                             if (r == 0 && (unsigned)col == W)
                                 return 'o';
                             if (r == 1 && col == 0)
                                 return 'p';
                             return 0;
                         }));
        v.push_back(make(cv, "walkers busy at completion (walks)", kind, busy, walks, wkind, bdone,
                         [](int, int col) -> char { return col == 0 ? 'q' : 0; }));
        // the TLB arrays: which answered, at which page size, whole or a piece
        std::vector<std::string> arows, psizes(kSizeName, kSizeName + 3);
        for (const CovArray &t : c.tlb) {
            arows.push_back(t.name);
            arows.push_back(t.name + " (piece)");
        }
        v.push_back(make(cv, "TLB array x page size, whole page or piece (TLB hits)", arows, psizes,
                         [](const Coverage::Key &k) { return k[7] >= 0; },
                         [](const Coverage::Key &k) { return k[7] * 2 + (k[8] > 0); }, size,
                         [&c](int r, int col) { return reach_array(c, r / 2, r % 2, col); }));
        return v;
    }
};

CovConfig CovConfig::from(const mmu_config_t &c)
{
    CovConfig k;
    k.walkers = c.walkers;
    for (unsigned i = 0; i < c.ntlb && i < MMU_TLB_MAX; i++) {
        const mmu_tlb_cfg_t &t = c.tlb[i];
        CovArray a;
        a.name = t.name;
        a.level = t.level;
        a.serves = t.serves;
        a.sizes = t.sizes;
        a.splinter = t.splinter;
        a.on = t.a.entries != 0;
        k.tlb.push_back(a);
    }
    for (unsigned i = 0; i < c.npwc && i < MMU_PWC_MAX; i++)
        if (c.pwc[i].a.entries)
            k.pwc |= c.pwc[i].levels & 7u;
    return k;
}

// [T:fill]'s candidates: model/lookup.c's own rule (lk_fill_candidates) on
// the arrays as the coverage keeps them
unsigned CovConfig::candidates(unsigned level, unsigned acc, unsigned ps, unsigned *piece) const
{
    mmu_tlb_cfg_t tc[MMU_TLB_MAX] = {};
    const unsigned n = (unsigned)std::min<size_t>(tlb.size(), MMU_TLB_MAX);
    for (unsigned i = 0; i < n; i++) {
        tc[i].level = tlb[i].level;
        tc[i].serves = tlb[i].serves;
        tc[i].sizes = tlb[i].sizes;
        tc[i].splinter = tlb[i].splinter;
        tc[i].a.entries = tlb[i].on ? 1 : 0;
    }
    return lk_fill_candidates(tc, n, -1, level, acc, ps, piece);
}

unsigned CovConfig::level_sizes(unsigned level) const
{
    unsigned r = 0, p;
    for (unsigned acc = 0; acc < 3; acc++)
        for (unsigned s = 0; s < MMU_PS_COUNT; s++)
            if (candidates(level, acc, s, &p))
                r |= 1u << s;
    return r;
}

std::string CovConfig::text() const
{
    static const char *const pn[3] = {"PML4E", "PDPTE", "PDE"};
    std::string p, t;
    for (unsigned i = 0; i < 3; i++)
        if (pwc >> i & 1)
            p += std::string(p.empty() ? "" : ",") + pn[i];
    for (const CovArray &a : tlb) {
        t += (t.empty() ? "" : " ") + a.name + "(L" + std::to_string(a.level) + ",serves " +
             std::to_string(a.serves) + ",sizes " + std::to_string(a.sizes) + (a.splinter ? ",splinter" : "") +
             (a.on ? "" : ",off") + ")";
    }
    return "walkers " + std::to_string(walkers) + ", TLB arrays " + (t.empty() ? "-" : t) + ", PWC levels " +
           (p.empty() ? "-" : p);
}

void Coverage::add(const CovSample &s, uint64_t n)
{
    n_[Key{s.size, s.src, s.cause, s.ad, s.flush, s.busy_disp, s.busy_done, s.arr, s.piece}] += n;
    responses_ += n;
}

bool Coverage::write(const std::string &path, std::string &err) const
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", kFormat);
    cJSON *cf = cJSON_AddObjectToObject(root, "config");
    cJSON_AddNumberToObject(cf, "walkers", cfg_.walkers);
    cJSON_AddNumberToObject(cf, "pwc", cfg_.pwc);
    cJSON *tl = cJSON_AddArrayToObject(cf, "tlb");
    for (const CovArray &a : cfg_.tlb) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", a.name.c_str());
        cJSON_AddNumberToObject(o, "level", a.level);
        cJSON_AddNumberToObject(o, "serves", a.serves);
        cJSON_AddNumberToObject(o, "sizes", a.sizes);
        cJSON_AddNumberToObject(o, "splinter", a.splinter);
        cJSON_AddNumberToObject(o, "on", a.on);
        cJSON_AddItemToArray(tl, o);
    }
    cJSON *runs = cJSON_AddObjectToObject(root, "runs");
    for (const auto &kv : runs_)
        cJSON_AddNumberToObject(runs, kv.first.c_str(), (double)kv.second);
    cJSON_AddNumberToObject(root, "cycles", (double)cycles_);
    cJSON_AddNumberToObject(root, "responses", (double)responses_);
    cJSON *fields = cJSON_AddArrayToObject(root, "fields");
    for (const char *f : kFields)
        cJSON_AddItemToArray(fields, cJSON_CreateString(f));
    cJSON_AddItemToArray(fields, cJSON_CreateString("count"));
    cJSON *bins = cJSON_AddArrayToObject(root, "bins");
    for (const auto &kv : n_) {
        cJSON *row = cJSON_CreateArray();
        for (int v : kv.first)
            cJSON_AddItemToArray(row, cJSON_CreateNumber(v));
        cJSON_AddItemToArray(row, cJSON_CreateNumber((double)kv.second));
        cJSON_AddItemToArray(bins, row);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    FILE *f = std::fopen(path.c_str(), "w");
    bool ok = f && text && std::fputs(text, f) >= 0 && std::fputc('\n', f) != EOF;
    if (f && std::fclose(f) != 0)
        ok = false;
    cJSON_free(text);
    if (!ok)
        err = path + ": cannot write: " + std::strerror(errno);
    return ok;
}

bool Coverage::load(const std::string &path, std::string &err)
{
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) {
        err = path + ": " + std::strerror(errno);
        return false;
    }
    std::string text;
    char buf[65536];
    size_t k;
    while ((k = std::fread(buf, 1, sizeof buf, f)) > 0)
        text.append(buf, k);
    std::fclose(f);
    cJSON *root = cJSON_Parse(text.c_str());
    auto bad = [&](const std::string &what) {
        err = path + ": " + what;
        cJSON_Delete(root);
        return false;
    };
    if (!root)
        return bad("not JSON");
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsString(fmt) || std::strcmp(fmt->valuestring, kFormat) != 0)
        return bad(std::string("not a coverage file (format is not ") + kFormat + ")");
    const cJSON *cf = cJSON_GetObjectItemCaseSensitive(root, "config");
    CovConfig c;
    const char *keys[2] = {"walkers", "pwc"};
    unsigned *dst[2] = {&c.walkers, &c.pwc};
    for (int i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(cf, keys[i]);
        if (!cJSON_IsNumber(v))
            return bad(std::string("config.") + keys[i] + " missing");
        *dst[i] = (unsigned)v->valuedouble;
    }
    const cJSON *tl = cJSON_GetObjectItemCaseSensitive(cf, "tlb"), *ta;
    if (!cJSON_IsArray(tl))
        return bad("config.tlb missing");
    cJSON_ArrayForEach(ta, tl)
    {
        CovArray a;
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(ta, "name");
        if (!cJSON_IsString(nm))
            return bad("config.tlb: an array without a name");
        a.name = nm->valuestring;
        const char *ak[5] = {"level", "serves", "sizes", "splinter", "on"};
        unsigned *ad[5] = {&a.level, &a.serves, &a.sizes, &a.splinter, &a.on};
        for (int i = 0; i < 5; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(ta, ak[i]);
            if (!cJSON_IsNumber(v))
                return bad("config.tlb." + a.name + "." + ak[i] + " missing");
            *ad[i] = (unsigned)v->valuedouble;
        }
        c.tlb.push_back(a);
    }
    Coverage o(c);
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
    const cJSON *it;
    cJSON_ArrayForEach(it, runs)
    {
        if (cJSON_IsNumber(it))
            o.runs_[it->string] += (uint64_t)it->valuedouble;
    }
    const cJSON *cy = cJSON_GetObjectItemCaseSensitive(root, "cycles");
    o.cycles_ = cJSON_IsNumber(cy) ? (uint64_t)cy->valuedouble : 0;
    const cJSON *bins = cJSON_GetObjectItemCaseSensitive(root, "bins");
    if (!cJSON_IsArray(bins))
        return bad("bins missing");
    cJSON_ArrayForEach(it, bins)
    {
        if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != kNF + 1)
            return bad("a bin is not an array of " + std::to_string(kNF + 1) + " numbers");
        CovSample s;
        int v[kNF + 1];
        for (int i = 0; i <= kNF; i++) {
            const cJSON *x = cJSON_GetArrayItem(it, i);
            if (!cJSON_IsNumber(x))
                return bad("a bin is not an array of " + std::to_string(kNF + 1) + " numbers");
            v[i] = (int)x->valuedouble;
        }
        if (v[0] < 0 || v[0] > 3 || v[1] < 0 || v[1] >= COV_NSRC || v[2] < 0 || v[2] >= MMU_CAUSE_COUNT ||
            v[7] < -1 || v[7] >= (int)c.tlb.size() || v[8] < -1 || v[8] > 1)
            return bad("a bin is out of range");
        s.size = v[0], s.src = v[1], s.cause = v[2], s.ad = v[3], s.flush = v[4], s.busy_disp = v[5],
        s.busy_done = v[6], s.arr = v[7], s.piece = v[8];
        o.add(s, (uint64_t)cJSON_GetArrayItem(it, kNF)->valuedouble);
    }
    cJSON_Delete(root);
    return merge(o, err);
}

bool Coverage::merge(const Coverage &o, std::string &err)
{
    if (!have_cfg_) {
        cfg_ = o.cfg_;
        have_cfg_ = true;
    } else if (!(cfg_ == o.cfg_)) {
        err = "coverage of another MMU shape (" + o.cfg_.text() + ", not " + cfg_.text() + ")";
        return false;
    }
    for (const auto &kv : o.n_)
        n_[kv.first] += kv.second;
    for (const auto &kv : o.runs_)
        runs_[kv.first] += kv.second;
    cycles_ += o.cycles_;
    responses_ += o.responses_;
    return true;
}

namespace {
std::string count_text(uint64_t n)
{
    char b[32];
    if (n >= 10000000)
        std::snprintf(b, sizeof b, "%" PRIu64 "k", n / 1000);
    else
        std::snprintf(b, sizeof b, "%" PRIu64, n);
    return b;
}
} // namespace

unsigned Coverage::report(FILE *f) const
{
    std::vector<Table> ts = CovReport::tables(*this);
    std::string runs;
    uint64_t nruns = 0;
    for (const auto &kv : runs_) {
        runs += (runs.empty() ? "" : ", ") + std::to_string(kv.second) + " " + kv.first;
        nruns += kv.second;
    }
    std::fprintf(f, "coverage of %" PRIu64 " run%s (%s): %" PRIu64 " cycles, %" PRIu64 " responses\n", nruns,
                 nruns == 1 ? "" : "s", runs.c_str(), cycles_, responses_);
    std::fprintf(f, "MMU shape: %s\n", cfg_.text().c_str());
    std::fprintf(f, "cells: a count; '-x' unreachable by construction (reason x below); '0 !!' reachable, not hit\n");
    std::vector<std::string> missed;
    std::map<char, bool> used;
    unsigned reach = 0, hit = 0;
    for (const Table &t : ts) {
        size_t w0 = 0;
        for (const std::string &r : t.rows)
            w0 = std::max(w0, r.size());
        std::vector<size_t> w(t.cols.size());
        for (size_t c = 0; c < t.cols.size(); c++) {
            w[c] = std::max<size_t>(t.cols[c].size(), 4);
            for (size_t r = 0; r < t.rows.size(); r++)
                w[c] = std::max(w[c], count_text(t.n[r][c]).size());
        }
        std::fprintf(f, "\n%s\n  %-*s", t.title.c_str(), (int)w0, "");
        for (size_t c = 0; c < t.cols.size(); c++)
            std::fprintf(f, "  %*s", (int)w[c], t.cols[c].c_str());
        std::fprintf(f, "\n");
        for (size_t r = 0; r < t.rows.size(); r++) {
            std::fprintf(f, "  %-*s", (int)w0, t.rows[r].c_str());
            for (size_t c = 0; c < t.cols.size(); c++) {
                std::string cell;
                if (t.why[r][c]) {
                    cell = std::string("-") + t.why[r][c];
                    used[t.why[r][c]] = true;
                    if (t.n[r][c]) // a bin called unreachable was hit: the reasoning is wrong
                        cell = count_text(t.n[r][c]) + "?" + t.why[r][c];
                } else {
                    reach++;
                    if (t.n[r][c]) {
                        hit++;
                        cell = count_text(t.n[r][c]);
                    } else {
                        cell = "0 !!";
                        missed.push_back(t.title.substr(0, t.title.find(" (")) + ": " + t.rows[r] + " / " +
                                         t.cols[c]);
                    }
                }
                std::fprintf(f, "  %*s", (int)w[c], cell.c_str());
            }
            std::fprintf(f, "\n");
        }
    }
    std::fprintf(f, "\nunreachable by construction:\n");
    for (const auto &kv : used)
        std::fprintf(f, "  -%c  %s\n", kv.first, reason_text(kv.first));
    // bins declared unreachable but hit: the reasoning (or the design) is wrong
    unsigned contradictions = 0;
    for (const Table &t : ts)
        for (size_t r = 0; r < t.rows.size(); r++)
            for (size_t c = 0; c < t.cols.size(); c++)
                if (t.why[r][c] && t.n[r][c]) {
                    if (!contradictions++)
                        std::fprintf(f, "\nHIT BUT CALLED UNREACHABLE (check the design or docs/coverage.md):\n");
                    std::fprintf(f, "  %s: %s / %s: %" PRIu64 " (reason %c)\n", t.title.c_str(), t.rows[r].c_str(),
                                 t.cols[c].c_str(), t.n[r][c], t.why[r][c]);
                }
    std::fprintf(f, "\n%u of %u reachable bins hit", hit, reach);
    if (missed.empty()) {
        std::fprintf(f, ": all\n");
    } else {
        std::fprintf(f, "; %zu MISSED:\n", missed.size());
        for (const std::string &m : missed)
            std::fprintf(f, "  %s\n", m.c_str());
    }
    return (unsigned)missed.size() + contradictions;
}

std::string Coverage::summary() const
{
    std::vector<Table> ts = CovReport::tables(*this);
    unsigned reach = 0, hit = 0;
    for (const Table &t : ts)
        for (size_t r = 0; r < t.rows.size(); r++)
            for (size_t c = 0; c < t.cols.size(); c++)
                if (!t.why[r][c]) {
                    reach++;
                    hit += t.n[r][c] != 0;
                }
    return "coverage: " + std::to_string(hit) + " of " + std::to_string(reach) + " reachable bins hit (" +
           std::to_string(reach - hit) + " missed)";
}
