"""The grammar parser's on-disk readings: a sentence shape is chart-parsed once, then read back."""

from __future__ import annotations

import sqlite3

import pytest

from linc.parsing import grammar
from linc.parsing.grammar import GrammarParser
from linc.parsing.readings import ReadingStore

SENTENCES = ["If someone chases the bald eagle and they are blue then they visit the bear.", "Wumpuses are not shy.",
             "Bob is big.", "The cat does not chase Bob."]


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty cache directory and no readings in memory."""
    monkeypatch.setenv("LINC_CACHE_DIR", str(tmp_path))
    grammar._store.cache_clear()
    grammar._templates.cache_clear()
    yield tmp_path
    grammar._store.cache_clear()
    grammar._templates.cache_clear()


def _no_chart_parse(monkeypatch):
    def refuse(skeleton):
        raise AssertionError(f"chart-parsed {skeleton}")

    monkeypatch.setattr(grammar, "_parse_skeleton", refuse)


def test_readings_parsed_once_are_read_back_from_disk(fresh, monkeypatch):
    expected = [GrammarParser().parse(s) for s in SENTENCES]
    assert (fresh / "grammar-readings.sqlite").is_file()
    grammar._templates.cache_clear()  # as a new process (a forked worker, the next run) starts
    _no_chart_parse(monkeypatch)
    # another sentence of a shape already seen (names and adjectives differ) is not parsed either
    assert [GrammarParser().parse(s) for s in SENTENCES] == expected
    assert str(GrammarParser().parse("Anne is red.")) == "Red(anne)"


def test_another_grammar_does_not_see_the_readings(fresh):
    GrammarParser().parse("Bob is big.")
    mine = grammar._store()
    other = ReadingStore("another grammar", mine.path)
    skeleton = ("<W0>", "is", "<w2>")  # the first word may be a name
    assert mine.get(skeleton) is not None and other.get(skeleton) is None


def test_without_the_disk_cache_nothing_is_written(fresh):
    assert str(GrammarParser(disk_cache=False).parse("Bob is big.")) == "Big(bob)"
    assert not (fresh / "grammar-readings.sqlite").exists()


def test_a_cache_that_cannot_be_used_is_no_failure(fresh, monkeypatch, caplog):
    (fresh / "grammar-readings.sqlite").write_bytes(b"this is not a database" * 100)
    assert str(GrammarParser().parse("Bob is big.")) == "Big(bob)"
    assert "not cached on disk" in caplog.text
    grammar._store.cache_clear()
    grammar._templates.cache_clear()
    blocked = fresh / "file"
    blocked.write_text("")
    monkeypatch.setenv("LINC_CACHE_DIR", str(blocked / "sub"))  # a directory under a file
    assert str(GrammarParser().parse("Bob is red.")) == "Red(bob)"


def test_writes_are_not_flushed_one_by_one(fresh):
    """A readings file in WAL mode with synchronous=NORMAL: a write is not an fsync of its own (~10 ms,
    more than a parse) and the file stays consistent whatever happens to the process."""
    GrammarParser().parse("Bob is big.")
    db = sqlite3.connect(fresh / "grammar-readings.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store = grammar._store()
    assert store._connect().execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
