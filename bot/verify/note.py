"""Signed notes and Ed25519 verifier keys (a port of golang.org/x/mod/sumdb/note, reference §4.1).

A verifier key is ``<name>+<hash>+<base64(alg || key)>``; a signed note is text, a blank
line, then signature lines ``— <name> <base64(keyhash || signature)>``. Error texts are go's.
Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from bot.record import field, record

ALG_ED25519 = 1
_SIG_PREFIX = "— "  # U+2014 EM DASH, space
_MAX_SIGS = 100


class NoteError(ValueError):
    """A malformed key or note, or a note that does not verify. ``str()`` is go's text."""


class UnverifiedNoteError(NoteError):
    """No signature from a known key: wrong key, or a note signed by someone else."""

    def __init__(self, note: Note) -> None:
        super().__init__("note has no verifiable signatures")
        self.note = note


class InvalidSignatureError(NoteError):
    def __init__(self, name: str, key_hash: int) -> None:
        super().__init__(f"invalid signature for key {name}+{key_hash:08x}")
        self.name = name
        self.key_hash = key_hash


def _b64decode(s: str) -> bytes:
    """Standard base64 with padding, as strict as Go's StdEncoding on the alphabet."""
    if not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", s) or len(s) % 4:
        raise NoteError("bad base64")
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError) as e:
        raise NoteError("bad base64") from e


def _is_space(c: str) -> bool:
    return c.isspace() or c in "\u0085\u00a0"


def is_valid_name(name: str) -> bool:
    """go's isValidName: not empty, valid UTF-8 (a name read from the environment may hold
    bytes that are not: Python keeps them as lone surrogates), no space, no ``+``."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return bool(name) and not any(_is_space(c) for c in name) and "+" not in name


def key_hash(name: str, key: bytes) -> int:
    """First 4 bytes (big endian) of SHA-256(name || "\\n" || alg || key)."""
    return int.from_bytes(hashlib.sha256(name.encode() + b"\n" + key).digest()[:4], "big")


def _parse_hash16(s: str) -> int | None:
    if len(s) != 8 or not re.fullmatch(r"[0-9a-fA-F]{8}", s):
        return None
    return int(s, 16)


@record
class Verifier:
    name: str
    key_hash: int
    public_key: bytes = field(repr=False)

    def verify(self, msg: bytes, sig: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(sig, msg)
        except (InvalidSignature, ValueError):
            return False
        return True

    @property
    def key(self) -> str:
        data = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_hash:08x}+{data}"


def parse_verifier(vkey: str) -> Verifier:
    """Parse ``name+hash+keydata``; raises NoteError with go's text on any problem."""
    name, _, rest = vkey.partition("+")
    hash16, _, key64 = rest.partition("+")
    h = _parse_hash16(hash16)
    try:
        key = _b64decode(key64)
    except NoteError:
        key = b""
    if h is None or not is_valid_name(name) or not key:
        raise NoteError("malformed verifier id")
    if h != key_hash(name, key):
        raise NoteError("invalid verifier hash")
    if key[0] != ALG_ED25519:
        raise NoteError("unknown verifier algorithm")
    if len(key) != 33:
        raise NoteError("malformed verifier id")
    return Verifier(name, h, key[1:])


