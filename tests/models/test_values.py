"""FrozenValue behaves as the frozen dataclasses it replaced (models/values.py)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import ClassVar

import pytest

from backroom.models.values import FrozenValue, replace


class Bin(FrozenValue, kw_only=True):
    kind: ClassVar[str] = "bin"
    warnings: tuple[str, ...] = ()


class Shelf(Bin):
    code: str
    level: int = 1


class Pallet(FrozenValue):
    sscc: str
    count: int = 0


def test_fields_defaults_equality_hash_and_repr_are_a_dataclasss():
    shelf = Shelf(code="A-01")
    assert Shelf.value_fields == ("warnings", "code", "level")
    assert shelf == Shelf(code="A-01", level=1, warnings=())
    assert shelf != Shelf(code="A-01", level=2)
    assert hash(shelf) == hash(Shelf(code="A-01"))
    assert repr(shelf) == "Shelf(warnings=(), code='A-01', level=1)"
    assert Pallet("1234", 3) == Pallet(sscc="1234", count=3)
    assert Pallet("1234") != ("1234", 0)


def test_a_field_cannot_be_changed_only_replaced():
    shelf = Shelf(code="A-01")
    with pytest.raises(FrozenInstanceError):
        shelf.level = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del shelf.code
    assert replace(shelf, level=2) == Shelf(code="A-01", level=2)
    assert shelf.level == 1
    with pytest.raises(TypeError, match="unexpected keyword argument 'aisle'"):
        replace(shelf, aisle="A")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Shelf("A-01"), "keyword arguments only"),
        (lambda: Shelf(), "missing required argument 'code'"),
        (lambda: Pallet("1", 2, 3), "takes 2 arguments, 3 given"),
        (lambda: Pallet("1", sscc="2"), "multiple values for argument 'sscc'"),
    ],
)
def test_wrong_arguments_are_refused_as_a_dataclass_refuses_them(build, message):
    with pytest.raises(TypeError, match=message):
        build()


def test_a_positional_field_without_a_default_after_one_with_is_refused():
    with pytest.raises(TypeError, match="'b' without a default follows a default"):

        class Wrong(FrozenValue):
            a: int = 0
            b: int
