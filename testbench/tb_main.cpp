// tb_main.cpp - mmulockstep: the SystemC lockstep testbench. The Verilated
// RTL (rtl/mmu_top.sv) and the C model (model/mmu.h) get the same stimulus,
// each talks to its own copy of page-table memory, and every output port is
// compared in every cycle. `mmulockstep --help` for usage; testbench/README.md.
#include <systemc.h>
#include <verilated.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <getopt.h>
#include <string>
#include <vector>

#include "mmu_config.h"
#include "rtl_params.h"
#include "tb_cover.h"
#include "tb_env.h"
#include "tb_params.h"
#include "tb_stim.h"
#include "units.h"

namespace {

// SystemC prints its banner in its own main(), before sc_main: silence it
// from a static initializer, which runs earlier.
const int quiet_banner = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);

void usage(FILE *f)
{
    std::fprintf(f,
                 "usage: mmulockstep [OPTIONS] [+verilator+...]\n"
                 "Lockstep testbench: the Verilated RTL (mmu_top) against the C model, same stimulus,\n"
                 "every output port compared in every cycle; page-table memories compared at the end.\n"
                 "\n"
                 "Test:\n"
                 "      --test NAME          random (default), trace, or a directed test (--list-tests)\n"
                 "      --list-tests         print the directed tests and exit\n"
                 "      --seed N             seed of everything random (default 1); printed as \"seed N\"\n"
                 "      --cycles N           random: cycles with new stimulus, then drain (default 100000);\n"
                 "                           trace: stop reading the trace after N cycles (default: whole trace)\n"
                 "      --trace FILE         replay a trace (lackey / mmutrace text or binary, compressed or not)\n"
                 "                           with demand mapping; implies --test trace\n"
                 "      --format FMT         trace format: auto | lackey | text | bin (default auto)\n"
                 "      --mem-lat SPEC       memory latency: N, fixed:N, uniform:A-B, random, fast, slow\n"
                 "                           (default: 3 for directed tests, drawn from the seed for random)\n"
                 "      --knob NAME=VALUE    set a knob of the random test (procs, pcid, locality, unmapped,\n"
                 "                           noncanon, req, req_idle, ctl, user, pages_lo, pages_hi, edits, early,\n"
                 "                           inert, same_page, implicit, nopg1g, swstore); trace: image=FILE\n"
                 "      --no-noise           drive 0, not noise, on payloads whose valid is 0 (CPU side and\n"
                 "                           memory responses; for waveforms that are easy to read)\n"
                 "Configuration (same as mmusim, applied in this order; default preset tiny). The RTL's\n"
                 "parameters are fixed when it is built (%s%s%s); a configuration with other MMU\n"
                 "values is refused:\n"
                 "  -p, --preset NAME        tiny | skylake | goldencove | zen2 | zen4\n"
                 "  -c, --config FILE        JSON configuration file (docs/config.md)\n"
                 "  -s, --set KEY=VALUE      set one key (repeatable)\n"
                 "Output and debugging:\n"
                 "      --wave FILE          write an FST waveform of the RTL (a name ending in .vcd is\n"
                 "                           converted with fst2vcd at the end)\n"
                 "      --wave-from N        start the waveform at cycle N (default 0)\n"
                 "      --after N            cycles simulated after a mismatch, for the waveform (default 4)\n"
                 "      --watchdog N         cycles without progress before giving up (default 50000)\n"
                 "      --dut rtl|c          the design under test: the RTL (default) or a second C model\n"
                 "                           (checks the harness itself)\n"
                 "      --mismatch-wave FILE VCD of the RTL's and the model's ports side by side, written on the\n"
                 "                           first difference (default mismatch-SEED.vcd; 'none': not written),\n"
                 "                           and a GTKWave save file (.vcd -> .gtkw) next to it\n"
                 "      --mismatch-wave-cycles N  cycles before the difference in it (default 64)\n"
                 "      --inject-mismatch N  flip the model's req_ready in cycle N (checks the scoreboard)\n"
                 "      --inject-array-mismatch ARRAY[:FIELD]  corrupt one way of the model's ARRAY (a name of\n"
                 "                           the configuration's tlb.NAME or pwc.NAME lists, e.g. dtlb; FIELD tag\n"
                 "                           (default), data, pcid, size, asize, flags, age, plru, lfsr)\n"
                 "                           at the end-of-test array compare (checks that compare)\n"
                 "      --break NAME         make one RTL assertion fail on purpose (--list-breaks): a protocol\n"
                 "                           violation on the inputs or RTL state forced; the scoreboard stops\n"
                 "                           comparing from then on and the run must end in that assertion\n"
                 "      --break-at N         the first cycle --break may act in (default 100)\n"
                 "      --list-breaks        print the --break cases and the assertion each must fire\n"

                 "  -v, --verbose            more output (twice: every cycle)\n"
                 "  -h, --help\n"
                 "Coverage (docs/coverage.md):\n"
                 "      --coverage FILE      write this run's functional coverage counts (JSON)\n"
                 "      --coverage-merge [--coverage OUT] [--require-coverage] FILE...\n"
                 "                           sum coverage files, print the report (crosses, unreachable bins,\n"
                 "                           missed bins); exit 1 with --require-coverage if a reachable bin\n"
                 "                           was not hit\n"
                 "Exit status: 0 pass, 1 mismatch or failed expectation, 2 usage or configuration, 3 error.\n",
                 MMU_RTL_PRESET, MMU_RTL_SET[0] ? " + " : "", MMU_RTL_SET);
}

