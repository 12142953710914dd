#!/usr/bin/env python3
"""Write the seed corpora of the fec_payload_id_parse and fec_decode fuzz targets.

Usage: fuzz/make_fec_seeds.py [CORPUS_DIR]   (default: fuzz/corpus)

fec_payload_id_parse: datagrams carrying roc-toolkit 0.4 payload IDs (rs8m footer
and header, ldpc footer and 8-byte header, the IDs seen in
shared/vectors/roc-0.4) and one of each malformed case: k = 0, ESI out of
range for source and repair, n < k, n - k < N1, ID with no symbol, short.

fec_decode: block scenarios in the target's input format (see the top of
fuzz_fec_decode.c): 18 + 10 blocks as roc sends them with 1, 3, 10 and 11
lost source packets, across the SBN wrap, with duplicates, hostile k / n /
ESI / SBN fields, cut datagrams, flipped symbol bytes, and direct calls
with k = 0, n < k, n too large.

Only seed_*.bin files are rewritten; files libFuzzer adds are left alone.
Deterministic: running it again gives the same bytes.
"""
import os
import struct
import sys


def rs8m_id(sbn, esi, k):
    return struct.pack(">I", sbn)[1:] + bytes([esi]) + struct.pack(">H", k)


def ldpc_src(sbn, esi, k):
    return struct.pack(">HHH", sbn, esi, k)


def ldpc_rep(sbn, esi, k, n):
    return struct.pack(">HHHH", sbn, esi, k, n)


SYM = bytes(range(0x80, 0x80 + 24))  # a 24-byte stand-in for RTP header + payload

PAYLOAD_ID_SEEDS = {
    # Valid, as on the wire (IDs from the roc captures).
    "seed_rs8m_source_roc": SYM + rs8m_id(0xA8D6, 0, 18),
    "seed_rs8m_repair_roc": rs8m_id(0xA8D6, 18, 18) + SYM,
    "seed_rs8m_last_esi": rs8m_id(0xFFFFFF, 254, 18) + SYM,
    "seed_rs8m_k255": SYM + rs8m_id(1, 254, 255),
    "seed_ldpc_source_roc": SYM + ldpc_src(0x3CE9, 17, 18),
    "seed_ldpc_repair_roc": ldpc_rep(0x3CE9, 19, 18, 28) + SYM,
    "seed_ldpc_repair_min_r": ldpc_rep(0xFFFF, 24, 18, 25) + SYM,
    "seed_ldpc_repair_max_n": ldpc_rep(7, 0xFFFE, 0xFFF0, 0xFFFF) + SYM,
    "seed_one_byte_symbol": b"\x01" + rs8m_id(5, 1, 2),
    # Malformed.
    "seed_bad_k0": SYM + rs8m_id(1, 0, 0),
    "seed_bad_source_esi": SYM + ldpc_src(1, 18, 18),
    "seed_bad_rs8m_repair_esi_lt_k": rs8m_id(1, 17, 18) + SYM,
    "seed_bad_rs8m_repair_esi_255": rs8m_id(1, 255, 18) + SYM,
    "seed_bad_rs8m_k_gt_255": SYM + rs8m_id(1, 0, 256),
    "seed_bad_ldpc_n_lt_k": ldpc_rep(1, 20, 18, 10) + SYM,
    "seed_bad_ldpc_n_eq_k": ldpc_rep(1, 18, 18, 18) + SYM,
    "seed_bad_ldpc_r_lt_n1": ldpc_rep(1, 18, 18, 24) + SYM,
    "seed_bad_ldpc_esi_ge_n": ldpc_rep(1, 28, 18, 28) + SYM,
    "seed_bad_id_only": rs8m_id(1, 0, 18),
    "seed_bad_short": b"\x00\x01\x02",
    "seed_bad_empty": b"",
}


# ---- fec_decode ------------------------------------------------------------

RS8M, LDPC = 0, 1
SBN_WRAP, SBN_ZERO, SBN_BYTES = 0, 1, 2


def header(scheme, k, r, symbol_bytes, sbn_mode=SBN_WRAP, sbn=0, seed=1):
    """8 header bytes decoding to (scheme, k, r, symbol_bytes) in the target."""
    assert 1 <= k <= 40 and 1 <= symbol_bytes <= 48
    r_byte = r - 7 if scheme == LDPC else r
    assert 0 <= r_byte < (18 if scheme == LDPC else 25)
    flags = scheme | sbn_mode << 1
    return bytes([flags, k - 1, r_byte, symbol_bytes - 1,
                  (sbn >> 16) & 0xFF, (sbn >> 8) & 0xFF, sbn & 0xFF, seed & 0xFF])


def deliver(esi, block=0):
    return bytes([block << 7 | esi, 0])


def twice(esi, block=0):
    return bytes([block << 7 | esi, 8])


def cut(esi, length, block=0):
    return bytes([block << 7 | esi, 9, length])


def field(esi, which, value, block=0):
    """which: 0 SBN, 1 ESI, 2 k, 3 n, 4 ESI byte."""
    return bytes([block << 7 | esi, 10, which, value >> 8, value & 0xFF])


