"""The bundle file: a whole registry (or one kelurahan's share) that travels between offices by
WhatsApp or e-mail, so an intercepted file must be useless without its passphrase.

    MAGIC | header length (4 bytes, big-endian) | header (JSON) | body

The header is in the clear and says only how to read the body: the format, and for an encrypted
bundle the key derivation (scrypt, memory-hard: each guess of the passphrase costs 128 MiB and a
quarter of a second), its salt, the AES-GCM nonce and a key check. The body is the payload (JSON,
compressed) sealed with AES-256-GCM, with MAGIC, the length and the header as associated data,
so that no byte of the file can change unnoticed. A bundle written without encryption carries a
SHA-256 of everything before it instead. Pure functions: bytes in, bytes out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import zlib
from typing import Any

from up2k_cli.domain.errors import Up2kError
from up2k_cli.i18n import _

MAGIC = b"UP2K-BUNDLE\n"
FORMAT = 1
# scrypt's cost: N = 2**17, r = 8 (128 MiB of memory), p = 1; the key and a check of it.
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
KEY_BYTES, CHECK_BYTES, SALT_BYTES, NONCE_BYTES = 32, 16, 16, 12
MIN_PASSPHRASE = 8
MAX_HEADER = 4096


class BundleError(Up2kError):
    """A bundle that cannot be read: damaged, not a bundle, or the wrong passphrase (exit 1)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _derive(passphrase: str, salt: bytes, kdf: dict[str, Any]) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    stretched = Scrypt(
        salt=salt, length=KEY_BYTES + CHECK_BYTES, n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"])
    ).derive(passphrase.encode("utf-8"))
    return stretched[:KEY_BYTES], stretched[KEY_BYTES:]


def check_passphrase(passphrase: str) -> str:
    """A passphrase good enough to protect everyone's personal data in transit."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise BundleError(
            _("the passphrase has {count} characters; use at least {minimum} (a few words are best)").format(
                count=len(passphrase), minimum=MIN_PASSPHRASE
            )
        )
    return passphrase


def seal(payload: bytes, passphrase: str | None) -> bytes:
    """The bundle's bytes: the payload compressed, then encrypted (or, without a passphrase,
    followed by its SHA-256)."""
    body = zlib.compress(payload, 6)
    if passphrase is None:
        header = {"format": FORMAT, "encrypted": False}
    else:
        salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
        key, check = _derive(passphrase, salt, SCRYPT)
        header = {
            "format": FORMAT,
            "encrypted": True,
            "kdf": {"name": "scrypt", **SCRYPT, "salt": _b64(salt)},
            "cipher": "AES-256-GCM",
            "nonce": _b64(nonce),
            "check": _b64(check),
        }
    head = _head(header)
    if passphrase is None:
        return head + body + hashlib.sha256(head + body).digest()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return head + AESGCM(key).encrypt(nonce, body, head)


def _head(header: dict[str, Any]) -> bytes:
    import orjson

    text = orjson.dumps(header)
    return MAGIC + struct.pack(">I", len(text)) + text


def header_of(data: bytes, name: str) -> tuple[dict[str, Any], bytes, bytes]:
    """(header, the bytes it covers, the body); a file that is not a whole bundle is refused."""
    import orjson

    if not data.startswith(MAGIC):
        if MAGIC.startswith(data):
            raise BundleError(damaged(name))
        raise BundleError(
            _("{name} is not an up2k bundle (it does not start as one); nothing was merged").format(name=name)
        )
    at = len(MAGIC)
    if len(data) < at + 4:
        raise BundleError(damaged(name))
    (length,) = struct.unpack(">I", data[at : at + 4])
    if length > MAX_HEADER or len(data) < at + 4 + length:
        raise BundleError(damaged(name))
    head = data[: at + 4 + length]
    try:
        header = orjson.loads(head[at + 4 :])
    except orjson.JSONDecodeError:
        raise BundleError(damaged(name)) from None
    if not isinstance(header, dict) or not isinstance(header.get("format"), int):
        raise BundleError(damaged(name))
    if header["format"] > FORMAT:
        raise BundleError(
            _("{name} was written by a newer up2k (bundle format {format}); upgrade up2k to merge it").format(
                name=name, format=header["format"]
            )
        )
    return header, head, data[len(head) :]


def is_encrypted(data: bytes, name: str) -> bool:
    header, _head_bytes, _body = header_of(data, name)
    return bool(header.get("encrypted"))


def open_bundle(data: bytes, passphrase: str | None, name: str) -> bytes:
    """The payload of a bundle. A bundle cut short or changed, or the wrong passphrase: one line,
    exit 1."""
    header, head, body = header_of(data, name)
    if not header.get("encrypted"):
        if len(body) < 32 or not hmac.compare_digest(hashlib.sha256(head + body[:-32]).digest(), body[-32:]):
            raise BundleError(damaged(name))
        return _inflate(body[:-32], name)
    if passphrase is None:
        raise BundleError(
            _("{name} is encrypted: give its passphrase (--passphrase-file FILE or UP2K_PASSPHRASE)").format(
                name=name
            )
        )
    try:
        kdf = header["kdf"]
        if kdf.get("name") != "scrypt" or header.get("cipher") != "AES-256-GCM":
            raise ValueError("unknown method")
        salt, nonce, check = _unb64(kdf["salt"]), _unb64(header["nonce"]), _unb64(header["check"])
        if not (kdf["n"] <= 2**20 and kdf["r"] <= 16 and kdf["p"] <= 4):
            raise ValueError("cost out of bounds")  # a doctored header must not eat the machine
    except (KeyError, TypeError, ValueError):
        raise BundleError(damaged(name)) from None
    key, expected = _derive(passphrase, salt, kdf)
    if not hmac.compare_digest(check, expected):
        raise BundleError(
            _("wrong passphrase for {name}; nothing was merged (ask the office that sent it)").format(
                name=name
            )
        )
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        plain = AESGCM(key).decrypt(nonce, body, head)
    except (InvalidTag, ValueError):
        raise BundleError(damaged(name)) from None
    return _inflate(plain, name)


def _inflate(body: bytes, name: str) -> bytes:
    try:
        return zlib.decompress(body)
    except zlib.error:
        raise BundleError(damaged(name)) from None


def damaged(name: str) -> str:
    return _(
        "{name} is damaged (cut short or changed after it was written); nothing was merged: ask for it again"
    ).format(name=name)
