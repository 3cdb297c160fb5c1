"""``sum-changed``: hashes a change rewrites for a module version go.sum already recorded. Pure.

go.sum is append-only in practice: a module version's content never changes, so its hash
never should either. A pull request that replaces a recorded hash (rather than adding or
removing lines) is either a mistake or an attempt to slip in different module content.
"""

from __future__ import annotations

from bot.engine.gosum import GoSum
from bot.engine.model import Finding, Severity


def changed_sums(base: GoSum, head: GoSum, *, module_dir: str, file: str) -> list[Finding]:
    """One ``sum-changed`` error per head line whose (path, version) had other hashes on base.

    Lines added for new versions, removed lines and unchanged lines are not findings. A key
    that keeps its base hash and gains another hash is reported too: only the new hash is new.
    """
    base_hashes = base.hashes()
    out: list[Finding] = []
    for ln in head.lines:
        old = base_hashes.get(ln.key)
        if not old or ln.hash in old:
            continue
        same_algo = [h for h in old if h.split(":", 1)[0] == ln.hash.split(":", 1)[0]]
        if not same_algo:
            continue  # a hash in another algorithm than the recorded ones: nothing to compare
        was = ", ".join(same_algo)
        base_line = base.line_of(ln.path, ln.version)
        where = f" (base line {base_line})" if base_line else ""
        out.append(
            Finding(
                module_dir,
                file,
                ln.line,
                "sum-changed",
                Severity.ERROR,
                f"{ln.path}@{ln.version}: hash changed from {was} to {ln.hash}",
                f"the base branch recorded {was}{where}. A published module version never "
                "changes, so its hash must not either. Fix: restore the recorded line; if the "
                "module really changed, that is what go calls a SECURITY ERROR",
            )
        )
    return out
