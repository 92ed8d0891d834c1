"""Named random streams: one independent generator per (seed, replication, component).

The stream of replication k and component ``name`` is, by definition (DESIGN.md),
``Generator(PCG64(SeedSequence(entropy=seed, spawn_key=(k, stable_hash(name)))))``, so
a replication can be replayed alone, results do not depend on how replications are
batched, and two variants share the random numbers of every component they have in
common. `stream` builds exactly that with numpy. Building a `SeedSequence` costs about
15 microseconds, and a replication needs dozens of streams, so `StreamSet` computes the
same PCG64 states for all the components of a scenario at once (numpy's SeedSequence
hash, vectorised over names) and positions one reusable generator on each in turn;
`tests/engine/test_rng.py` checks that both give identical numbers.

Positioning a numpy generator on a stream costs a couple of microseconds, and a
replication draws from dozens, so `StreamSet.block` goes further for a run of
consecutive replications: it computes the states of every stream of every replication
in the block as arrays and steps them all together with PCG64's own arithmetic (the
128-bit LCG of O'Neill 2014, "PCG: A Family of Simple Fast Space-Efficient Statistically
Good Algorithms for Random Number Generation", section 6.3, XSL-RR output, numpy's
default multiplier), so the k-th 64-bit output of each stream comes out as one array.
A distribution that turns one such output into its draw the way numpy's Generator does
(`Distribution.sample_doubles`) is then drawn for the whole block at once.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator, Sequence
from functools import lru_cache

import numpy as np

__all__ = ["StreamBlock", "StreamSet", "seed_sequence", "stable_hash", "stream"]


def stable_hash(name: str) -> int:
    """A 32-bit hash of a component name that is the same in every process and run
    (CRC-32 of its UTF-8 bytes; Python's own `hash` is salted per process)."""
    return zlib.crc32(name.encode("utf-8"))


def seed_sequence(seed: int, replication: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of component `name` in replication `replication`."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(replication, stable_hash(name)))


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """A fresh generator for component `name` in replication `replication` (reference
    construction; use it for any randomness outside the engine's pre-sampled inputs)."""
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, replication, name)))


# --------------------------------------------------------------- the fast, same path
# Constants of numpy's SeedSequence (numpy/random/bit_generator.pyx) and PCG64.
_M32 = 0xFFFFFFFF
_M128 = (1 << 128) - 1
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01F9DD, 0x4973F715
_POOL_SIZE = 4
_PCG_MULT = (2549297995355413924 << 64) | 4865540595714422341
_U32 = np.uint32
_SHIFT = _U32(16)


def _words(n: int) -> list[int]:
    """An integer as little-endian 32-bit words, as SeedSequence reads entropy."""
    if n == 0:
        return [0]
    out = []
    while n > 0:
        out.append(n & _M32)
        n >>= 32
    return out


# The hash steps below take a word as a Python int or as a uint32 array (one word per
# replication of a block): every product is reduced to 32 bits before it meets a
# uint32 array, and no step changes its argument in place.


def _hashmix(value: int | np.ndarray, hash_const: int) -> tuple[int | np.ndarray, int]:
    value = value ^ hash_const
    hash_const = (hash_const * _MULT_A) & _M32
    value = (value * hash_const) & _M32
    return value ^ (value >> 16), hash_const


def _mix(x: int, y: int | np.ndarray) -> int | np.ndarray:
    result = (((_MIX_MULT_L * x) & _M32) - ((_MIX_MULT_R * y) & _M32)) & _M32
    return result ^ (result >> 16)


def _mix_in(pool: list[int], hash_const: int,
            word: int | np.ndarray) -> tuple[list[int | np.ndarray], int]:
    pool = list(pool)
    for dst in range(_POOL_SIZE):
        hashed, hash_const = _hashmix(word, hash_const)
        pool[dst] = _mix(pool[dst], hashed)
    return pool, hash_const


@lru_cache(maxsize=64)
def _seed_pool(seed: int) -> tuple[tuple[int, ...], int]:
    """The SeedSequence pool after the run entropy (the seed, padded to the pool size
    because a spawn key follows) and the all-pairs mixing: it depends on the seed only."""
    entropy = _words(seed)
    entropy += [0] * (_POOL_SIZE - len(entropy))
    hash_const = _INIT_A
    pool = []
    for word in entropy[:_POOL_SIZE]:
        hashed, hash_const = _hashmix(word, hash_const)
        pool.append(hashed)
    for src in range(_POOL_SIZE):
        for dst in range(_POOL_SIZE):
            if src != dst:
                hashed, hash_const = _hashmix(pool[src], hash_const)
                pool[dst] = _mix(pool[dst], hashed)
    for word in entropy[_POOL_SIZE:]:
        pool, hash_const = _mix_in(pool, hash_const, word)
    return tuple(pool), hash_const


