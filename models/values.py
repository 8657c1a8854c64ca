"""Frozen values that cost nothing to define: what a scan's answer is built from.

A frozen dataclass compiles its `__init__`, `__repr__`, `__eq__`, `__hash__`,
`__setattr__` and `__delattr__` with `exec` when its class is defined, about 4 M
instructions a class that no bytecode cache keeps; `backroom scan` defined some twenty
of them before it read its code. A `FrozenValue` has the same behaviour from methods
written once here: its fields are its annotated names (ClassVar ones excepted), base
classes' first; a name assigned in the class body is that field's default.

    class Shelf(FrozenValue, kw_only=True):
        code: str
        level: int = 1

Shelf(code="A-01") == Shelf(code="A-01", level=1); hash, repr as a dataclass's;
assigning a field raises dataclasses.FrozenInstanceError; replace(value, level=2) is
a copy with changes. Defaults must be immutable (no default_factory here).
"""

from __future__ import annotations

import inspect
from dataclasses import FrozenInstanceError
from typing import Any, ClassVar, TypeVar, dataclass_transform

V = TypeVar("V", bound="FrozenValue")


@dataclass_transform(frozen_default=True)
class FrozenValue:
    """Base of a frozen value class; `kw_only=True` in the class line: keyword arguments only."""

    value_fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _kw_only: ClassVar[bool] = False

    def __init_subclass__(cls, *, kw_only: bool | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [
            name for name, hint in inspect.get_annotations(cls).items() if not _is_class_var(hint)
        ]
        defaults = dict(cls._defaults)
        for name in own:
            if name in cls.__dict__:
                defaults[name] = cls.__dict__[name]
            else:
                defaults.pop(name, None)
        names = (*cls.value_fields, *(n for n in own if n not in cls.value_fields))
        cls.value_fields = names
        cls._defaults = defaults
        if kw_only is not None:
            cls._kw_only = kw_only
        if not cls._kw_only:
            _check_order(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self.value_fields
        kind = type(self).__qualname__
        if args and self._kw_only:
            raise TypeError(f"{kind}() takes keyword arguments only")
        if len(args) > len(names):
            raise TypeError(f"{kind}() takes {len(names)} arguments, {len(args)} given")
        values = dict(zip(names, args, strict=False))
        for name, value in kwargs.items():
            if name not in names:
                raise TypeError(f"{kind}() got an unexpected keyword argument {name!r}")
            if name in values:
                raise TypeError(f"{kind}() got multiple values for argument {name!r}")
            values[name] = value
        for name in names:
            if name in values:
                object.__setattr__(self, name, values[name])
            elif name in self._defaults:
                object.__setattr__(self, name, self._defaults[name])
            else:
                raise TypeError(f"{kind}() missing required argument {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.value_fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.value_fields)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


def replace(value: V, **changes: Any) -> V:
    """A copy of VALUE with CHANGES, as dataclasses.replace; an unknown name is a TypeError."""
    current = {name: getattr(value, name) for name in value.value_fields}
    return type(value)(**{**current, **changes})


def _is_class_var(hint: object) -> bool:
    text = hint if isinstance(hint, str) else repr(hint)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _check_order(cls: type[FrozenValue]) -> None:
    """Positional fields: none without a default after one with, as dataclasses refuse."""
    seen_default = False
    for name in cls.value_fields:
        if name in cls._defaults:
            seen_default = True
        elif seen_default:
            raise TypeError(f"{cls.__qualname__}: {name!r} without a default follows a default")
