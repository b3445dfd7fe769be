"""CRC-32 of joined parts from the parts' own CRCs: zlib's crc32_combine, which Python's zlib
module does not expose. The seal needs each table's CRC and the CRC of all of them together;
combining saves a second pass over the bytes (tens of milliseconds on a large registry)."""

from __future__ import annotations

_POLY = 0xEDB88320  # CRC-32 (zlib's), bits reflected


def _multmodp(a: int, b: int) -> int:
    """a times b modulo the CRC polynomial (zlib's multmodp)."""
    m = 1 << 31
    p = 0
    while True:
        if a & m:
            p ^= b
            if not a & (m - 1):
                return p
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _powers() -> list[int]:
    """x^(2^k) modulo the polynomial, k = 0..31."""
    table = [1 << 30]  # x^1
    for _ in range(31):
        table.append(_multmodp(table[-1], table[-1]))
    return table


_X2N = _powers()


def _x2nmodp(n: int, k: int) -> int:
    """x^(n * 2^k) modulo the polynomial."""
    p = 1 << 31  # x^0
    while n:
        if n & 1:
            p = _multmodp(_X2N[k & 31], p)
        n >>= 1
        k += 1
    return p


def combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A + B, given crc32(A), crc32(B) and len(B)."""
    return _multmodp(_x2nmodp(len2, 3), crc1) ^ crc2
