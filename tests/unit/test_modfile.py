"""go.mod / go.work parsing and canonical printing (reference §1).

Expected values follow golang.org/x/mod/modfile; the error texts and positions were
checked against ``go mod edit`` (tests/integration/test_gomod_differential.py does that
for a whole corpus).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.gomod import (
    Exclude,
    Godebug,
    GoMod,
    Ignore,
    Replace,
    Require,
    Retract,
    Tool,
    format_gomod,
    is_indirect_comment,
    parse_and_format,
    parse_gomod,
    parse_gomod_lax,
)
from bot.engine.gowork import Use, format_gowork, parse_gowork, with_uses_at
from bot.engine.modfile import (
    CommentBlock,
    Line,
    LineBlock,
    auto_quote,
    go_quote,
    go_unquote,
    must_quote,
    parse_syntax,
)
from bot.errors import ParseError


def gomod(text: str) -> GoMod:
    return parse_gomod(text, "go.mod")


def parse_error(text: str, *, require_module: bool = False) -> ParseError:
    with pytest.raises(ParseError) as exc:
        parse_gomod(text, "go.mod", require_module=require_module)
    return exc.value


# ----------------------------------------------------------------- every directive


def test_single_line_directives() -> None:
    f = gomod(
        "module example.com/m\n"
        "go 1.23.4\n"
        "toolchain go1.24.1\n"
        "godebug panicnil=1\n"
        "require example.com/a v1.2.3\n"
        "exclude example.com/a v1.0.0\n"
        "replace example.com/a v1.2.3 => example.com/fork v1.2.4\n"
        "retract v0.1.0\n"
        "tool example.com/a/cmd/gen\n"
        "ignore ./node_modules\n"
    )
    assert (f.module, f.module_line) == ("example.com/m", 1)
    assert (f.go, f.go_line, f.toolchain, f.toolchain_line) == ("1.23.4", 2, "go1.24.1", 3)
    assert f.godebug == (Godebug("panicnil", "1", 4),)
    assert f.requires == (Require("example.com/a", "v1.2.3", False, 5),)
    assert f.excludes == (Exclude("example.com/a", "v1.0.0", 6),)
    assert f.replaces == (Replace("example.com/a", "v1.2.3", "example.com/fork", "v1.2.4", 7),)
    assert f.retracts == (Retract("v0.1.0", "v0.1.0", "", 8),)
    assert f.tools == (Tool("example.com/a/cmd/gen", 9),)
    assert f.ignores == (Ignore("./node_modules", 10),)
    assert f.require("example.com/a") == f.requires[0]
    assert f.require("example.com/b") is None
    assert f.deprecated == ""


def test_block_directives() -> None:
    f = gomod(
        "module (\n\texample.com/m\n)\n"
        "godebug (\n\tdefault=go1.21\n\thttp2client=0\n)\n"
        "require (\n\texample.com/a v1.0.0\n\texample.com/b v2.0.0+incompatible // indirect\n)\n"
        "exclude (\n\texample.com/a v0.9.0\n)\n"
        "replace (\n\texample.com/a => ../a\n\texample.com/b v2.0.0+incompatible => /abs/b\n)\n"
        "retract (\n\tv1.0.1 // broken\n\t[v1.1.0, v1.1.5]\n)\n"
        "tool (\n\texample.com/a/cmd/x\n\texample.com/a/cmd/y\n)\n"
        "ignore (\n\t./static\n\tdocs\n)\n"
    )
    assert (f.module, f.module_line) == ("example.com/m", 2)
    assert f.godebug == (Godebug("default", "go1.21", 5), Godebug("http2client", "0", 6))
    assert f.requires == (
        Require("example.com/a", "v1.0.0", False, 9),
        Require("example.com/b", "v2.0.0+incompatible", True, 10),
    )
    assert f.excludes == (Exclude("example.com/a", "v0.9.0", 13),)
    assert f.replaces == (
        Replace("example.com/a", None, "../a", None, 16),
        Replace("example.com/b", "v2.0.0+incompatible", "/abs/b", None, 17),
    )
    assert all(r.is_local for r in f.replaces)
    assert f.retracts == (
        Retract("v1.0.1", "v1.0.1", "broken", 20),
        Retract("v1.1.0", "v1.1.5", "", 21),
    )
    assert f.tools == (Tool("example.com/a/cmd/x", 24), Tool("example.com/a/cmd/y", 25))
    assert f.ignores == (Ignore("./static", 28), Ignore("docs", 29))


def test_replace_forms() -> None:
    f = gomod(
        "module m.example\n"
        "replace a.example/x => ./x\n"
        "replace a.example/x v1.0.0 => ../x\n"
        "replace a.example/y => b.example/y v1.1.0\n"
        "replace a.example/y v1.0.0 => b.example/y v1.1\n"
        'replace "a.example/z" => "/tmp/my dir"\n'
        "replace a.example/w => C:/dir\n"
    )
    r = f.replaces
    assert r[0] == Replace("a.example/x", None, "./x", None, 2)
    assert r[1] == Replace("a.example/x", "v1.0.0", "../x", None, 3)
    assert r[2] == Replace("a.example/y", None, "b.example/y", "v1.1.0", 4)
    assert r[3] == Replace("a.example/y", "v1.0.0", "b.example/y", "v1.1.0", 5)
    assert not r[2].is_local
    assert r[4] == Replace("a.example/z", None, "/tmp/my dir", None, 6)
    assert r[5] == Replace("a.example/w", None, "C:/dir", None, 7)
    # go picks a version-specific replacement before a wildcard one
    assert f.replacement("a.example/y", "v1.0.0") == r[3]
    assert f.replacement("a.example/y", "v1.5.0") == r[2]
    assert f.replacement("a.example/q", "v1.0.0") is None


def test_deduplicated_keeps_go_choices() -> None:
    f = gomod(
        "module m.example\n"
        "exclude a.example/x v1.0.0\nexclude a.example/x v1.0.0\n"
        "replace a.example/x => ./one\nreplace a.example/x => ./two\n"
        "tool a.example/t\ntool a.example/t\n"
        "ignore d\nignore d\n"
        "require a.example/x v1.0.0\nrequire a.example/x v1.1.0\n"
    ).deduplicated()
    assert [x.line for x in f.excludes] == [2]
    assert [r.new_path for r in f.replaces] == ["./two"]
    assert [t.line for t in f.tools] == [6]
    assert [i.line for i in f.ignores] == [8]
    assert len(f.requires) == 2  # requirements are never de-duplicated


def test_deduplicated_drops_what_go_cleanup_drops() -> None:
    f = gomod(
        'module m.example\ngodebug =x\nrequire "" v1.0.0\nexclude "" v1.0.0\n'
        'replace "" => ./x\nretract ""\ntool ""\n'
    )
    assert (len(f.godebug), len(f.requires), len(f.excludes), len(f.replaces)) == (1, 1, 1, 1)
    d = f.deduplicated()
    assert (d.godebug, d.requires, d.excludes, d.replaces, d.retracts) == ((), (), (), (), ())
    assert d.tools == (Tool("", 7),)  # go keeps empty tool paths
    w = parse_gowork('use ""\nuse ./a\nreplace x.example/a => ./1\nreplace x.example/a => ./2\n')
    assert w.deduplicated().uses == (Use("./a", "", 2),)
    assert [r.new_path for r in w.deduplicated().replaces] == ["./2"]


def test_versions_are_canonicalised() -> None:
    f = gomod(
        "module m.example\nrequire a.example/x v1\nrequire a.example/y v1.2\n"
        "require a.example/z v1.2.3+meta\nrequire a.example/w/v3 v3.0.0+incompatible\n"
        'require a.example/q "v1.0.0"\n'
    )
    assert [r.version for r in f.requires] == [
        "v1.0.0",
        "v1.2.0",
        "v1.2.3",
        "v3.0.0+incompatible",
        "v1.0.0",
    ]
    assert "require a.example/x v1.0.0\n" in format_gomod(
        "module m.example\nrequire a.example/x v1\n"
    )


def test_retract_versions_are_taken_as_written() -> None:
    # go mod edit parses retract with dontFixRetract: any token is accepted, unchanged.
    f = gomod('module m.example\nretract v1\nretract "v1.0.0"\nretract [v1.0.0, "v1.1.0"]\n')
    assert [(r.low, r.high) for r in f.retracts] == [
        ("v1", "v1"),
        ("v1.0.0", "v1.0.0"),
        ("v1.0.0", "v1.1.0"),
    ]


# ------------------------------------------------------------------------ comments


def test_comments_attach_like_go() -> None:
    fs = parse_syntax(
        "// head\n\n// before module\nmodule m // eol\n\nrequire ( // block eol\n"
        "\t// before a\n\ta v1.0.0 // a eol\n\n\tb v1.0.0\n\t// before paren\n)\n// tail\n",
        "go.mod",
    )
    head, module, block, tail = fs.stmts
    assert isinstance(head, CommentBlock)
    assert [c.token for c in head.comments.before] == ["// head"]
    assert isinstance(module, Line)
    assert [c.token for c in module.comments.before] == ["// before module"]
    assert [c.token for c in module.comments.suffix] == ["// eol"]
    assert isinstance(block, LineBlock)
    assert [c.token for c in block.lparen.comments.suffix] == ["// block eol"]
    a, b = block.lines
    assert [c.token for c in a.comments.before] == ["// before a"]
    assert [c.token for c in a.comments.suffix] == ["// a eol"]
    assert [c.token for c in b.comments.before] == [""]  # the blank line is kept
    assert [c.token for c in block.rparen.comments.before] == ["// before paren"]
    assert isinstance(tail, CommentBlock)


def test_comments_survive_formatting() -> None:
    # (go prints a comment before ")" at the block's own margin)
    text = (
        "// head\n\n// before module\nmodule m // eol\n\nrequire ( // block eol\n"
        "\t// before a\n\ta v1.0.0 // a eol\n\n\tb v1.0.0\n// before paren\n)\n\n// tail\n"
    )
    assert format_gomod(text) == text


@pytest.mark.parametrize(
    ("comment", "want"),
    [
        ("// indirect", True),
        ("//indirect", True),
        ("//\tindirect", True),
        ("//  indirect  ", True),
        ("// indirect; some note", True),
        ("// indirect;", False),  # one field "indirect;" is not "indirect"
        ("// Indirect", False),
        ("// indirect,", False),
        ("// indirect note", False),
        ("// not indirect", False),
        ("//", False),
    ],
)
def test_indirect_variants(comment: str, want: bool) -> None:
    f = gomod(f"module m.example\nrequire a.example/x v1.0.0 {comment}\n")
    assert f.requires[0].indirect is want
    assert is_indirect_comment([comment]) is want


def test_indirect_uses_only_the_first_suffix_comment() -> None:
    f = gomod("module m.example\nrequire (\n\ta.example/x v1.0.0 // indirect\n)\n")
    assert f.requires[0].indirect
    f = gomod("module m.example\n// indirect\nrequire a.example/x v1.0.0\n")
    assert not f.requires[0].indirect  # a comment above the line does not count


DEPRECATED = [
    ("//Deprecated:blah\nmodule m\n", "blah"),
    ("// Deprecated: one\n// two\nmodule m\n", "one\ntwo"),
    ("// some other comment\n// Deprecated: blah\nmodule m\n", ""),
    ("// Deprecated: a\n// b\n//\n// c\nmodule m\n", "a\nb"),
    ("// Deprecated: a\n// Deprecated: b\nmodule m\n", "a\nDeprecated: b"),
    ("module m // Deprecated: blah\n", "blah"),
    ("// some other comment\nmodule m // Deprecated: blah\n", ""),
    ("// some other comment\n//\nmodule m // Deprecated: blah\n", "blah"),
    ("// deprecated: blah\nmodule m\n", ""),
    ("// Deprecated: blah\nmodule (\n\tm\n)\n", "blah"),
    ("// Deprecated: a\n//\nmodule m\n", "a\n"),
]


@pytest.mark.parametrize(("text", "want"), DEPRECATED)
def test_deprecated_vectors(text: str, want: str) -> None:
    assert gomod(text).deprecated == want


def test_retract_rationale_from_line_or_block_comments() -> None:
    f = gomod(
        "module m.example\n"
        "// one\n// two\nretract v1.0.0\n"
        "// block reason\nretract (\n\tv1.1.0\n\tv1.2.0 // own reason\n)\n"
    )
    assert [r.rationale for r in f.retracts] == ["one\ntwo", "block reason", "own reason"]


# ------------------------------------------------------------- quoting and encodings


def test_quoted_strings() -> None:
    f = gomod(
        'module "example.com/m"\n'
        'require "a.example/x" "v1.0.0"\n'
        'replace a.example/y => "./dir with space"\n'
        'replace a.example/z => "./esc\\x41\\u00e9"\n'
    )
    assert f.module == "example.com/m"
    assert f.requires[0] == Require("a.example/x", "v1.0.0", False, 2)
    assert f.replaces[0].new_path == "./dir with space"
    assert f.replaces[1].new_path == "./escAé"
    out = format_gomod(
        'module "example.com/m"\nreplace a.example/y => "./dir with space"\n'
        'replace a.example/z => "./esc\\x41"\n'
    )
    assert out == (
        "module example.com/m\n\nreplace a.example/y => "
        '"./dir with space"\n\nreplace a.example/z => ./escA\n'
    )


@pytest.mark.parametrize(
    ("s", "quoted"),
    [
        ("a.example/x", False),
        ("", True),
        ("a b", True),
        ("a//b", True),
        ("a/*b", True),
        ("(", False),
        ("a(b", True),
        ("a,b", True),
        ("it's", True),
        ("tab\there", True),
        ("é", False),
    ],
)
def test_must_quote(s: str, quoted: bool) -> None:
    assert must_quote(s) is quoted
    assert auto_quote(s) == (go_quote(s) if quoted else s)


def test_go_quote_and_unquote() -> None:
    assert go_quote('a"b\\c\n\x01\x7f\u200b') == '"a\\"b\\\\c\\n\\x01\\x7f\\u200b"'
    assert go_unquote('"a\\tb\\101\\u00e9\\U0001F600"') == "a\tbAé\U0001f600"
    for bad in ('"a', '"\\q"', '"\\\'"', '"\\400"', '"\\ud800"', '"a"b'):
        with pytest.raises(ValueError, match="invalid syntax"):
            go_unquote(bad)


def test_crlf_parses_and_formats_to_lf() -> None:
    text = "module m.example\r\n\r\nrequire (\r\n\ta.example/x v1.0.0 // indirect\r\n)\r\n"
    f = gomod(text)
    assert f.requires == (Require("a.example/x", "v1.0.0", True, 4),)
    assert format_gomod(text) == "module m.example\n\nrequire a.example/x v1.0.0 // indirect\n"


def test_bytes_input_and_invalid_utf8_round_trip() -> None:
    data = b"module m.example\n\n// caf\xe9\nrequire a.example/x v1.0.0\n"
    out = format_gomod(data)
    assert out.encode("utf-8", "surrogateescape") == data


# ------------------------------------------------------------------ canonical print


REFERENCE_IN = """// header comment
module   "example.com/fmt"   // trailing
go 1.21
toolchain go1.22.1
godebug (
    panicnil=1
)
require (
    example.com/z v1.0.0
      example.com/a v1.2.0 // indirect

    example.com/m v1.0.0 //indirect
)
require example.com/single v1.0.0
require (
  example.com/only v1.0.0
)
exclude (
  example.com/x v1.10.0
  example.com/x v1.9.0
  example.com/x v1.9.0
)
replace example.com/r => ./local
replace example.com/r => ../other
retract (
  v1.0.0
  [v1.1.0, v1.2.0] // bad
  v1.3.0
)
tool example.com/z/cmd/z
ignore ./node_modules
"""

REFERENCE_OUT = """// header comment
module example.com/fmt // trailing

