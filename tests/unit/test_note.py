"""Signed notes: the golang.org/x/mod sumdb/note test vectors (note_test.go)."""

from __future__ import annotations

import pytest

from bot.verify.note import (
    InvalidSignatureError,
    NoteError,
    Signature,
    UnverifiedNoteError,
    Verifiers,
    generate_key,
    open_note,
    parse_signer,
    parse_verifier,
    sign_note,
)

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_B64 = (
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
)
ENOCH_B64 = (
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ="
)
PETER_SIG = f"— PeterNeumann {PETER_B64}\n"
ENOCH_SIG = f"— EnochRoot {ENOCH_B64}\n"
PETER = Signature("PeterNeumann", 0xC74F20A3, PETER_B64)
ENOCH = Signature("EnochRoot", 0xAF0CFE78, ENOCH_B64)
SUM_GOLANG_ORG = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"


def _insert_abcd(sig: str) -> bytes:
    """Go's ``sig[:60] + "ABCD" + sig[60:]`` (byte offsets: the em dash is 3 bytes)."""
    b = sig.encode()
    return b[:60] + b"ABCD" + b[60:]


def test_verifier_key_parses() -> None:
    v = parse_verifier(PETER_VKEY)
    assert (v.name, v.key_hash) == ("PeterNeumann", 0xC74F20A3)
    assert v.key == PETER_VKEY


def test_sum_golang_org_key() -> None:
    v = parse_verifier(SUM_GOLANG_ORG)
    assert v.name == "sum.golang.org"
    assert v.public_key.hex() == "ce3372d75ad1ee5ecdaf8727293d4b111d87eb37531d7c86d4d3003f0eb809fc"


def test_every_mangled_verifier_key_is_rejected() -> None:
    b = PETER_VKEY
    bad: list[str] = []
    for i in range(len(b) + 1):
        for j in range(i + 1, len(b) + 1):
            if i != 0 or j != len(b):
                bad.append(b[i:j])
    for i in range(len(b)):
        bad.append(b[:i] + chr(ord(b[i]) + 1) + b[i + 1 :])
    bad.append("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
    bad.append("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    accepted = []
    for k in bad:
        try:
            parse_verifier(k)
        except NoteError:
            continue
        accepted.append(k)
    assert accepted == []


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("PeterNeumann+c74f20a3", "malformed verifier id"),
        (
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "invalid verifier hash",
        ),
        (
            "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "unknown verifier algorithm",
        ),
        (
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
            "malformed verifier id",
        ),
    ],
)
def test_verifier_key_errors_use_go_texts(key: str, message: str) -> None:
    with pytest.raises(NoteError, match=f"^{message}$"):
        parse_verifier(key)


def test_every_mangled_signer_key_is_rejected() -> None:
    parse_signer(PETER_SKEY)
    b = PETER_SKEY
    accepted = []
    cands = [b[i:j] for i in range(len(b) + 1) for j in range(i + 1, len(b) + 1)]
    cands = [c for c in cands if c != b]
    cands += [b[:i] + chr(ord(b[i]) + 1) + b[i + 1 :] for i in range(len(b))]
    for k in cands:
        try:
            parse_signer(k)
        except NoteError:
            continue
        accepted.append(k)
    assert accepted == []


def test_sign_matches_golden_signature() -> None:
    signer = parse_signer(PETER_SKEY)
    assert sign_note(TEXT, signer).decode() == TEXT + "\n" + PETER_SIG


def test_sign_rejects_text_without_newline() -> None:
    with pytest.raises(NoteError, match="malformed note"):
        sign_note("abc", parse_signer(PETER_SKEY))


def test_generated_keys_round_trip() -> None:
    skey, vkey = generate_key("EnochRoot")
    signer, verifier = parse_signer(skey), parse_verifier(vkey)
    assert (signer.name, signer.key_hash) == (verifier.name, verifier.key_hash)
    sig = signer.sign(b"hi")
    assert verifier.verify(b"hi", sig)
    assert not verifier.verify(b"hj", sig)
    assert not verifier.verify(b"hi", bytes([sig[0] ^ 1]) + sig[1:])


def test_open_one_verified_one_not() -> None:
    msg = (TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode()
    n = open_note(msg, [parse_verifier(PETER_VKEY)])
    assert n.text == TEXT
    assert n.sigs == (PETER,)
    assert n.unverified_sigs == (ENOCH,)


def test_open_both_verified() -> None:
    msg = (TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode()
    n = open_note(msg, [parse_verifier(PETER_VKEY), parse_verifier(ENOCH_VKEY)])
    assert n.sigs == (PETER, ENOCH)
    assert n.unverified_sigs == ()


def test_open_unknown_keys_only() -> None:
    msg = (TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode()
    with pytest.raises(UnverifiedNoteError, match=r"^note has no verifiable signatures$") as ei:
        open_note(msg, [])
    assert ei.value.note.unverified_sigs == (PETER, ENOCH)


def test_open_ambiguous_and_unused_duplicate_verifier() -> None:
    enoch, peter = parse_verifier(ENOCH_VKEY), parse_verifier(PETER_VKEY)
    with pytest.raises(NoteError, match="ambiguous key EnochRoot\\+af0cfe78"):
        open_note((TEXT + "\n" + ENOCH_SIG).encode(), Verifiers([enoch, peter, enoch]))
    open_note((TEXT + "\n" + PETER_SIG).encode(), Verifiers([enoch, peter, enoch]))


def test_open_too_many_signatures() -> None:
    msg = (TEXT + "\n" + PETER_SIG * 101).encode()
    for vs in ([parse_verifier(PETER_VKEY)], []):
        with pytest.raises(NoteError, match=r"^malformed note$"):
            open_note(msg, vs)


def test_open_invalid_signature() -> None:
    msg = (TEXT + "\n").encode() + _insert_abcd(PETER_SIG)
    with pytest.raises(
        InvalidSignatureError, match="invalid signature for key PeterNeumann\\+c74f20a3"
    ):
        open_note(msg, [parse_verifier(PETER_VKEY)])


def test_open_duplicated_signatures() -> None:
    enoch_abcd = Signature(
        "EnochRoot",
        0xAF0CFE78,
        "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5nABCD2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=",
    )
    msg = (TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG).encode()
    msg += _insert_abcd(ENOCH_SIG)
    n = open_note(msg, [parse_verifier(PETER_VKEY)])
    assert n.sigs == (PETER,)
    assert n.unverified_sigs == (ENOCH, enoch_abcd)


@pytest.mark.parametrize(
    "msg",
    [
        TEXT.encode(),
        (TEXT + "\n").encode(),
        (TEXT + "\n" + PETER_SIG[:-1]).encode(),
        ("\x01" + TEXT + "\n" + PETER_SIG).encode(),
        b"\xff" + (TEXT + "\n" + PETER_SIG).encode(),
        (TEXT + "\n" + "— Bad Name " + PETER_B64).encode(),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n").encode(),
    ],
)
def test_open_rejects_bad_syntax(msg: bytes) -> None:
    with pytest.raises(NoteError, match=r"^malformed note$"):
        open_note(msg, [parse_verifier(PETER_VKEY)])


def test_open_rejects_changed_text() -> None:
    msg = (TEXT.replace("problem", "pr0blem", 1) + "\n" + PETER_SIG).encode()
    with pytest.raises(InvalidSignatureError):
        open_note(msg, [parse_verifier(PETER_VKEY)])
