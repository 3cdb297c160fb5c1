"""The environment of every child process tidybot starts: go, git and its own verify workers.

Two decisions are made here and nowhere else.

1. **An allow-list, not a deny-list.** A child gets the variables a go or git command needs to
   work on this machine (:func:`allowed`): ``PATH``, ``HOME``, temporary directories, locale,
   proxy and CA settings, go's own variables (``GO*``, ``CGO_ENABLED``), git's configuration
   variables and ``SSH_AUTH_SOCK``. Everything else stays behind: the GitHub token
   (``INPUT_TOKEN``, ``GITHUB_TOKEN``, ``GH_TOKEN``), the private-module token, the runner's
   ``ACTIONS_RUNTIME_TOKEN`` (cache writes), ``ACTIONS_ID_TOKEN_REQUEST_*`` (cloud OIDC tokens),
   cloud credentials, and whatever else a workflow put in the environment. What tidybot adds for
   one run (the private-access netrc and git rules of ``bot.credentials``) is passed on top.

2. **go's trust variables** (:data:`TRUST_VARS`: where go fetches from, what it verifies, which
   toolchain runs, where it reads its own settings) in :func:`go_env`. Their values come, highest
   first, from tidybot's trusted settings (command-line flags, action inputs, the trusted
   config file's ``private:`` section), the process environment (the user's shell, the
   workflow's ``env:``), and, only when the checked tree is trusted, a ``go.env`` committed at
   its root. When the tree is untrusted (a pull request's code in a run that holds a token),
   the committed ``go.env`` is not read and every trust variable is set explicitly, to go's own
   default where no trusted value exists, with ``GOENV=off``.

3. **Which program runs** (:func:`find_program`): go and git are looked up in the absolute
   directories of ``PATH`` only. A relative entry (``.``, or the empty one a ``PATH=$PATH:``
   leaves) names the directory a command runs in, which is a module of the checked tree: a
   committed ``go`` there would run instead (go's own ``exec.LookPath`` refuses the same,
   ``ErrDot``).

Whatever the trust, :func:`toolchain_problem` refuses a ``gotoolchain`` policy other than
``local`` in an environment where go would run a downloaded toolchain without checking it
against the checksum database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from bot.engine.goenv import merge_layers, parse_goenv

__all__ = [
    "GO_PINNED",
    "TRUST_VARS",
    "allowed",
    "find_program",
    "go_env",
    "layered_go_env",
    "toolchain_problem",
]

_NAMES = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "TMPDIR",
        "TMP",
        "TEMP",
        "LANG",
        "LANGUAGE",
        "TZ",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "all_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
        "SSH_AUTH_SOCK",
        "NETRC",
        "CGO_ENABLED",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_PARAMETERS",
        "GIT_TERMINAL_PROMPT",
        "GIT_SSH_COMMAND",
        "GIT_ALLOW_PROTOCOL",
        "GIT_CEILING_DIRECTORIES",
    }
)
# go's variables are GO followed by capitals and digits (GOPROXY, GO111MODULE, GOAMD64); a name
# with an underscore after GO is someone else's (GOOGLE_APPLICATION_CREDENTIALS).
_PATTERNS = re.compile(r"GO[A-Z0-9]+|LC_[A-Z]+|GIT_CONFIG_(KEY|VALUE)_[0-9]+")

#: The variables that decide where go fetches from, what it verifies, which toolchain runs,
#: how it authenticates and where it reads its own settings.
TRUST_VARS = (
    "GOPROXY",
    "GOSUMDB",
    "GONOSUMDB",
    "GOINSECURE",
    "GOPRIVATE",
    "GONOPROXY",
    "GOFLAGS",
    "GOTOOLCHAIN",
    "GOENV",
    "GOAUTH",
    "GOVCS",
)

#: What an untrusted run sets where no trusted value exists: go's own defaults, stated.
GO_PINNED = {
    "GOPROXY": "https://proxy.golang.org,direct",
    "GOSUMDB": "sum.golang.org",
    "GONOSUMDB": "",
    "GOINSECURE": "",
    "GOPRIVATE": "",
    "GONOPROXY": "",
    "GOENV": "off",
    "GOAUTH": "off",
    "GOVCS": "",
}


def find_program(name: str, path: str | None) -> str | None:
    """The absolute path ``name`` runs as: a name looked up in the absolute directories of
    ``path`` (a ``PATH``) only, a path with a slash made absolute against the current
    directory; None when there is none. A child runs in a module's directory, so a program
    found through a relative entry would be one the checked tree holds."""
    import shutil

    if os.sep in name or (os.altsep and os.altsep in name):
        full = os.path.abspath(name)
        return full if os.path.exists(full) else None
    dirs = [d for d in (path if path is not None else os.defpath).split(os.pathsep) if d]
    return shutil.which(name, path=os.pathsep.join(d for d in dirs if os.path.isabs(d)))


def allowed(environ: Mapping[str, str]) -> dict[str, str]:
    """The part of ``environ`` a child may see."""
    return {k: v for k, v in environ.items() if k in _NAMES or _PATTERNS.fullmatch(k)}


#: What a committed ``go.env`` may set (a trusted tree only): where modules come from, which
#: are private, which toolchain runs. go itself never reads a repository's go.env; tidybot
#: reads these, and nothing that runs a program (``GOAUTH``, ``GOCACHEPROG``, ``CC``), moves
#: where go reads or writes (``GOMODCACHE``, ``GOCACHE``, ``GOPATH``, ``GOWORK``, ``GOENV``,
#: ``GOROOT``), passes flags (``GOFLAGS``), is not go's (``BASH_ENV``, ``GIT_CONFIG_*``), or
#: names the checksum database (``GOSUMDB``): with its own database and proxy a tree would
#: have a downloaded toolchain "checked" against a key it chose, and run it.
TREE_GOENV = frozenset(
    {
        "GOPROXY",
        "GONOPROXY",
        "GOPRIVATE",
        "GONOSUMDB",
        "GOINSECURE",
        "GOVCS",
        "GOTOOLCHAIN",
        "GO111MODULE",
        "GOEXPERIMENT",
    }
)


def tree_goenv_values(text: str) -> dict[str, str]:
    """The values of a committed go.env that tidybot reads (:data:`TREE_GOENV`)."""
    return tree_goenv(text)[0]


def tree_goenv(text: str) -> tuple[dict[str, str], list[str]]:
    """A committed go.env's values that tidybot reads (:data:`TREE_GOENV`), and the names it
    sets that are left out, in file order."""
    values = parse_goenv(text, "go.env").as_dict()
    kept = {k: v for k, v in values.items() if k in TREE_GOENV}
    return kept, [k for k in values if k not in TREE_GOENV]


def go_env(
    environ: Mapping[str, str],
    *,
    settings: Mapping[str, str] | None = None,
    tree_goenv: str | None = None,
    untrusted: bool = False,
) -> dict[str, str]:
    """The environment of a go command.

    ``settings``: GO* values from tidybot's trusted settings (flags, inputs, the trusted config);
    ``tree_goenv``: the text of a ``go.env`` committed at the checked root, read only when the
    tree is trusted; ``untrusted``: the tree is a pull request's code in a run that holds a token.
    """
    env = allowed(environ)
    layers: list[Mapping[str, str]] = [dict(settings or {}), env]
    if tree_goenv is not None and not untrusted:
        layers.append(tree_goenv_values(tree_goenv))
    env.update(merge_layers(layers))
    if untrusted:
        for name, default in GO_PINNED.items():
            if name == "GOENV" or not env.get(name):
                env[name] = default
    return env


def layered_go_env(env: Mapping[str, str], go_binary: str | None = None) -> dict[str, str]:
    """What go itself would see for each variable: ``env`` over the GOENV file over
    ``$GOROOT/go.env`` (an empty value counts as unset), as ``cfg.Getenv`` layers them."""
    layers: list[Mapping[str, str]] = [env]
    goenv = env.get("GOENV", "")
    if goenv != "off":
        path = goenv or _user_goenv(env)
        if path:
            layers.append(_read_goenv(path))
    if go_binary:
        root = env.get("GOROOT") or os.path.dirname(os.path.dirname(os.path.realpath(go_binary)))
        layers.append(_read_goenv(os.path.join(root, "go.env")))
    return merge_layers(layers)


def _user_goenv(env: Mapping[str, str]) -> str:
    base = env.get("XDG_CONFIG_HOME") or (
        os.path.join(env["HOME"], ".config") if env.get("HOME") else ""
    )
    return os.path.join(base, "go", "env") if base else ""


def _read_goenv(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read(1 << 20)
    except OSError:
        return {}
    return parse_goenv(text, path).as_dict()


#: The module go downloads toolchains as.
TOOLCHAIN_MODULE = "golang.org/toolchain"


def toolchain_problem(env: Mapping[str, str], gotoolchain: str) -> str | None:
    """Why go could run a toolchain it did not check against the checksum database, or None.

    With ``GOTOOLCHAIN=local`` go runs only the installed toolchain. With ``auto`` or a pinned
    release go downloads the module ``golang.org/toolchain`` and runs the binary in it, checked
    against the checksum database unless the environment turned that off for it.
    ``env`` is :func:`layered_go_env`'s view."""
    if gotoolchain in ("", "local"):
        return None
    from bot.engine.modpath import match_prefix_patterns  # only for a toolchain switch

    sumdb = env.get("GOSUMDB", "sum.golang.org")
    if sumdb.strip() == "off":
        return "GOSUMDB=off"
    nosumdb = env.get("GONOSUMDB", "")
    if nosumdb and match_prefix_patterns(nosumdb, TOOLCHAIN_MODULE):
        return f"GONOSUMDB={nosumdb} covers {TOOLCHAIN_MODULE}"
    private = env.get("GOPRIVATE", "")
    if not nosumdb and private and match_prefix_patterns(private, TOOLCHAIN_MODULE):
        return f"GOPRIVATE={private} covers {TOOLCHAIN_MODULE}"
    return None
