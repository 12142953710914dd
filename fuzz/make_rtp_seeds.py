#!/usr/bin/env python3
"""Write the seed corpus of the rtp_parse fuzz target.

Usage: fuzz/make_rtp_seeds.py [OUT_DIR]   (default: fuzz/corpus/rtp_parse)

Small hand-made datagrams: valid RTP v2 packets (PT 10 and 11, CSRCs,
extension, padding, wrap-around values) and one of each malformed case that
rtp_parse must reject. Only the seed_*.bin files are rewritten; files added
by libFuzzer (named by their SHA-1) are left alone. Deterministic: running
it again gives the same bytes.
"""
import math
import struct

from seed_util import write_seeds


def rtp(pt=10, seq=0x1234, ts=0x00010000, ssrc=0x0A0B0C0D, marker=False,
        csrc=(), ext=None, payload=b"", pad=0, version=2, p_flag=None,
        pad_count=None):
    """One datagram. ext = (profile, data bytes, multiple of 4) or None.
    pad = total padding bytes (count byte included); p_flag and pad_count
    override the P bit and the count byte to make malformed packets."""
    if p_flag is None:
        p_flag = pad > 0
    b0 = version << 6 | (0x20 if p_flag else 0) | (0x10 if ext else 0) | len(csrc)
    b1 = (0x80 if marker else 0) | pt
    out = struct.pack(">BBHII", b0, b1, seq, ts, ssrc)
    for c in csrc:
        out += struct.pack(">I", c)
    if ext is not None:
        profile, data = ext
        out += struct.pack(">HH", profile, len(data) // 4) + data
    out += payload
    if pad > 0:
        out += bytes(pad - 1) + bytes([pad if pad_count is None else pad_count])
    return out


def l16(samples):
    return b"".join(struct.pack(">h", s) for s in samples)


def sine(frames, channels, amp=0.5, period=100):
    out = []
    for i in range(frames):
        v = round(amp * 32767 * math.sin(2 * math.pi * i / period))
        out += [v] * channels
    return out


# First 24 bytes of shared/vectors/roc-0.4/rtp_nofec/packets.jsonl packet 0.
ROC_HEAD = bytes.fromhex("800a7e43ebb1defd147f2e84" "000000000402000108010002")

SEEDS = {
    # Valid.
    "seed_valid_pt10_stereo": rtp(pt=10, payload=l16(sine(8, 2))),
    "seed_valid_pt11_mono": rtp(pt=11, payload=l16(sine(8, 1))),
    "seed_valid_roc_capture_head": ROC_HEAD,
    "seed_valid_pt10_mtu": rtp(pt=10, seq=0x7E43, ts=0xEBB1DEFD, ssrc=0x147F2E84,
                              payload=l16(sine(221, 2))),
    "seed_valid_wrap_marker": rtp(pt=11, seq=0xFFFF, ts=0xFFFFFFFF, marker=True,
                                 payload=l16([32767, -32768, -32767, 0])),
    "seed_valid_empty_payload": rtp(pt=10),
    "seed_valid_odd_payload": rtp(pt=10, payload=b"\x01\x02\x03"),
    "seed_valid_csrc2": rtp(pt=10, csrc=(0x11111111, 0x22222222), payload=l16(sine(4, 2))),
    "seed_valid_csrc15": rtp(pt=11, csrc=tuple(range(1, 16)), payload=l16(sine(4, 1))),
    "seed_valid_ext": rtp(pt=10, ext=(0xBEDE, b"\x10\xaa\x00\x00"), payload=l16(sine(4, 2))),
    "seed_valid_ext_empty": rtp(pt=11, ext=(0x1000, b""), payload=l16(sine(2, 1))),
    "seed_valid_padding": rtp(pt=10, payload=l16(sine(4, 2)), pad=4),
    "seed_valid_padding_only": rtp(pt=11, pad=12),
    "seed_valid_all_parts": rtp(pt=10, marker=True, csrc=(7,), ext=(0xBEDE, bytes(8)),
                                payload=l16(sine(3, 2)), pad=3),
    "seed_valid_dynamic_pt": rtp(pt=96, payload=bytes(range(24))),
    # Malformed.
    "seed_bad_empty": b"",
    "seed_bad_short": ROC_HEAD[:11],
    "seed_bad_version0": rtp(version=0, payload=l16(sine(2, 2))),
    "seed_bad_version1": rtp(version=1, payload=l16(sine(2, 2))),
    "seed_bad_version3": rtp(version=3, payload=l16(sine(2, 2))),
    "seed_bad_csrc_cut": rtp(csrc=(1, 2, 3))[:12 + 8],
    "seed_bad_ext_header_cut": rtp(ext=(0xBEDE, bytes(4)))[:14],
    "seed_bad_ext_data_cut": rtp(ext=(0xBEDE, bytes(8)))[:20],
    "seed_bad_pad_no_room": rtp(p_flag=True),
    "seed_bad_pad_zero": rtp(payload=l16(sine(2, 2)), pad=4, pad_count=0),
    "seed_bad_pad_too_big": rtp(payload=l16(sine(2, 2)), pad=4, pad_count=200),
    "seed_bad_pad_into_ext": rtp(ext=(0xBEDE, bytes(4)), pad=2, pad_count=3),
}


def main():
    write_seeds("rtp_parse", SEEDS)


if __name__ == "__main__":
    main()
