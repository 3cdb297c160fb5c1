"""Point action.yml at a released image by digest, for the release commit.

    python3 .github/release/pin_image.py action.yml ghcr.io/<owner>/tidybot sha256:<64 hex>

``image: Dockerfile`` (what ``uses: ./`` and the self-test build from) becomes
``image: docker://ghcr.io/<owner>/tidybot@sha256:<digest>``, so a workflow that uses the
released action only pulls the image that the release workflow built and smoke-tested. Run by
.github/workflows/release.yml on the release commit, which only the release tags point to; the
branch keeps building from the Dockerfile. Nothing else in the file changes. Exit 2, with one
line saying why, on a malformed image name or digest, or when action.yml does not build from
the Dockerfile (already pinned, or edited).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_LINE = re.compile(r"^  image: Dockerfile\n", re.M)
_IMAGE = re.compile(
    r"[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+"
)
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


class PinError(Exception):
    pass


def pin(text: str, image: str, digest: str) -> str:
    """``text`` (action.yml) with its image pinned to ``image@digest``."""
    if not _IMAGE.fullmatch(image):
        raise PinError(f"{image!r} is not a lower-case image name such as ghcr.io/owner/tidybot")
    if not _DIGEST.fullmatch(digest):
        raise PinError(f"{digest!r} is not a digest such as sha256:<64 hex digits>")
    runs = text.find("\nruns:\n")
    found = list(_LINE.finditer(text, runs if runs >= 0 else len(text)))
    if len(found) != 1:
        raise PinError("action.yml has no `  image: Dockerfile` line under `runs:` to pin")
    m = found[0]
    return f"{text[: m.start()]}  image: docker://{image}@{digest}\n{text[m.end() :]}"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path = Path(argv[0])
    try:
        path.write_text(pin(path.read_text(encoding="utf-8"), argv[1], argv[2]), encoding="utf-8")
    except (OSError, PinError) as e:
        print(f"{path}: {e}", file=sys.stderr)
        return 2
    print(f"{path}: image: docker://{argv[1]}@{argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