enum { O_SEED = 256, O_CYCLES, O_TEST, O_LIST, O_TRACE, O_FORMAT, O_MEMLAT, O_KNOB, O_NONOISE, O_WAVE, O_WAVEFROM,
       O_AFTER, O_WATCHDOG, O_DUT, O_INJECT, O_MWAVE, O_MWAVE_CYCLES, O_INJECT_ARRAY, O_COVERAGE, O_COV_MERGE,
       O_REQUIRE_COV, O_BREAK, O_BREAK_AT, O_LIST_BREAKS };

bool parse_u64(const char *opt, const char *v, uint64_t &out)
{
    if (units_parse_u64(v, &out) != 0) {
        std::fprintf(stderr, "mmulockstep: %s: invalid value '%s'\n", opt, v);
        return false;
    }
    return true;
}

// The runtime configuration must give the parameters the RTL was built with.
bool check_rtl_params(const sim_config_t &c)
{
    tb_param_t p[TB_MAX_PARAMS];
    char err[256];
    int n = tb_params_from_config(&c, p, TB_MAX_PARAMS, err, sizeof err);
    if (n < 0) {
        std::fprintf(stderr, "mmulockstep: %s\n", err);
        return false;
    }
    const size_t nb = sizeof mmu_rtl_params / sizeof mmu_rtl_params[0];
    std::string diffs;
    for (int i = 0; i < n; i++) {
        bool found = false;
        for (size_t k = 0; k < nb; k++) {
            if (std::strcmp(p[i].param, mmu_rtl_params[k].param) != 0)
                continue;
            found = true;
            if (p[i].value != mmu_rtl_params[k].value)
                diffs += "  " + std::string(p[i].key) + " = " + std::to_string(p[i].value) + ", but the RTL was built with " +
                         mmu_rtl_params[k].param + " = " + std::to_string(mmu_rtl_params[k].value) + "\n";
        }
        if (!found)
            diffs += "  " + std::string(p[i].key) + ": the RTL build has no parameter " + p[i].param + "\n";
    }
    if ((size_t)n != nb)
        diffs += "  the RTL build has " + std::to_string(nb) + " parameters, the configuration " + std::to_string(n) + "\n";
    if (diffs.empty())
        return true;
    std::fprintf(stderr,
                 "mmulockstep: the configuration differs from the one the RTL was built with (preset %s%s%s):\n%s"
                 "The Verilated model's parameters are fixed at build time. Use the build's configuration, or\n"
                 "a preset's own build (bin/mmulockstep_NAME, cmake -DMMU_LOCKSTEP_PRESETS=\"NAME;...\"), or\n"
                 "rebuild with cmake -DMMU_LOCKSTEP_PRESET=NAME -DMMU_LOCKSTEP_SET=\"key=value;...\".\n",
                 MMU_RTL_PRESET, MMU_RTL_SET[0] ? " + " : "", MMU_RTL_SET, diffs.c_str());
    return false;
}

