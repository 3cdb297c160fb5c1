"""A fake GitHub REST API over real HTTP, validated against GitHub's OpenAPI description."""

from .events import load_event
from .gitstore import GitStore, Signature, TreeEntry
from .openapi import OpenAPI
from .server import ALL_WRITE, BOT_LOGIN, READ_ONLY, ApiError, FakeGitHub, LoggedRequest, Repo

__all__ = [
    "ALL_WRITE",
    "BOT_LOGIN",
    "READ_ONLY",
    "ApiError",
    "FakeGitHub",
    "GitStore",
    "LoggedRequest",
    "OpenAPI",
    "Repo",
    "Signature",
    "TreeEntry",
    "load_event",
]