go 1.21

toolchain go1.22.1

godebug panicnil=1

require (
	example.com/a v1.2.0 // indirect

	example.com/m v1.0.0 //indirect
	example.com/z v1.0.0
)

require example.com/single v1.0.0

require example.com/only v1.0.0

exclude (
	example.com/x v1.9.0
	example.com/x v1.10.0
)

replace example.com/r => ../other

retract (
	v1.3.0
	[v1.1.0, v1.2.0] // bad
	v1.0.0
)

tool example.com/z/cmd/z

ignore ./node_modules
"""


def test_format_reference_example() -> None:
    assert format_gomod(REFERENCE_IN) == REFERENCE_OUT
    assert format_gomod(REFERENCE_OUT) == REFERENCE_OUT  # idempotent


def test_exclude_sort_depends_on_go_version() -> None:
    text = (
        "module m.example\n\ngo {}\n\nexclude (\n\tx.example/a v1.10.0\n\tx.example/a v1.9.0\n)\n"
    )
    assert "v1.10.0\n\tx.example/a v1.9.0" in format_gomod(text.format("1.20"))
    assert "v1.9.0\n\tx.example/a v1.10.0" in format_gomod(text.format("1.21"))


def test_format_edge_cases() -> None:
    assert format_gomod("") == ""
    assert format_gomod("\n\n// only a comment\n\n\n") == "// only a comment\n"
    # empty blocks vanish, statements get one blank line between them
    assert format_gomod("module m\nrequire ()\ngo 1.21\n") == "module m\n\ngo 1.21\n"
    # retract brackets are printed without inner spaces
    assert format_gomod('module m\nretract [ "v1.2.3" , "v1.2.4" ]\n') == (
        "module m\n\nretract [v1.2.3, v1.2.4]\n"
    )
    # blank lines at the start and end of a block are dropped (go issue 70632)
    assert format_gomod('module m\nrequire (\n\n    "a.example/t" v0.8.0\n\n\n)\n') == (
        "module m\n\nrequire a.example/t v0.8.0\n"
    )


def test_missing_module() -> None:
    assert parse_gomod("go 1.21\n", require_module=False).module == ""
    err = parse_error("go 1.21\n", require_module=True)
    assert err.reason.startswith("missing module declaration")
    err = parse_error("go 1.21\nretract v1.0.0\n", require_module=True)
    assert (err.line, err.reason) == (2, "no module directive found, so retract cannot be used")


# ----------------------------------------------------------------------------- errors

ERRORS = [
    ("module m\nfoo bar\n", 2, 0, "unknown directive: foo"),
    (
        "module m\nrequire (\n\tx.com/a v1.0.0\n\tx.com/b\n)\n",
        4,
        2,
        "usage: require module/path v1.2.3",
    ),
    ("module m\nexclude x.com/a\n", 2, 0, "usage: exclude module/path v1.2.3"),
    (
        "module m\nrequire x.com/a master\n",
        2,
        0,
        'require x.com/a: version "master" invalid: must be of the form v1.2.3',
    ),
    (
        "module m\nrequire x.com/a/v2 v1.0.0\n",
        2,
        0,
        'require x.com/a/v2: version "v1.0.0" invalid: should be v2, not v1',
    ),
    (
        "module m\nrequire x.com/a v2.0.0\n",
        2,
        0,
        'require x.com/a: version "v2.0.0" invalid: should be v0 or v1, not v2',
    ),
    ("module m\nrequire x.com/a/v1 v1.0.0\n", 2, 0, "invalid module path"),
    (
        "module m\nreplace x.com/a => y.com/b\n",
        2,
        0,
        "replacement module without version must be directory path "
        "(rooted or starting with . or ..)",
    ),
    (
        "module m\nreplace x.com/a => y.com/b@v1.0.0\n",
        2,
        0,
        "replacement module must match format 'path version', not 'path@version'",
    ),
    (
        "module m\nreplace x.com/a => ./b v1.0.0\n",
        2,
        0,
        'replacement module directory path "./b" cannot have version',
    ),
    (
        "module m\nreplace x.com/a => .\\b\n",
        2,
        0,
        "replacement directory appears to be Windows path (on a non-windows system)",
    ),
    (
        "module m\nreplace x.com/a\n",
        2,
        0,
        "usage: replace module/path [v1.2.3] => other/module v1.4\n"
        "\t or replace module/path [v1.2.3] => ../local/directory",
    ),
    ("module m\nreplace x.com/a/v1 => ./a\n", 2, 0, "replace x.com/a/v1: invalid module path"),
    ("module m\ngo 1.21\ngo 1.22\n", 3, 0, "repeated go statement"),
    ("module m\ngo 1.21 1.22\n", 2, 0, "go directive expects exactly one argument"),
    ("module m\ngo 1.21.x\n", 2, 0, "invalid go version '1.21.x': must match format 1.23.0"),
    ("module m\ntoolchain go1.21\ntoolchain go1.22\n", 3, 0, "repeated toolchain statement"),
    (
        "module m\ntoolchain 1.21\n",
        2,
        0,
        "invalid toolchain version '1.21': must match format go1.23.0 or default",
    ),
    ("module m\ngodebug a\n", 2, 0, "usage: godebug key=value"),
    ('module m\ngodebug "a=b"\n', 2, 0, "usage: godebug key=value"),
    ("module m\nmodule n\n", 2, 0, "repeated module statement"),
    ("module m n\n", 1, 0, "usage: module module/path"),
    ("module `m`\n", 1, 0, "invalid quoted string: unquoted string cannot contain quote"),
    ('module m\nrequire "x\\q" v1.0.0\n', 2, 0, "invalid quoted string: invalid syntax"),
    ("module m\n/* x */\n", 2, 0, "mod files must use // comments (not /* */ comments)"),
    ("module m\nrequire x/*y v1\n", 2, 10, "mod files must use // comments (not /* */ comments)"),
    (
        "module m\nrequire (\n x.com/a v1.0.0\n",
        4,
        0,
        "syntax error (unterminated block started at go.mod:2:1)",
    ),
    (
        "module m\nrequire (\n x.com/a v1.0.0\n) x\n",
        4,
        4,
        "syntax error (expected newline after closing paren)",
    ),
    ('module "m\n', 1, 10, "unexpected newline in string"),
    ('module "m', 1, 8, "unexpected EOF in string"),
    ("module m\n\x0bx\n", 2, 0, "unexpected input character '\\v'"),
    ("module m\n\ufeffx\n", 2, 0, "unexpected input character '\\ufeff'"),
    ("module m\nretract [v1.0.0 v1.1.0]\n", 2, 0, "expected ',' after version"),
    ("module m\nretract [v1.0.0,\n", 2, 0, "expected version after ','"),
    ("module m\nretract [\n", 2, 0, "expected version after '['"),
    ("module m\nretract [v1.0.0, v1.1.0\n", 2, 0, "expected ']' after version"),
    ("module m\nretract v1.0.0 x\n", 2, 0, 'unexpected token after version: "x"'),
    ("module m\nretract\n", 2, 0, "expected '[' or version"),
    ("module m\ntool\n", 2, 0, "tool directive expects exactly one argument"),
    ("module m\nignore a b\n", 2, 0, "ignore directive expects exactly one argument"),
    ("module m\nfoo (\n)\n", 2, 0, "unknown block type: foo"),
    ("module m\nrequire x (\n)\n", 2, 0, "unknown block type: require x"),
    ("module m\ngo (\n\t1.21\n)\n", 2, 0, "unknown block type: go"),
    (
        "module m\n  require x.com/a bad\n",
        2,
        3,
        'require x.com/a: version "bad" invalid: must be of the form v1.2.3',
    ),
]


@pytest.mark.parametrize(("text", "line", "col", "message"), ERRORS)
def test_error_texts_and_positions(text: str, line: int, col: int, message: str) -> None:
    err = parse_error(text)
    assert (err.line, err.col if err.col > 1 else 0, err.reason) == (line, col, message)
    where = f"go.mod:{line}:{col}" if col else f"go.mod:{line}"
    assert str(err) == f"{where}: {message}"


def test_first_error_is_reported() -> None:
    err = parse_error("module m\nfoo\nbar\n")
    assert (err.line, err.reason) == (2, "unknown directive: foo")
    # a syntax error anywhere wins over directive errors (go stops parsing at it)
    err = parse_error("module m\nfoo\nrequire x /* y\n")
    assert err.line == 3


def test_lax_parse_ignores_main_module_only_directives() -> None:
    text = (
        "module m.example\ngo 1.22rc1-extra\ntoolchain bad\nfoo bar\nreplace a => b\n"
        "require a.example/x v1.0.0\nretract v1.0.0 junk\nignore d\nunknown (\n\tx\n)\n"
    )
    f = parse_gomod_lax(text)
    assert (f.module, f.go, f.toolchain) == ("m.example", "1.22", None)
    assert f.replaces == ()
    assert f.requires == (Require("a.example/x", "v1.0.0", False, 6),)
    assert f.retracts == (Retract("v1.0.0", "v1.0.0", "", 7),)
    assert f.ignores == (Ignore("d", 8),)
    with pytest.raises(ParseError):
        parse_gomod(text)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("module a/\n", ["module", "a/"]),
        ("module /a\n", ["module", "/a"]),
        ("module a//c\n", ["module", "a", "//c"]),  # a comment ends it
        ("module a/*b\n", (9, "mod files must use // comments (not /* */ comments)")),
        ("module a/b/*\n", (11, "mod files must use // comments (not /* */ comments)")),
        ("module a\u00e9/x\n", ["module", "a\u00e9/x"]),  # past ASCII, rune by rune
        ("module a\x7fb\n", (9, "unexpected input character '\\x7f'")),
        ("module a\vb\n", (9, "unexpected input character '\\v'")),
        ('module "a"b\n', ["module", '"a"', "b"]),
        ('module a"b\n', ["module", 'a"b']),  # a quote starts a string, not inside a word
        ("module a,b\n", ["module", "a", ",", "b"]),
    ],
)
def test_where_an_identifier_ends(text: str, want: list[str] | tuple[int, str]) -> None:
    """The lexer takes an ASCII identifier in one step (``_PLAIN_IDENT``); what ends it, and
    what it leaves to the rune-by-rune path, gives go's tokens and go's errors."""
    if isinstance(want, tuple):
        with pytest.raises(ParseError) as exc:
            parse_syntax(text, "go.mod")
        assert (exc.value.line, exc.value.col, exc.value.reason) == (1, *want)
        return
    (line,) = parse_syntax(text, "go.mod").stmts
    assert isinstance(line, Line) and line.token is not None
    assert [*line.token, *(c.token for c in line.comments.suffix)] == want


# ----------------------------------------------------------------------------- go.work


def test_gowork_parse() -> None:
    w = parse_gowork(
        "go 1.23\n\ntoolchain go1.23.2\n\ngodebug asynctimerchan=1\n\n"
        'use (\n\t./a\n\t"./b c" // module b\n)\n\nuse ../x\n\n'
        "replace example.com/z v1.0.0 => ./z\n"
    )
    assert (w.go, w.go_line, w.toolchain, w.toolchain_line) == ("1.23", 1, "go1.23.2", 3)
    assert w.godebug == (Godebug("asynctimerchan", "1", 5),)
    assert w.uses == (Use("./a", "", 8), Use("./b c", "", 9), Use("../x", "", 12))
    assert w.replaces == (Replace("example.com/z", "v1.0.0", "./z", None, 14),)
    assert w.effective_go == "1.23"
    assert parse_gowork("use .\n").effective_go == "1.18"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("go 1.21\nmodule m\n", 2, "unknown directive: module"),
        ("go 1.21\nrequire x.com/a v1.0.0\n", 2, "unknown directive: require"),
        ("go 1.21\nuse a b\n", 2, "usage: use local/dir"),
        ("go 1.21\nuse (\n\ta\n\tb c\n)\n", 4, "usage: use local/dir"),
        ("go 1.21\ngo 1.22\n", 2, "repeated go statement"),
        ("go 1.21rc1-x\n", 1, "invalid go version '1.21rc1-x': must match format 1.23.0"),
        ("go 1.21\nrequire (\n)\n", 2, "unknown block type: require"),
    ],
)
def test_gowork_errors(text: str, line: int, message: str) -> None:
    with pytest.raises(ParseError) as exc:
        parse_gowork(text)
    assert (exc.value.line, exc.value.reason) == (line, message)


def test_gowork_format() -> None:
    text = (
        'go 1.23\nuse (\n  ./z\n  "./a"\n)\nreplace x.example/a => ./one\n'
        "replace x.example/a => ./two\n"
    )
    assert (
        format_gowork(text) == "go 1.23\n\nuse (\n\t./a\n\t./z\n)\n\nreplace x.example/a => ./two\n"
    )


def test_gowork_with_uses_elsewhere_keeps_every_other_line() -> None:
    text = (
        "go 1.23\n\ntoolchain go1.23.2\n\ngodebug asynctimerchan=1\n\n"
        'use (\n\t./a\n\t"./b c" // module b\n)\n\nuse ../x\n\n'
        "replace example.com/z v1.0.0 => ./z\n"
    )
    out = with_uses_at(text, lambda p: "/the tree/" + p.removeprefix("./"))
    w, was = parse_gowork(out), parse_gowork(text)
    assert [u.path for u in w.uses] == ["/the tree/a", "/the tree/b c", "/the tree/../x"]
    assert (w.go, w.toolchain, w.godebug, w.replaces) == (
        was.go,
        was.toolchain,
        was.godebug,
        was.replaces,
    )
    assert "// module b" in out
    with pytest.raises(ParseError):
        with_uses_at("go 1.21\nuse a b\n", str)


_CORPUS = Path(__file__).resolve().parents[1] / "data" / "gomod"


@pytest.mark.parametrize(
    "path",
    sorted((_CORPUS / "valid").glob("*.mod")) + sorted((_CORPUS / "invalid").glob("*.mod")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_parse_and_format_is_parse_plus_format(path: Path) -> None:
    """One parse for both gives what the two functions give apart (or the same error)."""
    text = path.read_text(encoding="utf-8")
    try:
        expected = (parse_gomod(text, "go.mod"), format_gomod(text, "go.mod"))
    except ParseError as e:
        error = str(e)
    else:
        assert parse_and_format(text, "go.mod") == expected
        assert parse_and_format(text, "go.mod") is parse_and_format(text, "go.mod")  # remembered
        return
    with pytest.raises(ParseError) as together:
        parse_and_format(text, "go.mod")
    assert str(together.value) == error
