# The tidybot GitHub Action: Python 3.11, a pinned Go toolchain and git; runs `tidybot action`.
# The Go toolchain comes from the official image of the same release; bump both lines together.
FROM golang:1.26.8-bookworm AS go

FROM python:3.11-slim-bookworm

COPY --from=go /usr/local/go /usr/local/go

ENV PATH=/usr/local/go/bin:$PATH \
    GOTOOLCHAIN=local \
    GOFLAGS=-modcacherw \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git follows Debian's security updates of the base image; pinning an exact Debian revision
# would break the build every time the archive moves on.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*'

WORKDIR /opt/tidybot
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir . \
    && tidybot --version \
    && go version

# GitHub mounts the checkout at /github/workspace and runs the container as root.
WORKDIR /github/workspace
ENTRYPOINT ["tidybot", "action"]
