"""A loopback HTTPS module proxy that demands basic auth, for the private-module tests.

``private_proxy`` serves the GOPROXY layout of :data:`MODULE` (built with
``tests.fakes.goproxy.build_proxy``) over TLS with a certificate made for 127.0.0.1: go sends
credentials over HTTPS only, and ``SSL_CERT_FILE`` (see :func:`proxy_env`) makes go trust it.
Every request is logged with its status and whether it carried credentials. Only the basic
auth of :data:`USER` and :data:`TOKEN` gets a 200.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.fakes.goproxy import build_proxy, write_tree

__all__ = ["MODULE", "TOKEN", "USER", "PrivateProxy", "private_proxy", "proxy_env"]

TOKEN = "ghp_TidybotTestToken0123456789abcdef"  # a test value
USER = "x-access-token"
MODULE = "corp.example/secret"


def _self_signed(dest: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem, key_pem = dest / "cert.pem", dest / "key.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_pem, key_pem


@dataclass
class PrivateProxy:
    url: str
    host: str  # host:port, as netrc names it
    cert: Path
    requests: list[tuple[str, int, bool]]  # (path, status, had credentials)


@pytest.fixture
def private_proxy(tmp_path: Path) -> Iterator[PrivateProxy]:
    src = tmp_path / "src"
    write_tree(
        src,
        {
            f"{MODULE}@v1.0.0/go.mod": f"module {MODULE}\n\ngo 1.22\n",
            f"{MODULE}@v1.0.0/secret.go": 'package secret\n\nconst Name = "secret"\n',
        },
    )
    served = tmp_path / "served"
    build_proxy(src, served)
    cert, key = _self_signed(tmp_path)
    expected = "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
    log: list[tuple[str, int, bool]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            auth = self.headers.get("Authorization")
            if auth != expected:
                self._send(
                    401, b"authentication required\n", {"WWW-Authenticate": 'Basic realm="p"'}
                )
                log.append((self.path, 401, auth is not None))
                return
            target = (served / self.path.lstrip("/")).resolve()
            if not target.is_relative_to(served.resolve()) or not target.is_file():
                self._send(404, b"not found\n", {})
                log.append((self.path, 404, True))
                return
            self._send(200, target.read_bytes(), {})
            log.append((self.path, 200, True))

        def _send(self, code: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(code)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host = f"127.0.0.1:{server.server_address[1]}"
    try:
        yield PrivateProxy(f"https://{host}", host, cert, log)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def proxy_env(goenv: dict[str, str], proxy: PrivateProxy, tmp_path: Path) -> dict[str, str]:
    """go's environment for a test: trusts the proxy's certificate, a fresh module cache (so
    nothing comes from other tests' downloads), GOPROXY=off (the config file must name the
    private proxy) and no netrc of its own."""
    env = dict(goenv)
    env["SSL_CERT_FILE"] = str(proxy.cert)
    env["GOMODCACHE"] = str(tmp_path / "modcache")
    env["GOPROXY"] = "off"
    env.pop("NETRC", None)
    env.pop("GOAUTH", None)
    return env
