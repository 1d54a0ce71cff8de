// tb_vcd.cpp - see tb_vcd.h. VCD: IEEE 1364-2005 section 18 (four-state
// value change dump); only what GTKWave and vcd2fst need: a header, scopes,
// wires, #time and value changes.
#include "tb_vcd.h"

#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>

#include "tb_ports.h"

namespace {

struct Sig {
    std::string scope, name; // name with the RTL suffix and, for vectors, no range
    unsigned width;
    std::string id;
    std::function<uint64_t(const TbCycle &)> get;
    bool input; // changes at the falling edge (inputs), else at the rising edge
    std::string last;
};

std::string vcd_id(unsigned n)
{
    std::string s;
    do {
        s += (char)('!' + n % 94);
        n /= 94;
    } while (n);
    return s;
}

std::string value(const Sig &s, uint64_t v, bool unknown)
{
    if (s.width == 1)
        return std::string(unknown ? "x" : (v & 1) ? "1" : "0") + s.id;
    std::string b = "b";
    if (unknown) {
        b += "x";
    } else {
        v &= tb_width_mask(s.width);
        int hi = 63;
        while (hi > 0 && !((v >> hi) & 1))
            hi--;
        for (int i = hi; i >= 0; i--)
            b += ((v >> i) & 1) ? '1' : '0';
    }
    return b + " " + s.id;
}

std::string ref(const Sig &s)
{
    std::string r = s.scope + "." + s.name;
    if (s.width > 1)
        r += "[" + std::to_string(s.width - 1) + ":0]";
    return r;
}

} // namespace

