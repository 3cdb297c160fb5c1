#!/usr/bin/env bash
# Stand-ins for the Dockerfile's base images, for a machine that reaches Debian's archive but
# no container registry: built from Debian packages with debootstrap and imported into podman
# under the exact names the Dockerfile's FROM lines use (without their digests, which a local
# image cannot match; tests/container/test_image_smoke.py strips them for such a build).
#
#   tests/container/standins.sh          # as root; podman and debootstrap installed
#
# - python:3.11-slim-bookworm: Debian bookworm's Python 3.11, laid out like the official image
#   (python3 and pip in /usr/local/bin: a virtual environment made at /usr/local, not Debian's
#   PEP 668-locked system pip).
# - golang:<release>-bookworm: this machine's /usr/local/go, which must be that release.
#
# Both trust this machine's CA bundle (PIP_CERT, SSL_CERT_FILE): a sandbox whose HTTPS goes
# through an intercepting proxy needs that for pip in the build. That is a property of the
# machine, so it lives in the stand-ins only, never in the Dockerfile.
#
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian), HOST_CA_BUNDLE (default
# /etc/ssl/certs/ca-certificates.crt), TIDYBOT_CONTAINER_ENGINE (default podman).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
engine=${TIDYBOT_CONTAINER_ENGINE:-podman}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ca=${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

names=$(sed -nE 's/^FROM ([^ @]+)(@sha256:[0-9a-f]{64})?( AS [A-Za-z0-9_-]+)?$/\1/p' \
    "$repo/Dockerfile" | sort -u)
python_name=$(grep '^python:' <<<"$names") || { echo "no python FROM line" >&2; exit 2; }
golang_name=$(grep '^golang:' <<<"$names") || { echo "no golang FROM line" >&2; exit 2; }
want_go=$(sed -nE 's/^golang:([0-9]+\.[0-9]+(\.[0-9]+)?)-.*/go\1/p' <<<"$golang_name")
have_go=$(/usr/local/go/bin/go env GOVERSION 2>/dev/null || echo none)
if [ "$have_go" != "$want_go" ]; then
    echo "the Dockerfile wants $want_go; /usr/local/go is $have_go" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tidybot-standins.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

echo "debootstrap bookworm from $mirror" >&2
debootstrap --variant=minbase --include=ca-certificates,python3,python3-venv \
    bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
# What the official (slim) images leave out: package lists, downloaded packages, documentation
# and translations, now and (their dpkg and apt settings) in later installs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/apt/archives/*.deb "$root"/usr/share/doc/* "$root"/usr/share/man/* \
    "$root"/usr/share/locale/*
printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/locale/*' \
    >"$root/etc/dpkg/dpkg.cfg.d/docker"
printf '%s\n' 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };' \
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };' \
    'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' >"$root/etc/apt/apt.conf.d/docker-clean"
cp "$ca" "$root/etc/ssl/host-ca-bundle.pem"
trust=(--change 'ENV PIP_CERT=/etc/ssl/host-ca-bundle.pem'
       --change 'ENV SSL_CERT_FILE=/etc/ssl/host-ca-bundle.pem')

# golang: the Debian base and this machine's Go release, as the official image lays it out.
cp -a /usr/local/go "$root/usr/local/go"
tar -C "$root" -c . | "$engine" import "${trust[@]}" \
    --change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV GOLANG_VERSION=${want_go#go}" \
    --change 'ENV GOPATH=/go' \
    --change 'WORKDIR /go' \
    - "docker.io/library/$golang_name" >/dev/null
rm -rf "$root/usr/local/go"

# python: Python 3.11 with pip in /usr/local, as in the official image.
chroot "$root" /usr/bin/python3 -m venv /usr/local
chroot "$root" /usr/local/bin/python3 -m pip --version >/dev/null
tar -C "$root" -c . | "$engine" import "${trust[@]}" \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    - "docker.io/library/$python_name" >/dev/null

"$engine" images --format '{{.Repository}}:{{.Tag}} {{.Size}}' \
    | grep -E "library/(${python_name%%:*}|${golang_name%%:*}):" >&2
