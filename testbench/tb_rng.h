// tb_rng.h - a small, portable, seeded random generator (xoshiro256**
// seeded by splitmix64). The standard library's distributions are not
// portable across implementations, so the testbench draws only through this.
#pragma once
#include <cstdint>

class Rng {
  public:
    explicit Rng(uint64_t seed = 1) { reseed(seed); }
    void reseed(uint64_t seed)
    {
        uint64_t x = seed;
        for (auto &w : s_)
            w = splitmix(x);
    }
    // A new generator whose seed is derived from this seed and a stream label.
    static uint64_t derive(uint64_t seed, uint64_t stream)
    {
        uint64_t x = seed ^ (stream * 0x9E3779B97F4A7C15ull);
        splitmix(x);
        return splitmix(x);
    }
    uint64_t next()
    {
        const uint64_t r = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return r;
    }
    // Uniform in [0, n); n > 0.
    uint64_t below(uint64_t n) { return n ? next() % n : 0; }
    // Uniform in [lo, hi].
    uint64_t range(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
    // True with probability p (0..1).
    bool chance(double p) { return (double)(next() >> 11) * (1.0 / 9007199254740992.0) < p; }
    double real() { return (double)(next() >> 11) * (1.0 / 9007199254740992.0); }
    // Index drawn with the given weights (n entries, not all 0).
    template <class T> unsigned weighted(const T *w, unsigned n)
    {
        uint64_t sum = 0;
        for (unsigned i = 0; i < n; i++)
            sum += w[i];
        uint64_t x = below(sum);
        for (unsigned i = 0; i < n; i++) {
            if (x < (uint64_t)w[i])
                return i;
            x -= w[i];
        }
        return n - 1;
    }

  private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static uint64_t splitmix(uint64_t &x)
    {
        uint64_t z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    uint64_t s_[4];
};