bool write_mismatch_vcd(const VcdInfo &v, const std::vector<TbCycle> &cycles, std::string &err)
{
    if (cycles.empty()) {
        err = "no cycles in the history";
        return false;
    }
    std::vector<Sig> sigs;
    auto add = [&](const char *scope, const std::string &name, unsigned w, bool input,
                   std::function<uint64_t(const TbCycle &)> get) {
        sigs.push_back(Sig{scope, name, w, vcd_id((unsigned)sigs.size()), std::move(get), input, ""});
    };
    add("tb", "clk", 1, false, [](const TbCycle &) { return 1; }); // handled specially
    add("tb", "cycle", 64, false, [](const TbCycle &c) { return c.t; });
    add("tb", "mismatch", 1, false, [](const TbCycle &c) { return (uint64_t)c.diff; });
#define TB_X(ty, n, w) add("in", #n "_i", w, true, [](const TbCycle &c) { return (uint64_t)c.in.n; });
    TB_CPU_INPUTS(TB_X)
#undef TB_X
#define TB_X(ty, n, w, g)                                                                                            \
    add("rtl", #n "_o", w, false, [](const TbCycle &c) { return (uint64_t)c.o_d.n; });
    TB_OUTPUTS(TB_X)
#undef TB_X
#define TB_X(ty, n, w) add("rtl", #n "_i", w, true, [](const TbCycle &c) { return (uint64_t)c.mem_d.n; });
    TB_MEM_INPUTS(TB_X)
#undef TB_X
#define TB_X(ty, n, w, g)                                                                                            \
    add("model", #n "_o", w, false, [](const TbCycle &c) { return (uint64_t)c.o_r.n; });
    TB_OUTPUTS(TB_X)
#undef TB_X
#define TB_X(ty, n, w) add("model", #n "_i", w, true, [](const TbCycle &c) { return (uint64_t)c.mem_r.n; });
    TB_MEM_INPUTS(TB_X)
#undef TB_X

    FILE *f = std::fopen(v.vcd.c_str(), "w");
    if (!f) {
        err = v.vcd + ": " + std::strerror(errno);
        return false;
    }
    std::time_t now = std::time(nullptr);
    char date[64];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    std::fprintf(f, "$date\n  %s\n$end\n$version\n  mmulockstep mismatch waveform (RTL and C model side by side)\n$end\n",
                 date);
    std::fprintf(f,
                 "$comment\n  seed %" PRIu64 ", test %s: %s; first difference in cycle %" PRIu64 ".\n"
                 "  Cycle c starts at %" PRIu64 " + c * %" PRIu64 " ps, as in the FST of --wave; outputs change at\n"
                 "  the rising edge, inputs at the falling edge (mid-cycle).\n$end\n",
                 v.seed, v.test.c_str(), v.what.c_str(), v.first_bad, v.t0_ps, v.period_ps);
    std::fprintf(f, "$timescale 1ps $end\n");
    std::string scope;
    for (const Sig &s : sigs) {
        if (s.scope != scope) {
            if (!scope.empty())
                std::fprintf(f, "$upscope $end\n");
            std::fprintf(f, "$scope module %s $end\n", s.scope.c_str());
            scope = s.scope;
        }
        if (s.width == 1)
            std::fprintf(f, "$var wire 1 %s %s $end\n", s.id.c_str(), s.name.c_str());
        else
            std::fprintf(f, "$var wire %u %s %s [%u:0] $end\n", s.width, s.id.c_str(), s.name.c_str(), s.width - 1);
    }
    std::fprintf(f, "$upscope $end\n$enddefinitions $end\n");

    const uint64_t P = v.period_ps, half = P / 2;
    auto start = [&](uint64_t t) { return v.t0_ps + t * P; };
    // The rising edge that starts the first cycle: outputs of that cycle;
    // the inputs (of the cycle before) are not in the history: x.
    std::fprintf(f, "#%" PRIu64 "\n$dumpvars\n", start(cycles[0].t));
    for (Sig &s : sigs) {
        if (s.name == "clk" && s.scope == "tb")
            s.last = value(s, 1, false);
        else
            s.last = value(s, s.get(cycles[0]), s.input);
        std::fprintf(f, "%s\n", s.last.c_str());
    }
    std::fprintf(f, "$end\n");
    for (size_t k = 0; k < cycles.size(); k++) {
        const TbCycle &c = cycles[k];
        for (int phase = 0; phase < 2; phase++) {
            if (k == 0 && phase == 0)
                continue;
            std::fprintf(f, "#%" PRIu64 "\n", start(c.t) + (phase ? half : 0));
            for (Sig &s : sigs) {
                std::string nv;
                if (s.name == "clk" && s.scope == "tb")
                    nv = value(s, phase ? 0 : 1, false);
                else if (s.input == (phase == 1))
                    nv = value(s, s.get(c), false);
                else
                    continue;
                if (nv != s.last) {
                    std::fprintf(f, "%s\n", nv.c_str());
                    s.last = nv;
                }
            }
        }
    }
    // the rising edge that ends the last cycle
    std::fprintf(f, "#%" PRIu64 "\n1%s\n", start(cycles.back().t) + P, sigs[0].id.c_str());
    bool ok = !std::ferror(f);
    if (std::fclose(f) != 0)
        ok = false;
    if (!ok) {
        err = v.vcd + ": write error";
        return false;
    }

    // GTKWave save file: tb.*, the differing ports, then every port as an
    // rtl/model pair, then the CPU-side inputs.
    if (v.gtkw.empty())
        return true;
    FILE *g = std::fopen(v.gtkw.c_str(), "w");
    if (!g) {
        err = v.gtkw + ": " + std::strerror(errno);
        return false;
    }
    const uint64_t t_first = start(cycles.front().t), t_end = start(cycles.back().t) + P;
    // zoom: GTKWave shows 2^-zoom time units per pixel; about 1000 pixels
    double zoom = -std::ceil(std::log2((double)(t_end - t_first) / 1000.0));
    std::fprintf(g, "[*] mmulockstep mismatch: seed %" PRIu64 ", test %s, first difference in cycle %" PRIu64 "\n",
                 v.seed, v.test.c_str(), v.first_bad);
    std::fprintf(g, "[dumpfile] \"%s\"\n[timestart] %" PRIu64 "\n[size] 1400 900\n", v.vcd.c_str(), t_first);
    std::fprintf(g, "*%.6f %" PRIu64, zoom, start(v.first_bad));
    for (int i = 0; i < 26; i++)
        std::fprintf(g, " -1");
    std::fprintf(g, "\n[sst_width] 1\n[signals_width] 300\n[sst_expanded] 0\n[sst_vpaned_height] 0\n");
    auto find = [&](const std::string &scope, const std::string &name) -> const Sig * {
        for (const Sig &s : sigs)
            if (s.scope == scope && s.name == name)
                return &s;
        return nullptr;
    };
    auto trace = [&](const Sig *s, int color) {
        if (!s)
            return;
        if (color)
            std::fprintf(g, "[color] %d\n", color);
        // an alias with the scope: GTKWave shows leaf names, and rtl.x / model.x must differ
        std::fprintf(g, "%s\n+{%s:%s} %s\n", s->width == 1 ? "@28" : s->name == "cycle" ? "@24" : "@22",
                     s->scope.c_str(), s->name.c_str(), ref(*s).c_str());
    };
    trace(find("tb", "clk"), 0);
    trace(find("tb", "cycle"), 0);
    trace(find("tb", "mismatch"), 1);
    if (!v.bad_ports.empty()) {
        std::fprintf(g, "@200\n-differs: rtl / model\n");
        for (const std::string &p : v.bad_ports) {
            trace(find("rtl", p), 1);
            trace(find("model", p), 1);
        }
    }
    std::fprintf(g, "@200\n-outputs: rtl / model\n");
    for (const Sig &s : sigs)
        if (s.scope == "rtl" && !s.input) {
            trace(&s, 0);
            trace(find("model", s.name), 0);
        }
    std::fprintf(g, "@200\n-memory responses: rtl / model\n");
    for (const Sig &s : sigs)
        if (s.scope == "rtl" && s.input) {
            trace(&s, 0);
            trace(find("model", s.name), 0);
        }
    std::fprintf(g, "@200\n-CPU-side inputs\n");
    for (const Sig &s : sigs)
        if (s.scope == "in")
            trace(&s, 0);
    ok = !std::ferror(g);
    if (std::fclose(g) != 0 || !ok) {
        err = v.gtkw + ": write error";
        return false;
    }
    return true;
}
