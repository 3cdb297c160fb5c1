# The tidybot GitHub Action: Python 3.11, the parts of Go 1.26.8 that tidy reads, and git
# (without perl); runs `tidybot action`. Releases push this image to ghcr.io and the released
# action.yml names it by digest; `uses: ./` builds it from here (README, "Releases").
#
# Both bases are pinned by the digest of their multi-architecture index (amd64 and arm64). The
# golang line names the Go release: bump its tag and digest together, then the Go version in
# the README and tests/container's expectations.
FROM golang:1.26.8-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d AS go

# Only what `go mod tidy/vendor/download`, `go work sync` and `go list` read: bin/go, go.env,
# VERSION, LICENSE and the standard library's sources (its vendor/ included) without tests,
# testdata or cmd/. pkg/tool is emptied, not removed: go finds its GOROOT by that directory
# ("cannot find GOROOT" without it), and tidy runs no compiler, linker or vet.
WORKDIR /usr/local/go
RUN rm -rf api doc lib misc test src/cmd pkg/include bin/gofmt \
        codereview.cfg CONTRIBUTING.md PATENTS README.md SECURITY.md \
    && find src -type d -name testdata -prune -exec rm -rf {} + \
    && find src -type f -name '*_test.go' -delete \
    && find pkg/tool -mindepth 2 -delete \
    && bin/go version

FROM python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91 AS python

# The dependencies from the hash-locked requirements/runtime.txt (wheels only) into a virtual
# environment without pip; tidybot itself built with the hash-locked build backend
# (requirements/build.txt) and installed with --no-deps. README, "Releases": how to update them.
WORKDIR /src
COPY requirements/ ./requirements/
RUN pip install --no-cache-dir --require-hashes --only-binary :all: -r requirements/build.txt \
    && python -m venv --without-pip /opt/tidybot \
    && pip --python /opt/tidybot/bin/python install --no-cache-dir --require-hashes \
        --only-binary :all: -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /tmp/dist . \
    && pip --python /opt/tidybot/bin/python install --no-cache-dir --no-deps --no-index \
        /tmp/dist/tidybot-*.whl

FROM python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

# git follows Debian's security updates of the base image; pinning an exact Debian revision
# would break the build every time the archive moves on. Debian's git depends on perl, which
# only git's scripted commands (send-email, svn, instaweb...) use; tidybot and go run plumbing
# and fetches, so perl and git's perl modules are dropped (about 45 MB). git trusts the checkout
# only (safe.directory: the runner mounts it owned by another user) and never a bare repository
# it did not name (safe.bareRepository: a pull request may commit one).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && dpkg --purge --force-depends perl perl-modules-5.36 libperl5.36 liberror-perl git-man \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /usr/share/perl5/Git /usr/share/perl5/Git.pm \
        /usr/share/doc /usr/share/man /usr/share/locale \
    && git config --system --add safe.directory /github/workspace \
    && git config --system safe.bareRepository explicit

COPY --from=go /usr/local/go /usr/local/go
COPY --from=python /opt/tidybot /opt/tidybot

ENV PATH=/opt/tidybot/bin:/usr/local/go/bin:$PATH \
    GOTOOLCHAIN=local \
    GOFLAGS=-modcacherw \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN tidybot --version && go version && git --version

# GitHub mounts the checkout at /github/workspace and runs the container as root.
WORKDIR /github/workspace
ENTRYPOINT ["tidybot", "action"]