@record
class Signer:
    name: str
    key_hash: int
    seed: bytes = field(repr=False)

    def sign(self, msg: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(msg)


def parse_signer(skey: str) -> Signer:
    """Parse ``PRIVATE+KEY+name+hash+keydata`` (the hash is over the public key)."""
    parts = skey.split("+", 4)
    if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
        raise NoteError("malformed verifier id")
    _, _, name, hash16, key64 = parts
    h = _parse_hash16(hash16)
    try:
        key = _b64decode(key64)
    except NoteError:
        key = b""
    if h is None or not is_valid_name(name) or not key:
        raise NoteError("malformed verifier id")
    if key[0] != ALG_ED25519:
        raise NoteError("unknown verifier algorithm")
    if len(key) != 33:
        raise NoteError("malformed verifier id")
    seed = key[1:]
    pub = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    pub_bytes = pub.public_bytes(Encoding.Raw, PublicFormat.Raw)
    if h != key_hash(name, bytes([ALG_ED25519]) + pub_bytes):
        raise NoteError("invalid verifier hash")
    return Signer(name, h, seed)


def generate_key(name: str) -> tuple[str, str]:
    """A new Ed25519 key pair: (signer key ``PRIVATE+KEY+...``, verifier key)."""
    seed = secrets.token_bytes(32)
    pub = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    pubkey = bytes([ALG_ED25519]) + pub.public_bytes(Encoding.Raw, PublicFormat.Raw)
    h = key_hash(name, pubkey)
    skey = f"PRIVATE+KEY+{name}+{h:08x}+{base64.b64encode(bytes([ALG_ED25519]) + seed).decode()}"
    vkey = f"{name}+{h:08x}+{base64.b64encode(pubkey).decode()}"
    return skey, vkey


@record
class Signature:
    name: str
    key_hash: int
    base64: str


@record
class Note:
    text: str
    sigs: tuple[Signature, ...] = ()
    unverified_sigs: tuple[Signature, ...] = ()


class Verifiers:
    """The accepted keys, looked up by (name, key hash) like note.VerifierList."""

    def __init__(self, verifiers: Iterable[Verifier]) -> None:
        self._by: dict[tuple[str, int], list[Verifier]] = {}
        for v in verifiers:
            self._by.setdefault((v.name, v.key_hash), []).append(v)

    def get(self, name: str, h: int) -> Verifier | None:
        vs = self._by.get((name, h))
        if not vs:
            return None
        if len(vs) > 1:
            raise NoteError(f"ambiguous key {name}+{h:08x}")
        return vs[0]


def open_note(msg: bytes, verifiers: Verifiers | Iterable[Verifier]) -> Note:
    """Check a signed note: at least one signature from a known key, and no bad ones."""
    known = verifiers if isinstance(verifiers, Verifiers) else Verifiers(verifiers)
    try:
        s = msg.decode("utf-8")
    except UnicodeDecodeError as e:
        raise NoteError("malformed note") from e
    if any(ord(c) < 0x20 and c != "\n" for c in s):
        raise NoteError("malformed note")
    split = s.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note")
    text, sigs = s[: split + 1], s[split + 2 :]
    if not sigs or not sigs.endswith("\n"):
        raise NoteError("malformed note")

    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    seen_unverified: set[str] = set()
    text_bytes = text.encode("utf-8")
    lines = sigs[:-1].split("\n")
    for num, line in enumerate(lines, start=1):
        if not line.startswith(_SIG_PREFIX):
            raise NoteError("malformed note")
        body = line[len(_SIG_PREFIX) :]
        name, _, b64 = body.partition(" ")
        try:
            raw = _b64decode(b64)
        except NoteError:
            raw = b""
        if not is_valid_name(name) or not b64 or len(raw) < 5:
            raise NoteError("malformed note")
        if num > _MAX_SIGS:
            raise NoteError("malformed note")
        h = int.from_bytes(raw[:4], "big")
        sig = raw[4:]
        v = known.get(name, h)
        if v is None:
            if body in seen_unverified:
                continue
            seen_unverified.add(body)
            unverified.append(Signature(name, h, b64))
            continue
        if v.name != name or v.key_hash != h:
            raise NoteError("verifier name or hash doesn't match signature")
        if (name, h) in seen:
            continue
        seen.add((name, h))
        if not v.verify(text_bytes, sig):
            raise InvalidSignatureError(name, h)
        verified.append(Signature(name, h, b64))

    note = Note(text, tuple(verified), tuple(unverified))
    if not verified:
        raise UnverifiedNoteError(note)
    return note


def sign_note(text: str, *signers: Signer) -> bytes:
    """The signed note for text (which must end in a newline)."""
    if not text.endswith("\n"):
        raise NoteError("malformed note")
    data = text.encode("utf-8")
    out = [text, "\n"]
    for s in signers:
        if not is_valid_name(s.name):
            raise NoteError("invalid signer")
        raw = s.key_hash.to_bytes(4, "big") + s.sign(data)
        out.append(f"{_SIG_PREFIX}{s.name} {base64.b64encode(raw).decode()}\n")
    return "".join(out).encode("utf-8")
