"""Records behave as the dataclasses they replace: every record of tidybot is held against a
dataclass twin built from the same fields, and the decorator's rules are tested one by one."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

import bot
from bot.record import (
    _COMPILE_AFTER,
    MISSING,
    FrozenInstanceError,
    _bind_init,
    _compile_init,
    field,
    fields,
    record,
    replace,
)


def all_records() -> list[type]:
    found: list[type] = []
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == info.name
                and "__record_fields__" in value.__dict__
            ):
                found.append(value)
    return found


RECORDS = all_records()


def twin(cls: Any) -> Any:
    """The dataclass ``@dataclass(frozen=..., eq=..., order=...)`` makes of the same fields."""
    specs = []
    for f in fields(cls):
        kw: dict[str, Any] = {"repr": f.repr, "compare": f.compare}
        if f.default is not MISSING:
            kw["default"] = f.default
        if f.default_factory is not MISSING:
            kw["default_factory"] = f.default_factory
        specs.append((f.name, cls.__annotations__[f.name], dataclasses.field(**kw)))
    made = dataclasses.make_dataclass(cls.__name__, specs, **cls.__record_params__)
    made.__qualname__ = cls.__qualname__
    return made


def bare(cls: Any, values: Mapping[str, object]) -> Any:
    """An instance with ``values`` set, without running ``__init__``."""
    obj = object.__new__(cls)
    for k, v in values.items():
        object.__setattr__(obj, k, v)
    return obj


def test_every_record_of_tidybot_is_found() -> None:
    names = {f"{c.__module__}.{c.__qualname__}" for c in RECORDS}
    assert {"bot.engine.model.Finding", "bot.engine.gomod.GoMod", "bot.runner.RunOptions"} <= names
    assert len(RECORDS) >= 90


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_a_record_behaves_as_its_dataclass_twin(cls: Any) -> None:
    dc = twin(cls)
    ours = inspect.signature(_compile_init(cls)).parameters
    theirs = inspect.signature(dc.__init__).parameters
    assert list(ours) == list(theirs)
    for name, p in ours.items():
        q = theirs[name]
        assert p.kind == q.kind, name
        if q.default is inspect.Parameter.empty:
            assert p.default is inspect.Parameter.empty, name
        elif q.default is dataclasses._HAS_DEFAULT_FACTORY:  # type: ignore[attr-defined]
            assert p.default is MISSING, name
        else:
            assert p.default is q.default, name
    assert (cls.__hash__ is None) == (dc.__hash__ is None)
    assert cls.__match_args__ == dc.__match_args__

    names = [f.name for f in fields(cls)]
    values = {n: f"v{i}" for i, n in enumerate(names[1:], 1)}
    a, b = {names[0]: "a", **values}, {names[0]: "b", **values}
    ra, rb, da, db = bare(cls, a), bare(cls, b), bare(dc, a), bare(dc, b)
    assert repr(ra) == repr(da)
    assert (ra == bare(cls, a)) == (da == bare(dc, a))
    assert (ra == rb) == (da == db)
    assert (ra == da) is False  # another class
    if cls.__record_params__["eq"] and dc.__hash__ is not None:  # else: identity hash
        assert hash(ra) == hash(da)
    if cls.__record_params__["order"]:
        assert (ra < rb, ra <= rb, ra > rb, ra >= rb) == (da < db, da <= db, da > db, da >= db)
    try:
        setattr(da, names[0], "x")
    except dataclasses.FrozenInstanceError:
        with pytest.raises(FrozenInstanceError):
            setattr(ra, names[0], "x")
        with pytest.raises(FrozenInstanceError):
            delattr(ra, names[0])
    else:
        setattr(ra, names[0], "x")
        assert getattr(ra, names[0]) == "x"

    if not hasattr(cls, "__post_init__"):  # a validating __post_init__ refuses sample values
        made = cls(**a)
        assert [getattr(made, n) for n in names] == [a[n] for n in names]
        assert repr(made) == repr(dc(**a))
        if cls.__record_params__["eq"]:
            assert made == cls(**a)


@record
class Point:
    """A frozen record with a default and a default factory."""

    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    note: str = field(default="", compare=False, repr=False)
    kind: ClassVar[str] = "point"


@record(frozen=False)
class Counter:
    """A mutable record."""

    n: int = 0


@record(frozen=False, eq=False)
class Box:
    """A record compared by identity."""

    items: list[int] = field(default_factory=list)


@record(order=True)
class Version:
    """An ordered record."""

    major: int
    minor: int = 0


def test_init_takes_defaults_and_calls_a_fresh_factory_each_time() -> None:
    p, q = Point(1), Point(1)
    assert (p.x, p.y, p.tags, p.note) == (1, 0, [], "")
    assert p.tags is not q.tags
    assert Point(1, 2, ["a"], "n") == Point(x=1, y=2, tags=["a"], note="n")
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, z=3)  # type: ignore[call-arg]


def test_init_is_compiled_once_a_class_has_made_its_first_instances() -> None:
    @record
    class Late:
        """Never made before this test."""

        a: int

    lazy = Late.__dict__["__init__"]
    for n in range(_COMPILE_AFTER):
        assert Late(n).a == n
    assert Late.__dict__["__init__"] is lazy  # bound by _bind_init so far
    assert Late(-1).a == -1
    compiled = Late.__dict__["__init__"]
    assert compiled is not lazy
    assert Late(2).a == 2 and Late.__dict__["__init__"] is compiled
    assert compiled.__qualname__.endswith("Late.__init__")


@record(frozen=False)
class Noted:
    """A mutable record with every kind of field and a __post_init__."""

    a: int
    b: int
    c: int = 3
    d: list[int] = field(default_factory=list)
    seen: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        self.seen = self.a + self.b


CALLS: list[tuple[tuple[object, ...], dict[str, object]]] = [
    ((1, 2), {}),
    ((1,), {"b": 2, "d": [4]}),
    ((), {"b": 2, "a": 1, "c": 5}),
    ((1, 2, 3, [4], 5), {}),
    ((1, 2, MISSING), {}),
    ((1, 2, 3, MISSING), {}),
    ((), {}),
    ((1,), {}),
    ((), {"c": 1}),
    ((1, 2, 3, 4, 5, 6), {}),
    ((1, 2), {"a": 1}),
    ((1, 2), {"e": 1}),
    ((1,), {"e": 1, "a": 1}),
    ((1,), {"a": 1, "e": 1}),
]


@pytest.mark.parametrize("cls", [Point, Version, Noted, Box, Counter])
@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_the_first_instances_are_bound_as_the_compiled_init_binds_them(
    cls: Any, args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    def made(init: Any) -> tuple[str, object]:
        obj = object.__new__(cls)
        try:
            init(obj, *args, **kwargs)
        except TypeError as e:
            return "error", str(e)
        return "made", {f.name: getattr(obj, f.name) for f in fields(cls)} | vars(obj)

    def bind(obj: object, *a: object, **kw: object) -> None:
        _bind_init(cls, obj, a, kw)

    assert made(bind) == made(_compile_init(cls))


def test_class_variables_and_compare_false_fields_are_left_out() -> None:
    assert [f.name for f in fields(Point)] == ["x", "y", "tags", "note"]
    assert Point.kind == "point"
    assert Point(1, note="a") == Point(1, note="b")
    assert repr(Point(1, 2, ["t"], "hidden")) == "Point(x=1, y=2, tags=['t'])"


def test_frozen_records_refuse_changes_and_hash_their_compared_fields() -> None:
    p = Point(1)
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'x'"):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del p.x
    with pytest.raises(AttributeError):  # FrozenInstanceError is an AttributeError
        p.other = 1  # type: ignore[attr-defined]
    v = Version(1, 2)
    assert hash(v) == hash((1, 2))
    assert {Version(1, 2), Version(1, 2)} == {v}


def test_a_subclass_may_add_attributes_but_not_change_fields() -> None:
    class Sub(Version):
        pass

    s = Sub(1)
    s.extra = "fine"  # type: ignore[attr-defined]
    with pytest.raises(FrozenInstanceError):
        s.major = 2  # type: ignore[misc]


def test_mutable_records_are_unhashable_and_eq_false_compares_identity() -> None:
    c = Counter()
    c.n += 1
    assert c == Counter(1) and c != Counter(2)
    with pytest.raises(TypeError):
        hash(c)
    b = Box()
    assert b != Box() and b == b
    assert hash(b) == hash(b)


def test_order_compares_fields_as_tuples_of_the_same_class() -> None:
    assert Version(1, 2) < Version(1, 10) < Version(2)
    assert sorted([Version(2), Version(1, 1), Version(1)]) == [
        Version(1),
        Version(1, 1),
        Version(2),
    ]
    with pytest.raises(TypeError):
        assert Version(1) < Point(1)  # type: ignore[operator]
    other: object = (1, 0)
    assert Version(1) != other


def test_replace_makes_a_new_record_through_init() -> None:
    p = Point(1, 2, ["a"])
    q = replace(p, y=3)
    assert (q.x, q.y, q.tags) == (1, 3, ["a"]) and p.y == 2
    with pytest.raises(TypeError):
        replace(p, z=1)
    with pytest.raises(TypeError, match="record"):
        replace(object(), y=1)


def test_post_init_runs_after_the_fields_are_set() -> None:
    @record
    class Checked:
        """Refuses a negative value."""

        n: int

        def __post_init__(self) -> None:
            if self.n < 0:
                raise ValueError("negative")

    assert Checked(1).n == 1
    with pytest.raises(ValueError, match="negative"):
        Checked(-1)


def test_inherited_fields_come_first() -> None:
    @record
    class Base:
        """A base record."""

        a: int

    @record
    class Child(Base):
        """A record extending another."""

        b: int = 1

    assert [f.name for f in fields(Child)] == ["a", "b"]
    assert Child(5).a == 5 and Child(5) != Base(5)


def test_declaration_mistakes_are_refused_as_dataclasses_does() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Bad:
            """A required field after a default."""

            a: int = 0
            b: int  # type: ignore[misc]

    with pytest.raises(ValueError, match="mutable default"):

        @record
        class Mutable:
            """A shared mutable default."""

            a: list[int] = []  # noqa: RUF012

    with pytest.raises(ValueError, match="both default and default_factory"):
        field(default=1, default_factory=list)  # type: ignore[call-overload]

    with pytest.raises(ValueError, match="eq must be true"):
        record(eq=False, order=True)(type("NoEq", (), {"__annotations__": {"a": "int"}}))


def test_match_statements_see_fields_in_order() -> None:
    match Version(3, 4):
        case Version(major, minor):
            assert (major, minor) == (3, 4)
        case _:
            pytest.fail("no match")
