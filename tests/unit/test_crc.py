"""The seal's CRC of joined parts, made from the parts' CRCs, is zlib's CRC of the joined bytes."""

from __future__ import annotations

import zlib

from hypothesis import example, given
from hypothesis import strategies as st

from up2k_cli.storage import crc


@given(st.binary(), st.binary())
@example(b"", b"")
@example(b"{", b"")
@example(b"", b'{"1":{}}')
def test_combined_crc_is_the_crc_of_the_joined_bytes(first: bytes, second: bytes) -> None:
    assert crc.combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)


def test_combined_crc_of_a_large_part() -> None:
    first, second = b'{"cadres":', bytes(range(256)) * 40_000  # lengths past 2**20: every power used
    assert crc.combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)
