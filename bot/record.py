"""Records: tidybot's data classes, declared as with ``@dataclass`` and cheaper to declare.

``@record`` reads a class the way ``@dataclass(frozen=True)`` does (annotated fields in order,
class-level defaults, ``field(default=..., default_factory=..., repr=..., compare=...)``, a
``__post_init__``) and gives it the same behaviour: the ``__init__`` signature, ``__repr__``,
``__eq__`` and ``__hash__`` over the compared fields, ordering with ``order=True``, and
``FrozenInstanceError`` on assignment. ``@record(frozen=False)`` is a mutable data class (not
hashable, as a dataclass), ``eq=False`` keeps identity comparison. ``replace`` and ``fields``
work as their ``dataclasses`` namesakes. Type checkers read the decorator as a dataclass
transform (PEP 681), so they check constructor calls and frozen fields as for a dataclass.

Why not :mod:`dataclasses`: start-up is part of every run. Importing it loads :mod:`inspect`
(about 8 ms here), and every class it decorates compiles six generated methods when the module
is imported (about 0.7 ms a class; a ``check`` loads some 40). Here ``__repr__``, ``__eq__``,
``__hash__`` and ordering are shared functions over a per-class ``operator.attrgetter``, and the
one generated method, ``__init__``, is compiled only once the class has made 64 instances: the
first ones bind their arguments in a general ``__init__`` (``_bind_init``; compiling one costs
about as much as 100 of those calls, and most classes of a run make a few instances or none).
``tests/unit/test_record.py`` holds every record of tidybot against a dataclass twin of it.
"""

from __future__ import annotations

import operator
import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar, dataclass_transform, overload

    _T = TypeVar("_T")

__all__ = ["MISSING", "Field", "FrozenInstanceError", "field", "fields", "record", "replace"]


class FrozenInstanceError(AttributeError):
    """An assignment to, or deletion of, a field of a frozen record."""


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # "no default": a field without one is a required argument


class Field:
    """One field of a record: its name, default or default factory, and whether it takes part
    in ``repr`` and in comparisons (equality, hashing, ordering)."""

    __slots__ = ("compare", "default", "default_factory", "name", "repr")

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        repr: bool = True,
        compare: bool = True,
    ) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare

    def has_default(self) -> bool:
        return self.default is not MISSING or self.default_factory is not MISSING

    def __repr__(self) -> str:
        return (
            f"Field(name={self.name!r}, default={self.default!r}, "
            f"default_factory={self.default_factory!r}, repr={self.repr}, "
            f"compare={self.compare})"
        )


def _field(
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    repr: bool = True,
    compare: bool = True,
) -> Any:
    return Field(default, default_factory, repr, compare)


def _is_classvar(annotation: object) -> bool:
    if isinstance(annotation, str):
        return annotation.startswith(("ClassVar", "typing.ClassVar", "t.ClassVar"))
    typing = sys.modules.get("typing")  # a real ClassVar object means typing is loaded
    return typing is not None and (
        annotation is typing.ClassVar or getattr(annotation, "__origin__", None) is typing.ClassVar
    )


_MUTABLE_DEFAULTS = (list, dict, set)


def _own_annotations(cls: type) -> dict[str, object]:
    """The annotations of ``cls`` itself (not its bases'), unevaluated, as
    ``inspect.get_annotations(cls)`` gives them, without importing inspect."""
    own = cls.__dict__.get("__annotations__")  # noqa: RUF063 - inspect is what this module avoids
    if own is None and "__annotate__" in cls.__dict__:  # Python 3.14+: made on first access
        own = cls.__annotations__
    return dict(own or {})