def _constants(hash_const: int, count: int, mult: int) -> list[int]:
    out = []
    for _ in range(count):
        hash_const = (hash_const * mult) & _M32
        out.append(hash_const)
    return out


class _NameMixer:
    """The per-name half of the SeedSequence hash, precomputed for one list of names
    and one hash-constant position; `states(pool)` finishes it for a replication with a
    handful of whole-array operations."""

    def __init__(self, hashes: np.ndarray, hash_const: int) -> None:
        after = _constants(hash_const, _POOL_SIZE, _MULT_A)
        before = [hash_const, *after[:-1]]
        # The name word's hashmix does not depend on the pool: do it once, (pool, names).
        xor = np.array(before, dtype=np.uint32)[:, None]
        mult = np.array(after, dtype=np.uint32)[:, None]
        value = (hashes[None, :] ^ xor) * mult
        self.hashed_names = _U32(_MIX_MULT_R) * (value ^ (value >> _SHIFT))
        out_after = _constants(_INIT_B, 2 * _POOL_SIZE, _MULT_B)
        out_before = [_INIT_B, *out_after[:-1]]
        self.out_xor = np.array(out_before, dtype=np.uint32)[:, None]
        self.out_mult = np.array(out_after, dtype=np.uint32)[:, None]
        self.cycle = np.arange(2 * _POOL_SIZE) % _POOL_SIZE

    def words(self, pools: np.ndarray) -> np.ndarray:
        """SeedSequence.generate_state(4, np.uint64) of every name as eight 32-bit
        words, (8, replications, names), given the pools (4, replications) after each
        replication's word."""
        left = pools.astype(np.uint32) * _U32(_MIX_MULT_L)
        mixed = left[:, :, None] - self.hashed_names[:, None, :]
        mixed ^= mixed >> _SHIFT
        # cycle the pool, hash each word
        words = (mixed[self.cycle] ^ self.out_xor[:, :, None]) * self.out_mult[:, :, None]
        words ^= words >> _SHIFT
        return words

    def states(self, pool: Sequence[int]) -> list[tuple[int, int]]:
        """PCG64 (state, inc) of every name, given the pool after the replication word."""
        words = self.words(np.array(pool, dtype=np.uint32)[:, None])[:, 0, :]
        pairs = np.ascontiguousarray(words.T).astype("<u4").view("<u8").tolist()
        out = []
        for s_hi, s_lo, i_hi, i_lo in pairs:
            # pcg64_set_seed: state = 0; inc = 2*initseq+1; step; state += initstate; step
            inc = ((((i_hi << 64) | i_lo) << 1) | 1) & _M128
            state = ((inc + ((s_hi << 64) | s_lo)) * _PCG_MULT + inc) & _M128
            out.append((state, inc))
        return out


_U64 = np.uint64
_LOW_32 = _U64(_M32)
_MULT_HI, _MULT_LO = _U64(_PCG_MULT >> 64), _U64(_PCG_MULT & ((1 << 64) - 1))
_DOUBLE_UNIT = 1.0 / 9007199254740992.0  # 2**-53, as numpy's next_double scales 53 bits


def _mul_hi(a: np.ndarray, b: np.ndarray | np.uint64) -> np.ndarray:
    """The high 64 bits of the 128-bit products ``a * b`` (from 32-bit halves)."""
    a0, a1, b0, b1 = a & _LOW_32, a >> _U64(32), b & _LOW_32, b >> _U64(32)
    low, cross_1, cross_2 = a0 * b0, a0 * b1, a1 * b0
    middle = (low >> _U64(32)) + (cross_1 & _LOW_32) + (cross_2 & _LOW_32)
    return a1 * b1 + (cross_1 >> _U64(32)) + (cross_2 >> _U64(32)) + (middle >> _U64(32))


