"""Write then read gives the same formula, for every syntax linc both writes and reads."""

from __future__ import annotations

from hypothesis import given, settings

from linc.logic import alpha_normalize, parse, to_folio, to_nltk
from linc.logic.names import SymbolTable, TPTP
from tests.logic.strategies import formulas


@settings(max_examples=300, deadline=None)
@given(formulas())
def test_folio_roundtrip(f):
    assert parse(to_folio(f), syntax="folio") == f


@settings(max_examples=300, deadline=None)
@given(formulas(xor=False))
def test_nltk_roundtrip(f):
    assert parse(to_nltk(f), syntax="nltk") == f


@settings(max_examples=300, deadline=None)
@given(formulas(xor=False))
def test_lenient_reading_of_clean_output_repairs_nothing(f):
    from linc.logic import parse_lenient

    formula, repairs = parse_lenient(to_nltk(f))
    assert formula == f and repairs == []


@settings(max_examples=200, deadline=None)
@given(formulas())
def test_alpha_normalize_is_idempotent_and_ignores_bound_names(f):
    g = alpha_normalize(f)
    assert alpha_normalize(g) == g


def test_symbol_table_is_injective_and_safe():
    table = SymbolTable(TPTP)
    names = ["Bob", "bob", "end_of_list.", "#eval", "fof", "x y", "Świątek", "Swiatek"]
    out = [table.name("constant", n) for n in names]
    assert len(set(out)) == len(out)
    for n, o in zip(names, out):
        assert o[0].islower() and o.replace("_", "").isalnum() and o.isascii()
        assert table.original(o) == n