// --coverage-merge: sum the files, print the report, write the sum.
int merge_coverage(const std::vector<char *> &files, const std::string &out, bool require)
{
    if (files.empty()) {
        std::fprintf(stderr, "mmulockstep: --coverage-merge needs coverage files\n");
        return TB_USAGE;
    }
    Coverage sum;
    for (const char *f : files) {
        std::string err;
        if (!sum.load(f, err)) {
            std::fprintf(stderr, "mmulockstep: %s\n", err.c_str());
            return TB_ERROR;
        }
    }
    unsigned missed = sum.report(stdout);
    if (!out.empty()) {
        std::string err;
        if (!sum.write(out, err)) {
            std::fprintf(stderr, "mmulockstep: %s\n", err.c_str());
            return TB_ERROR;
        }
        std::printf("merged counts written to %s\n", out.c_str());
    }
    return require && missed ? TB_FAIL : TB_PASS;
}

} // namespace

int sc_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seed", required_argument, 0, O_SEED},         {"cycles", required_argument, 0, O_CYCLES},
        {"test", required_argument, 0, O_TEST},         {"list-tests", no_argument, 0, O_LIST},
        {"trace", required_argument, 0, O_TRACE},       {"format", required_argument, 0, O_FORMAT},
        {"mem-lat", required_argument, 0, O_MEMLAT},    {"knob", required_argument, 0, O_KNOB},
        {"no-noise", no_argument, 0, O_NONOISE},        {"preset", required_argument, 0, 'p'},
        {"config", required_argument, 0, 'c'},          {"set", required_argument, 0, 's'},
        {"wave", required_argument, 0, O_WAVE},         {"wave-from", required_argument, 0, O_WAVEFROM},
        {"after", required_argument, 0, O_AFTER},       {"watchdog", required_argument, 0, O_WATCHDOG},
        {"dut", required_argument, 0, O_DUT},           {"inject-mismatch", required_argument, 0, O_INJECT},
        {"mismatch-wave", required_argument, 0, O_MWAVE},
        {"mismatch-wave-cycles", required_argument, 0, O_MWAVE_CYCLES},
        {"inject-array-mismatch", required_argument, 0, O_INJECT_ARRAY},
        {"coverage", required_argument, 0, O_COVERAGE},
        {"coverage-merge", no_argument, 0, O_COV_MERGE},
        {"require-coverage", no_argument, 0, O_REQUIRE_COV},
        {"break", required_argument, 0, O_BREAK},
        {"break-at", required_argument, 0, O_BREAK_AT},
        {"list-breaks", no_argument, 0, O_LIST_BREAKS},
        {"verbose", no_argument, 0, 'v'},               {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};

    sc_report_handler::set_actions("/OSCI/SystemC", SC_INFO, SC_DO_NOTHING); // "stopped by user"
    EnvOptions opt;
    StimContext sctx;
    MemLatency lat;
    std::string preset = MMU_RTL_PRESET, config;
    std::vector<std::string> sets;
    bool cycles_given = false, cov_merge = false, require_cov = false;
    // our options and Verilator's plusargs (+verilator+...) are kept apart
    std::vector<char *> args, plus;
    for (int i = 0; i < argc; i++)
        (i > 0 && argv[i][0] == '+' ? plus : args).push_back(argv[i]);
    for (int i = 0; i < argc; i++)
        opt.rerun += (i ? " " : "") + std::string(argv[i]);

    int c;
    opterr = 0;
    int nargs = (int)args.size();
    args.push_back(nullptr);
    while ((c = getopt_long(nargs, args.data(), ":p:c:s:vh", opts, nullptr)) != -1) {
        switch (c) {
        case O_SEED:
            if (!parse_u64("--seed", optarg, opt.seed)) return TB_USAGE;
            break;
        case O_CYCLES:
            if (!parse_u64("--cycles", optarg, sctx.cycles)) return TB_USAGE;
            cycles_given = true;
            break;
        case O_TEST: opt.test = optarg; break;
        case O_LIST:
            for (auto &t : directed_tests())
                std::printf("%-16s %s\n", t.first.c_str(), t.second.c_str());
            std::printf("%-16s %s\n%-16s %s\n", "random", "constrained-random (the default)", "trace",
                        "replay --trace FILE");
            return 0;
        case O_TRACE:
            sctx.trace_path = optarg;
            opt.test = "trace";
            break;
        case O_FORMAT:
            if (trace_fmt_from_name(optarg, &sctx.trace_fmt) != 0) {
                std::fprintf(stderr, "mmulockstep: --format: unknown format '%s' (auto, lackey, text, bin)\n", optarg);
                return TB_USAGE;
            }
            break;
        case O_MEMLAT: {
            std::string e;
            if (!lat.parse(optarg, e)) {
                std::fprintf(stderr, "mmulockstep: %s\n", e.c_str());
                return TB_USAGE;
            }
            sctx.mem_lat_given = true;
            break;
        }
        case O_KNOB: {
            const char *eq = std::strchr(optarg, '=');
            if (!eq || eq == optarg) {
                std::fprintf(stderr, "mmulockstep: --knob: expected NAME=VALUE, got '%s'\n", optarg);
                return TB_USAGE;
            }
            sctx.knobs[std::string(optarg, (size_t)(eq - optarg))] = eq + 1;
            break;
        }
        case O_NONOISE: opt.noise = false; break;
        case 'p': preset = optarg; break;
        case 'c': config = optarg; break;
        case 's': sets.push_back(optarg); break;
        case O_WAVE: opt.wave = optarg; break;
        case O_WAVEFROM:
            if (!parse_u64("--wave-from", optarg, opt.wave_from)) return TB_USAGE;
            break;
        case O_AFTER: {
            uint64_t v;
            if (!parse_u64("--after", optarg, v)) return TB_USAGE;
            opt.after = (unsigned)v;
            break;
        }
        case O_WATCHDOG:
            if (!parse_u64("--watchdog", optarg, opt.watchdog)) return TB_USAGE;
            break;
        case O_DUT:
            if (!std::strcmp(optarg, "rtl")) opt.dut_is_c = false;
            else if (!std::strcmp(optarg, "c")) opt.dut_is_c = true;
            else {
                std::fprintf(stderr, "mmulockstep: --dut: expected rtl or c, got '%s'\n", optarg);
                return TB_USAGE;
            }
            break;
        case O_INJECT:
            if (!parse_u64("--inject-mismatch", optarg, opt.inject)) return TB_USAGE;
            break;
        case O_MWAVE: opt.mismatch_wave = optarg; break;
        case O_MWAVE_CYCLES: {
            uint64_t v;
            if (!parse_u64("--mismatch-wave-cycles", optarg, v)) return TB_USAGE;
            opt.wave_cycles = (unsigned)std::min<uint64_t>(std::max<uint64_t>(v, 1), 100000);
            break;
        }
        case O_INJECT_ARRAY: opt.inject_array = optarg; break;
        case O_COVERAGE: opt.coverage = optarg; break;
        case O_COV_MERGE: cov_merge = true; break;
        case O_REQUIRE_COV: require_cov = true; break;
        case O_BREAK: opt.brk = optarg; break;
        case O_BREAK_AT:
            if (!parse_u64("--break-at", optarg, opt.break_at)) return TB_USAGE;
            break;
        case O_LIST_BREAKS:
            for (const BreakCase &b : break_cases())
                std::printf("%-20s %-8s %s\n%-20s %-8s expects: \"%s\"\n", b.name, b.internal ? "state" : "inputs",
                            b.what, "", "", b.expect);
            return 0;
        case 'v': opt.verbose++; break;
        case 'h': usage(stdout); return 0;
        case ':':
            std::fprintf(stderr, "mmulockstep: option '%s' needs a value\n", args[optind - 1]);
            return TB_USAGE;
        default:
            std::fprintf(stderr, "mmulockstep: unknown option '%s' (--help for usage)\n", args[optind - 1]);
            return TB_USAGE;
        }
    }
    if (cov_merge)
        return merge_coverage(std::vector<char *>(args.begin() + optind, args.begin() + nargs), opt.coverage,
                              require_cov);
    if (optind < nargs) {
        std::fprintf(stderr, "mmulockstep: unexpected argument '%s'\n", args[optind]);
        return TB_USAGE;
    }
    if (require_cov) {
        std::fprintf(stderr, "mmulockstep: --require-coverage goes with --coverage-merge\n");
        return TB_USAGE;
    }
    if (opt.test == "trace" && !cycles_given)
        sctx.cycles = 0;

    // configuration: preset, file, --set (as mmusim)
    sim_config_t cfg;
    char err[512];
    if (cfg_preset(&cfg, preset.c_str(), err, sizeof err) != 0 ||
        (!config.empty() && cfg_load_json(&cfg, config.c_str(), err, sizeof err) != 0)) {
        std::fprintf(stderr, "mmulockstep: %s\n", err);
        return TB_USAGE;
    }
    for (const std::string &kv : sets) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos ||
            cfg_set(&cfg, kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), err, sizeof err) != 0) {
            std::fprintf(stderr, "mmulockstep: --set %s: %s\n", kv.c_str(),
                         eq == std::string::npos ? "expected KEY=VALUE" : err);
            return TB_USAGE;
        }
    }
    if (cfg_check(&cfg, err, sizeof err) != 0) {
        std::fprintf(stderr, "mmulockstep: %s\n", err);
        return TB_USAGE;
    }
    if (!opt.dut_is_c && !check_rtl_params(cfg))
        return TB_USAGE;
    if (!opt.wave.empty() && opt.dut_is_c) {
        std::fprintf(stderr, "mmulockstep: --wave needs the RTL (--dut rtl)\n");
        return TB_USAGE;
    }
    std::string fst = opt.wave, vcd;
    if (fst.size() > 4 && fst.compare(fst.size() - 4, 4, ".vcd") == 0) {
        vcd = fst;
        fst += ".tmp.fst";
        opt.wave = fst;
    }

    std::printf("seed %" PRIu64 "\n", opt.seed);
    std::printf("dut %s (%s, preset %s%s%s); model libmmumodel\n", opt.dut_is_c ? "C model" : "RTL mmu_top",
                opt.dut_is_c ? "--dut c" : MMU_RTL_SOURCES, MMU_RTL_PRESET, MMU_RTL_SET[0] ? " + " : "", MMU_RTL_SET);
    std::fflush(stdout);

    // Verilator: random initial values of non-reset state, from the seed;
    // $stop / failed assertions are reported by the testbench, not aborted
    plus.insert(plus.begin(), argv[0]);
    Verilated::commandArgs((int)plus.size(), plus.data());
    Verilated::randReset(2);
    Verilated::randSeed((int)(Rng::derive(opt.seed, 5) & 0x7FFFFFFF) | 1);
    Verilated::fatalOnError(false);
    if (!opt.wave.empty())
        Verilated::traceEverOn(true);

    const sc_time period(10, SC_NS);
    sc_clock clk("clk", period, 0.5, SC_ZERO_TIME, true);
    sctx.seed = opt.seed;
    sctx.cfg = &cfg;
    sctx.mem_lat = &lat;
    sctx.verbose = opt.verbose;
    Env env("env", cfg, opt, sctx, period);
    env.clk(clk);
    std::string e;
    if (!env.setup(e)) {
        std::fprintf(stderr, "mmulockstep: %s\n", e.c_str());
        return e.rfind("unknown test", 0) == 0 || e.rfind("--", 0) == 0 ? TB_USAGE : TB_ERROR;
    }
    std::fflush(stdout);

    sc_start(SC_ZERO_TIME);
    env.start_trace();
    auto t0 = std::chrono::steady_clock::now();
    sc_start();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    int rc = env.finish(wall);
    if (!vcd.empty()) {
        std::string cmd = "fst2vcd -f '" + fst + "' -o '" + vcd + "' >/dev/null && rm -f '" + fst + "'";
        if (std::system(cmd.c_str()) != 0) {
            std::fprintf(stderr, "mmulockstep: fst2vcd failed; the FST waveform is in %s\n", fst.c_str());
            if (rc == TB_PASS)
                rc = TB_ERROR;
        } else {
            std::printf("waveform converted to %s\n", vcd.c_str());
        }
    }
    std::fflush(stdout);
    return rc;
}