def _collect(cls: type) -> list[Field]:
    """The fields of ``cls``: those of record base classes, then its own annotations."""
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get("__record_fields__", ()):
            found[f.name] = f
    for name, annotation in _own_annotations(cls).items():
        if _is_classvar(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name = name
        if isinstance(f.default, _MUTABLE_DEFAULTS):
            raise ValueError(
                f"mutable default {type(f.default)} for field {name} is not allowed: "
                "use default_factory"
            )
        if isinstance(value, Field):  # the class attribute is the default, as in dataclasses
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        found.pop(name, None)
        found[name] = f
    seen_default = False
    for f in found.values():
        if f.has_default():
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
    return list(found.values())


def _key_getter(names: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    """A function giving the tuple of ``names`` of an object, as dataclasses compares them."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    return operator.attrgetter(*names)


def _record(
    cls: type | None = None, /, *, frozen: bool = True, eq: bool = True, order: bool = False
) -> Any:
    def wrap(c: type) -> Any:
        return _process(c, frozen=frozen, eq=eq, order=order)

    return wrap if cls is None else wrap(cls)


def _set(cls: type, name: str, value: object) -> None:
    if name not in cls.__dict__:
        setattr(cls, name, value)


def _process(cls: Any, *, frozen: bool, eq: bool, order: bool) -> Any:
    if order and not eq:
        raise ValueError("eq must be true if order is true")
    own = cls.__dict__
    flist = _collect(cls)
    cls.__record_fields__ = tuple(flist)
    cls.__record_params__ = {"frozen": frozen, "eq": eq, "order": order}
    cls.__record_repr__ = tuple(f.name for f in flist if f.repr)
    cls.__record_key__ = staticmethod(_key_getter(tuple(f.name for f in flist if f.compare)))
    _set(cls, "__match_args__", tuple(f.name for f in flist))
    _set(cls, "__init__", _lazy_init(cls))
    _set(cls, "__repr__", _repr)
    # __hash__ as dataclasses decides it: a class body that defines __eq__ gets __hash__ = None
    # from Python itself, which is not an explicit __hash__.
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    if eq:
        _set(cls, "__eq__", _eq)
        if not explicit_hash:
            cls.__hash__ = _hash if frozen else None
    if order:
        for name, fn in (("__lt__", _lt), ("__le__", _le), ("__gt__", _gt), ("__ge__", _ge)):
            if name in own:
                raise TypeError(f"cannot overwrite attribute {name} in class {cls.__name__}")
            setattr(cls, name, fn)
    if frozen:
        for name in ("__setattr__", "__delattr__"):
            if name in own:
                raise TypeError(f"cannot overwrite attribute {name} in class {cls.__name__}")
        names = frozenset(f.name for f in flist)
        cls.__setattr__, cls.__delattr__ = _frozen_methods(cls, names)
    return cls


_COMPILE_AFTER = 64
"""Instances a record class makes through the general ``__init__`` (``_bind_init``) before its
own one is compiled (``_compile_init``): compiling costs about 0.2 ms, some 100 general calls,
and most classes of a run make a handful of instances (a check of one module: 31 classes,
212 instances); one that makes many gets the compiled ``__init__`` after its first 64."""


def _lazy_init(cls: Any) -> Callable[..., None]:
    """An ``__init__`` that binds its arguments to the fields itself for the first
    ``_COMPILE_AFTER`` instances, then compiles the real one, installs it, and runs it."""
    made = 0

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        nonlocal made
        if made < _COMPILE_AFTER:
            made += 1
            _bind_init(cls, self, args, kwargs)
            return
        init = _compile_init(cls)
        cls.__init__ = init
        init(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _bind_init(cls: Any, obj: object, args: tuple[object, ...], kwargs: dict[str, object]) -> None:
    """What the compiled ``__init__`` of ``cls`` does with ``args`` and ``kwargs``: the same
    values in the same fields, the same ``TypeError`` for a call that does not fit, factories
    called for the fields left out, then ``__post_init__``."""
    fields = cls.__record_fields__
    name = f"{cls.__qualname__}.__init__()"
    position = {f.name: i for i, f in enumerate(fields)}
    for key in kwargs:  # in the order given: Python reports the first that does not fit,
        if key not in position:
            raise TypeError(f"{name} got an unexpected keyword argument {key!r}")
        if position[key] < len(args):
            raise TypeError(f"{name} got multiple values for argument {key!r}")
    # then too many positional arguments, then missing ones
    if len(args) > len(fields):
        most = len(fields) + 1
        least = 1 + sum(not f.has_default() for f in fields)
        takes = f"from {least} to {most}" if least < most else f"{most}"
        s = "" if most == 1 else "s"
        raise TypeError(
            f"{name} takes {takes} positional argument{s} but {len(args) + 1} were given"
        )
    values: list[object] = []
    missing: list[str] = []
    for i, f in enumerate(fields):
        if i < len(args):
            values.append(args[i])
        elif f.name in kwargs:
            values.append(kwargs[f.name])
        elif f.default_factory is not MISSING:
            values.append(MISSING)  # the factory is called below, as the compiled one calls it
        elif f.default is not MISSING:
            values.append(f.default)
        else:
            missing.append(f.name)
    if missing:
        listed = " and ".join(repr(m) for m in missing)
        if len(missing) > 2:
            listed = ", ".join(repr(m) for m in missing[:-1]) + f", and {missing[-1]!r}"
        s = "s" if len(missing) > 1 else ""
        raise TypeError(f"{name} missing {len(missing)} required positional argument{s}: {listed}")
    put = object.__setattr__ if cls.__record_params__["frozen"] else setattr
    for f, value in zip(fields, values, strict=True):
        if value is MISSING and f.default_factory is not MISSING:
            value = f.default_factory()
        put(obj, f.name, value)
    if hasattr(cls, "__post_init__"):
        obj.__post_init__()  # type: ignore[attr-defined]


def _compile_init(cls: Any) -> Callable[..., None]:
    """``cls.__init__`` as dataclasses writes it: one parameter per field, in order, with the
    field's default; a factory default is called when the argument is left out."""
    ns: dict[str, object] = {"__record_setattr": object.__setattr__, "__record_missing": MISSING}
    me = "self" if all(f.name != "self" for f in cls.__record_fields__) else "__record_self"
    params = [me]
    body = []
    for f in cls.__record_fields__:
        name = f.name
        value = name
        if f.default_factory is not MISSING:
            ns[f"__record_factory_{name}"] = f.default_factory
            params.append(f"{name}=__record_missing")
            value = f"__record_factory_{name}() if {name} is __record_missing else {name}"
        elif f.default is not MISSING:
            ns[f"__record_default_{name}"] = f.default
            params.append(f"{name}=__record_default_{name}")
        else:
            params.append(name)
        if cls.__record_params__["frozen"]:
            body.append(f"__record_setattr({me}, {name!r}, {value})")
        else:
            body.append(f"{me}.{name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append(f"{me}.__post_init__()")
    src = f"def __init__({', '.join(params)}) -> None:\n    " + "\n    ".join(body or ["pass"])
    exec(src, ns)  # noqa: S102 - the text is made of the class's own field names only
    init: Any = ns["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init  # type: ignore[no-any-return]


def _repr(self: Any) -> str:
    parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_repr__)
    return f"{self.__class__.__qualname__}({parts})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__record_key__
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__record_key__(self))


def _lt(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__record_key__
        return key(self) < key(other)
    return NotImplemented


def _le(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__record_key__
        return key(self) <= key(other)
    return NotImplemented


def _gt(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__record_key__
        return key(self) > key(other)
    return NotImplemented


def _ge(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__record_key__
        return key(self) >= key(other)
    return NotImplemented


def _frozen_methods(
    cls: Any, names: frozenset[str]
) -> tuple[Callable[[Any, str, object], None], Callable[[Any, str], None]]:
    """``__setattr__`` and ``__delattr__`` refusing to change a field (any attribute of an
    instance of ``cls`` itself; a subclass may add attributes of its own), as dataclasses."""

    def __setattr__(self: Any, name: str, value: object) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__


def _fields(obj: object) -> tuple[Field, ...]:
    try:
        return obj.__record_fields__  # type: ignore[attr-defined,no-any-return]
    except AttributeError:
        raise TypeError("must be called with a record type or instance") from None


def _replace(obj: Any, /, **changes: Any) -> Any:
    """A new record like ``obj`` with the fields in ``changes`` replaced (``__init__`` runs)."""
    for f in _fields(obj):
        if f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


if TYPE_CHECKING:

    @overload
    def field(*, default: _T, repr: bool = True, compare: bool = True) -> _T: ...
    @overload
    def field(
        *, default_factory: Callable[[], _T], repr: bool = True, compare: bool = True
    ) -> _T: ...
    @overload
    def field(*, repr: bool = True, compare: bool = True) -> Any: ...
    def field(
        *,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        repr: bool = True,
        compare: bool = True,
    ) -> Any:
        """A field with a default, a default factory, or left out of ``repr`` or comparisons."""
        return _field(default=default, default_factory=default_factory, repr=repr, compare=compare)

    @overload
    @dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
    def record(cls: type[_T], /) -> type[_T]: ...
    @overload
    def record(
        *, frozen: bool = True, eq: bool = True, order: bool = False
    ) -> Callable[[type[_T]], type[_T]]: ...
    def record(
        cls: type[_T] | None = None,
        /,
        *,
        frozen: bool = True,
        eq: bool = True,
        order: bool = False,
    ) -> Any:
        """Make ``cls`` a record (see the module's docstring)."""
        return _record(cls, frozen=frozen, eq=eq, order=order)

    def replace(obj: _T, /, **changes: Any) -> _T:
        """A new record like ``obj`` with the fields in ``changes`` replaced."""
        return _replace(obj, **changes)  # type: ignore[no-any-return]

    def fields(obj: object) -> tuple[Field, ...]:
        """The fields of a record class or instance, in order."""
        return _fields(obj)

else:
    field = _field
    record = _record
    replace = _replace
    fields = _fields