def _add(hi: np.ndarray, lo: np.ndarray, add_hi: np.ndarray,
         add_lo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(hi, lo) + (add_hi, add_lo)`` modulo 2**128, as (high, low) 64-bit words."""
    low = lo + add_lo
    return hi + add_hi + (low < lo).astype(_U64), low


def _lcg_step(hi: np.ndarray, lo: np.ndarray, inc_hi: np.ndarray,
              inc_lo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One step of PCG64's LCG: ``state * multiplier + inc`` modulo 2**128."""
    product_hi = _mul_hi(lo, _MULT_LO) + lo * _MULT_HI + hi * _MULT_LO
    return _add(product_hi, lo * _MULT_LO, inc_hi, inc_lo)


def _xsl_rr(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """PCG64's output of a state: the halves xor-ed, rotated right by the top 6 bits."""
    folded = hi ^ lo
    rotation = hi >> _U64(58)
    return (folded >> rotation) | (folded << ((_U64(64) - rotation) & _U64(63)))


class StreamBlock:
    """The streams of a `StreamSet` for a block of replications: `outputs` gives their
    first 64-bit outputs as arrays, `doubles` the same as numpy's ``random()`` doubles, and
    `states` a stream's starts for a numpy generator (draws that are not one double)."""

    def __init__(self, words: np.ndarray) -> None:
        # words: (8, replications, streams) uint32, SeedSequence.generate_state(4, uint64)
        pairs = words[0::2].astype(_U64) | (words[1::2].astype(_U64) << _U64(32))
        seed_hi, seed_lo, seq_hi, seq_lo = pairs
        # pcg64_set_seed: inc = 2 * initseq + 1; state = (inc + initstate) * mult + inc
        self.inc_hi = (seq_hi << _U64(1)) | (seq_lo >> _U64(63))
        self.inc_lo = (seq_lo << _U64(1)) | _U64(1)
        self.start_hi, self.start_lo = _lcg_step(
            *_add(self.inc_hi, self.inc_lo, seed_hi, seed_lo), self.inc_hi, self.inc_lo)

    def outputs(self, count: int) -> list[np.ndarray]:
        """The first `count` outputs of every stream: item i is an array (replications,
        streams) of the i-th 64-bit output."""
        hi, lo, found = self.start_hi, self.start_lo, []
        for _ in range(count):
            hi, lo = _lcg_step(hi, lo, self.inc_hi, self.inc_lo)
            found.append(_xsl_rr(hi, lo))
        return found

    def doubles(self, count: int) -> list[np.ndarray]:
        """The first `count` doubles in [0, 1) each stream gives, as numpy's ``random()``."""
        return [(raw >> _U64(11)).astype(np.float64) * _DOUBLE_UNIT
                for raw in self.outputs(count)]

    def states(self, stream: int) -> list[tuple[int, int]]:
        """PCG64 (state, inc) at the start of one stream (a column of the block), for
        every replication of the block: where a numpy generator takes over."""
        def joined(hi: np.ndarray, lo: np.ndarray) -> list[int]:
            return [(h << 64) | low for h, low in zip(hi[:, stream].tolist(),
                                                    lo[:, stream].tolist(), strict=True)]

        return list(zip(joined(self.start_hi, self.start_lo),
                        joined(self.inc_hi, self.inc_lo), strict=True))


class StreamSet:
    """The named streams of a fixed list of components, for any seed and replication.

    ``positioned(seed, replication)`` yields ``(name, generator)`` in the order of
    `names`; each generator is the shared one, reset to the start of that component's
    stream, so draw everything a component needs before advancing the iterator. The
    numbers are exactly those of `stream(seed, replication, name)`.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self._hashes = np.array([stable_hash(n) for n in self.names], dtype=np.uint32)
        self._mixers: dict[int, _NameMixer] = {}
        self._local = threading.local()  # one reusable generator per thread (Dask threads)

    def states(self, seed: int, replication: int) -> list[tuple[int, int]]:
        """PCG64 (state, inc) pairs of every component, in the order of `names`."""
        if seed < 0 or replication < 0:
            raise ValueError("seed and replication must be >= 0")
        pool, hash_const = _seed_pool(seed)
        pool_list = list(pool)
        for word in _words(replication):
            pool_list, hash_const = _mix_in(pool_list, hash_const, word)
        return self._mixer(hash_const).states(pool_list)

    def _mixer(self, hash_const: int) -> _NameMixer:
        """The names' half of the hash at this hash-constant position, worked out once."""
        mixer = self._mixers.get(hash_const)
        if mixer is None:
            mixer = self._mixers[hash_const] = _NameMixer(self._hashes, hash_const)
        return mixer

    def block(self, seed: int, first: int, count: int) -> StreamBlock:
        """The streams of replications ``first .. first + count - 1``, computed together
        (the same numbers as `states`; replications below 2**32, one entropy word)."""
        if seed < 0 or first < 0 or first + count > 1 << 32:
            raise ValueError("seed must be >= 0 and replications in [0, 2**32)")
        pool, hash_const = _seed_pool(seed)
        replication_words = np.arange(first, first + count, dtype=np.uint32)
        pools, hash_const = _mix_in(list(pool), hash_const, replication_words)
        return StreamBlock(self._mixer(hash_const).words(np.stack(pools)))

    def positioned(self, seed: int, replication: int) -> Iterator[tuple[str, np.random.Generator]]:
        """Iterate ``(name, generator)`` with the generator at the start of each stream."""
        if not self.names:
            return
        for name, (pcg_state, inc) in zip(self.names, self.states(seed, replication),
                                          strict=True):
            yield name, self.at(pcg_state, inc)

    def at(self, pcg_state: int, inc: int) -> np.random.Generator:
        """This thread's reusable generator, positioned at PCG64 state (`pcg_state`, `inc`)."""
        generator = getattr(self._local, "generator", None)
        if generator is None:
            generator = self._local.generator = np.random.Generator(np.random.PCG64(0))
        generator.bit_generator.state = {"bit_generator": "PCG64",
                                         "state": {"state": pcg_state, "inc": inc},
                                         "has_uint32": 0, "uinteger": 0}
        return generator