def flip(esi, at, block=0):
    return bytes([block << 7 | esi, 11, at])


def direct(k, n):
    """End of operations, then hostile k and n for direct decoder calls."""
    return bytes([0, 15]) + struct.pack(">HH", k, n)


def block_ops(k, r, lost=(), block=0):
    return b"".join(deliver(e, block) for e in range(k + r) if e not in lost)


DECODE_SEEDS = {
    "seed_rs8m_18_10_lost1": header(RS8M, 18, 10, 32) + block_ops(18, 10, {5}),
    "seed_rs8m_18_10_lost3_wrap": header(RS8M, 18, 10, 32)
    + block_ops(18, 10, {0, 9, 17}) + block_ops(18, 10, {3}, block=1),
    "seed_rs8m_18_10_lost10": header(RS8M, 18, 10, 16, SBN_ZERO)
    + block_ops(18, 10, set(range(10))),
    "seed_rs8m_18_10_lost11": header(RS8M, 18, 10, 16) + block_ops(18, 10, set(range(11))),
    "seed_rs8m_10_5_repairs_lost": header(RS8M, 10, 5, 9, SBN_BYTES, 0x123456)
    + block_ops(10, 5, {1, 2, 11, 12}),
    "seed_rs8m_dup_and_cut": header(RS8M, 18, 10, 32)
    + twice(0) + cut(1, 20) + block_ops(18, 10, {0, 1, 2}) + twice(20),
    "seed_rs8m_hostile_k": header(RS8M, 18, 10, 32)
    + field(0, 2, 0) + field(1, 2, 300) + field(2, 2, 17) + block_ops(18, 10, {0, 1, 2}),
    "seed_rs8m_hostile_esi": header(RS8M, 18, 10, 32)
    + field(20, 4, 3) + field(21, 4, 255) + block_ops(18, 10, {3, 4}),
    "seed_rs8m_flipped_symbol": header(RS8M, 18, 10, 32)
    + flip(19, 10) + block_ops(18, 10, {4, 19}),
    "seed_rs8m_direct_k0": header(RS8M, 4, 3, 5) + block_ops(4, 3, {0}) + direct(0, 10),
    "seed_ldpc_direct_n_lt_k": header(LDPC, 4, 7, 5) + block_ops(4, 7, {0}) + direct(20, 10),
    "seed_rs8m_direct_n_big": header(RS8M, 4, 3, 5) + block_ops(4, 3, {0}) + direct(18, 300),
    "seed_ldpc_18_10_lost1": header(LDPC, 18, 10, 32) + block_ops(18, 10, {7}),
    "seed_ldpc_18_10_lost3_wrap": header(LDPC, 18, 10, 32)
    + block_ops(18, 10, {2, 3, 4}) + block_ops(18, 10, {17}, block=1),
    "seed_ldpc_18_10_lost8": header(LDPC, 18, 10, 12, SBN_ZERO)
    + block_ops(18, 10, {0, 2, 4, 6, 8, 10, 12, 14}),
    "seed_ldpc_18_10_lost11": header(LDPC, 18, 10, 12) + block_ops(18, 10, set(range(11))),
    "seed_ldpc_sources_only": header(LDPC, 18, 10, 12) + block_ops(18, 0, {1}),
    "seed_ldpc_10_7": header(LDPC, 10, 7, 20, SBN_BYTES, 0xFFFE) + block_ops(10, 7, {4}),
    "seed_ldpc_hostile_n": header(LDPC, 18, 10, 32)
    + field(18, 3, 10) + field(19, 3, 24) + field(20, 3, 0xFFFF) + block_ops(18, 10, {5, 6}),
    "seed_ldpc_hostile_k_consistent": header(LDPC, 6, 8, 8)
    + b"".join(field(e, 2, 5) for e in range(14)),
    "seed_ldpc_hostile_sbn": header(LDPC, 18, 10, 32)
    + field(3, 0, 0x1234) + field(22, 0, 0) + block_ops(18, 10, {3, 22}),
    "seed_ldpc_dup_flip": header(LDPC, 18, 10, 32)
    + twice(18) + flip(25, 3) + block_ops(18, 10, {1, 25}),
    "seed_ldpc_direct_unsupported": header(LDPC, 5, 7, 4) + block_ops(5, 7, {0}) + direct(100, 130),
}


def write(corpus_dir, name, seeds):
    out = os.path.join(corpus_dir, name)
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.startswith("seed_") and f.endswith(".bin"):
            os.remove(os.path.join(out, f))
    for seed_name, data in sorted(seeds.items()):
        with open(os.path.join(out, seed_name + ".bin"), "wb") as f:
            f.write(data)
    print("%s: %d seeds" % (out, len(seeds)))


def main():
    corpus_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    write(corpus_dir, "fec_payload_id_parse", PAYLOAD_ID_SEEDS)
    write(corpus_dir, "fec_decode", DECODE_SEEDS)


if __name__ == "__main__":
    main()
