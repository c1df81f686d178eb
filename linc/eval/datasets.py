"""Dataset readers: files (FOLIO / linc JSONL, Logic-LM JSON) and registered names → :class:`Dataset`.

A reader never stops at one bad record: it keeps the problems it could read and reports each
record it could not as a :class:`DatasetIssue` with its line number, so a single malformed line
costs one problem, not the run. Readers are plugins (entry-point group ``linc.datasets``): a
third-party format registers the same way the built-in ones do.

>>> problem_from_record({"premises": ["Bob is big."], "conclusion": "Bob is big.", "label": "Unknown"}, "p1").label
'Uncertain'
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Iterable, Iterator

from linc.errors import DatasetError
from linc.parsing.base import Problem

__all__ = [
    "Dataset",
    "DatasetIssue",
    "DatasetReader",
    "JsonlReader",
    "LogicLMReader",
    "load_dataset",
    "normalise_label",
    "problem_from_record",
    "read_file",
]

_LABELS = {"true": "True", "false": "False", "uncertain": "Uncertain", "unknown": "Uncertain"}
# Fields that become Problem attributes; every other field of a record is kept in Problem.meta.
_CORE_FIELDS = {"id", "premises", "conclusion", "label", "premises-FOL", "conclusion-FOL"}
_DEPTH_IN_ID = re.compile(r"[-_]D([0-9]{1,9})[-_]")
_DEPTH = re.compile(r"[0-9]{1,9}")


@dataclass
class DatasetIssue:
    """A record that could not be read: where it is (1-based line) and why."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Dataset:
    """Problems read from one source, plus the records that could not be read."""

    name: str
    problems: list[Problem]
    issues: list[DatasetIssue] = field(default_factory=list)
    source: str = ""
    # Default options per parser name that this data needs to be read as its authors meant it
    # (ProofWriter's labels follow its own open-world semantics, not classical negation).
    parser_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The logic its gold labels follow: "classical", or "proofwriter" (see declare_semantics).
    semantics: str = "classical"

    def declare_semantics(self, semantics: str) -> "Dataset":
        """Say which logic the gold labels follow; the parsers that can read with it are told so."""
        if semantics not in SEMANTICS:
            raise DatasetError(f"unknown semantics {semantics!r} for {self.source or self.name}; known: {', '.join(SEMANTICS)}")
        self.semantics = semantics
        self.parser_options = {**self.parser_options, **SEMANTICS[semantics]}
        return self

    @property
    def has_gold_fol(self) -> bool:
        return any(p.premises_fol is not None and p.conclusion_fol is not None for p in self.problems)

    @property
    def has_generations(self) -> bool:
        return any(p.meta.get("generations") for p in self.problems)

    def head(self, limit: int | None) -> "Dataset":
        """The first ``limit`` problems (all of them when ``limit`` is None)."""
        if limit is None:
            return self
        return Dataset(self.name, self.problems[: max(limit, 0)], self.issues, self.source, self.parser_options, self.semantics)


class DatasetReader(ABC):
    """Base class of dataset plugins.

    A file format sets ``suffixes`` and implements :meth:`sniff` so a bare path finds its reader;
    a named dataset (a pinned Hub dataset, say) needs no source and ignores it.
    """

    name: ClassVar[str] = "dataset"
    description: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()
    needs_source: ClassVar[bool] = True

    def sniff(self, path: Path, head: str) -> bool:
        """Can this reader read ``path``, whose first characters are ``head``?"""
        return path.suffix.lower() in self.suffixes

    @abstractmethod
    def load(self, source: str | None = None) -> Dataset:
        """Read every problem; raise :class:`DatasetError` only when nothing can be read."""


# ---------------------------------------------------------------- records → problems


def normalise_label(value: Any) -> str:
    """A gold label as ``True`` / ``False`` / ``Uncertain`` (FOLIO train and ProofWriter say ``Unknown``)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    label = _LABELS.get(str(value).strip().lower())
    if label is None:
        raise ValueError(f"unknown label {value!r} (expected True, False, Uncertain or Unknown)")
    return label


def _lines(value: Any, what: str) -> list[str]:
    """A list of sentences or formulas; a string holds one per line (FOLIO on the Hub)."""
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError(f"'{what}' must be a list of strings")


def _depths(record: dict[str, Any], problem_id: str) -> dict[str, int]:
    """``depth``: the question's own proof depth, when the record has it (ProofWriter's ``QDep``);
    ``theory_depth``: the depth a ProofWriter id names (``-D5-``), that of the theory's deepest
    question, which Logic-LM style files keep instead."""
    depths = {}
    for key in ("depth", "QDep", "qdep"):
        # a depth is a small whole number; anything else stays in meta as written, the record is kept
        if isinstance(record.get(key), (int, str)) and _DEPTH.fullmatch(str(record[key])):
            depths["depth"] = int(record[key])
            break
    found = _DEPTH_IN_ID.search(problem_id)
    if found:
        depths["theory_depth"] = int(found.group(1))
    return depths


def problem_from_record(record: Any, default_id: str) -> Problem:
    """One record of the linc / FOLIO JSONL format as a :class:`Problem`; ``ValueError`` says what is wrong."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    for key in ("premises", "conclusion"):
        if key not in record:
            raise ValueError(f"missing field '{key}'")
    premises = _lines(record["premises"], "premises")
    if not isinstance(record["conclusion"], str) or not record["conclusion"].strip():
        raise ValueError("'conclusion' must be a non-empty string")
    label = normalise_label(record["label"]) if record.get("label") is not None else None
    premises_fol = _lines(record["premises-FOL"], "premises-FOL") if record.get("premises-FOL") is not None else None
    conclusion_fol = record.get("conclusion-FOL")
    if conclusion_fol is not None and not isinstance(conclusion_fol, str):
        raise ValueError("'conclusion-FOL' must be a string")
    generations = record.get("generations")
    if generations is not None and not (isinstance(generations, list) and all(isinstance(g, str) for g in generations)):
        raise ValueError("'generations' must be a list of strings")
    raw_id = record.get("id", record.get("example_id"))
    problem_id = str(raw_id) if raw_id is not None and str(raw_id) else default_id
    meta = {k: v for k, v in record.items() if k not in _CORE_FIELDS}
    meta.update(_depths(record, problem_id))
    return Problem(
        premises=premises,
        conclusion=record["conclusion"].strip(),
        id=problem_id,
        label=label,
        premises_fol=premises_fol,
        conclusion_fol=conclusion_fol,
        meta=meta,
    )


def unique_ids(problems: list[tuple[int, Problem]], where: str = "line") -> list[Problem]:
    """Ids must be unique (results are resumed by id): a repeated id gets ``@line N`` appended.

    A renamed id must not collide with an id the data itself uses (``x``, ``x@line3``, ``x``),
    nor with another renamed one: every original id is reserved first, and a taken candidate gets
    ``.2``, ``.3``, ... after it. The result depends only on the data, so a resumed run sees the
    same ids."""
    reserved = {problem.id for _, problem in problems}
    taken: set[str] = set()
    out = []
    for number, problem in problems:
        if problem.id in taken:
            base = f"{problem.id}@{where}{number}"
            candidate, n = base, 1
            while candidate in reserved or candidate in taken:
                n += 1
                candidate = f"{base}.{n}"
            problem.id = candidate
        taken.add(problem.id)
        out.append(problem)
    return out


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise DatasetError(f"{path} is a folder, not a file") from None
    except OSError as err:
        raise DatasetError(f"cannot read {path}: {err.strerror or err}") from None
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data  # a byte-order mark


def _not_utf8(data: bytes, err: UnicodeDecodeError) -> str:
    """Where in ``data`` (one line or a whole file) the bytes ``err`` found are, as 'line L, column C'."""
    line = data.count(b"\n", 0, err.start) + 1
    column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
    return f"line {line}: not UTF-8 (byte 0x{data[err.start]:02x} at column {column}); save the file as UTF-8"


def _read_text(path: Path) -> str:
    data = _read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DatasetError(f"{path}: {_not_utf8(data, err)}") from None


_TOO_DEEP = "not JSON: nested too deeply"


def _head(path: Path) -> str:
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            return handle.read(4096)
    except OSError as err:
        raise DatasetError(f"cannot read {path}: {err}") from None


def _finish(name: str, path: Path, rows: list[tuple[int, Problem]], issues: list[DatasetIssue]) -> Dataset:
    if not rows:
        first = f"; first problem: {issues[0]}" if issues else ""
        raise DatasetError(f"{path} holds no readable problem{first}")
    return Dataset(name, unique_ids(rows), issues, str(path))


# ---------------------------------------------------------------- built-in readers


def _one_array(data: bytes) -> bool:
    """Does ``data`` hold one JSON array rather than JSON lines? Not when its first line is a
    whole JSON value with more lines after it: that is a JSON-lines file with a bad first record."""
    lines = [line for line in data.split(b"\n") if line.strip()]
    if not lines or not lines[0].lstrip().startswith(b"["):
        return False
    try:
        json.loads(lines[0])
    except (ValueError, RecursionError):
        return True
    return len(lines) == 1


class JsonlReader(DatasetReader):
    """FOLIO and linc JSONL: one problem per line (``premises``, ``conclusion``, ``label``,
    optional gold ``premises-FOL`` / ``conclusion-FOL`` and recorded ``generations``)."""

    name = "jsonl"
    description = "FOLIO / linc JSONL (premises, conclusion, label, optional FOL and generations)"
    suffixes = (".jsonl", ".ndjson")

    def sniff(self, path: Path, head: str) -> bool:
        """A ``.jsonl`` file, or a ``.json`` one that holds JSON lines (a JSON file starts with
        ``[``; FOLIO's files are often saved as ``.json``)."""
        return super().sniff(path, head) or path.suffix.lower() == ".json" and head.lstrip().startswith("{")

    def load(self, source: str | None = None) -> Dataset:
        if not source:
            raise DatasetError("the jsonl reader needs a file")
        path = Path(source)
        rows: list[tuple[int, Problem]] = []
        issues: list[DatasetIssue] = []
        data = _read_bytes(path)
        if _one_array(data):
            raise DatasetError(f"{path} holds one JSON array, not JSON lines (one problem per line); "
                               f"a Logic-LM file reads with logiclm:{path}")
        # split at '\n' alone: JSON text may hold U+2028 and the other breaks str.splitlines knows
        for number, raw in enumerate(data.split(b"\n"), 1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                issues.append(DatasetIssue(number, _not_utf8(raw, err).partition(": ")[2]))
                continue
            try:
                rows.append((number, problem_from_record(json.loads(line), f"{path.stem}:{number}")))
            except json.JSONDecodeError as err:
                issues.append(DatasetIssue(number, f"not JSON: {err.msg} (column {err.colno})"))
            except RecursionError:
                issues.append(DatasetIssue(number, _TOO_DEEP))
            except ValueError as err:
                issues.append(DatasetIssue(number, str(err)))
        return _finish(self.name, path, rows, issues)


_STATEMENT = re.compile(
    r"is the following statement true,?\s*(?:or\s+)?false(?:,?\s*or\s+(?:unknown|uncertain))?\?\s*(.+)$",
    re.IGNORECASE | re.DOTALL,
)
_OPTION = re.compile(r"^\s*\(?([A-Z])\)\s*(.+?)\s*$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_DEFAULT_OPTIONS = {"A": "True", "B": "False", "C": "Uncertain"}
#: Parser options per semantics. ProofWriter's answers were computed with rules that fire
#: forwards only and negation as a fact of its own; the grammar parser can read it that way.
SEMANTICS: dict[str, dict[str, dict[str, Any]]] = {"classical": {}, "proofwriter": {"grammar": {"semantics": "proofwriter"}}}
_PROOFWRITER_ID = re.compile(r"proofwriter[-_:]", re.IGNORECASE)


def _json_items(text: str) -> Iterator[tuple[int, Any]]:
    """(line, item) for each item of a top-level JSON array, so errors can name a line. Lines are
    counted as the reading moves on (from the last position, not from the start of the file),
    so a file of N items is read in time linear in its size."""
    decoder = json.JSONDecoder()
    lines = _LineCounter(text)
    pos = _skip(text, 0)
    if text[pos : pos + 1] != "[":
        raise _BrokenArray(lines.at(pos), "expected a JSON array of problems")
    pos = _skip(text, pos + 1)
    if text[pos : pos + 1] == "]":
        return
    while True:
        line = lines.at(pos)
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            raise _BrokenArray(err.lineno, f"not JSON: {err.msg} (column {err.colno})") from None
        except RecursionError:
            raise _BrokenArray(line, _TOO_DEEP) from None
        yield line, item
        pos = _skip(text, pos)
        if text[pos : pos + 1] == "]":
            return
        if text[pos : pos + 1] != ",":
            raise _BrokenArray(lines.at(pos), "expected ',' or ']' in the array")
        pos = _skip(text, pos + 1)


class _BrokenArray(DatasetError):
    """Where a JSON array stops being readable: its ``line`` and why."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(f"line {line}: {message}")


class _LineCounter:
    """The 1-based line of a position in ``text``, for positions asked in increasing order."""

    def __init__(self, text: str):
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def logiclm_problem(item: Any, default_id: str) -> Problem:
    """One Logic-LM item (``context``, ``question``, ``options``, ``answer`` letter) as a Problem."""
    if not isinstance(item, dict):
        raise ValueError(f"expected a JSON object, got {type(item).__name__}")
    context, question = item.get("context"), item.get("question")
    if not isinstance(context, str) or not isinstance(question, str):
        raise ValueError("'context' and 'question' must be strings")
    found = _STATEMENT.search(question.strip())
    if found is None:
        raise ValueError("the question does not ask whether a statement is true, false or unknown")
    options = dict(_DEFAULT_OPTIONS)
    if not isinstance(item.get("options") or [], list):
        raise ValueError("'options' must be a list of strings such as 'A) True'")
    for option in item.get("options") or []:
        parsed = _OPTION.match(str(option))
        if parsed is None:
            raise ValueError(f"unreadable option {option!r}")
        options[parsed.group(1)] = parsed.group(2)
    label = None
    if item.get("answer") is not None:
        answer = str(item["answer"]).strip().strip("()")
        if answer not in options:
            raise ValueError(f"answer {item['answer']!r} is not one of the options {sorted(options)}")
        label = normalise_label(options[answer])
    problem_id = str(item.get("id") or default_id)
    meta = {k: v for k, v in item.items() if k not in {"id", "context", "question", "options", "answer"}}
    meta.update(_depths(item, problem_id))
    premises = [s.strip() for s in _SENTENCE.split(context.strip()) if s.strip()]
    return Problem(premises=premises, conclusion=found.group(1).strip(), id=problem_id, label=label, meta=meta)


class LogicLMReader(DatasetReader):
    """Logic-LM style JSON (ProofWriter, FOLIO, ProntoQA as Logic-LM distributes them)."""

    name = "logiclm"
    description = "Logic-LM JSON array (context, question, options, answer letter)"
    suffixes = (".json",)

    def sniff(self, path: Path, head: str) -> bool:
        return path.suffix.lower() in self.suffixes and '"context"' in head

    def load(self, source: str | None = None) -> Dataset:
        if not source:
            raise DatasetError("the logiclm reader needs a file")
        path = Path(source)
        rows: list[tuple[int, Problem]] = []
        issues: list[DatasetIssue] = []
        try:
            for index, (line, item) in enumerate(_json_items(_read_text(path)), 1):
                try:
                    rows.append((line, logiclm_problem(item, f"{path.stem}:{index}")))
                except ValueError as err:
                    issues.append(DatasetIssue(line, str(err)))
        except _BrokenArray as err:
            if not rows:
                raise DatasetError(f"{path}: {err}") from None
            issues.append(DatasetIssue(err.line, f"{err.message} (the rest of the file was not read)"))
        return _finish(self.name, path, rows, issues)


# ---------------------------------------------------------------- resolving DATASET


def _readers() -> dict[str, DatasetReader]:
    """Every registered dataset plugin, instantiated (a class is created with no arguments)."""
    from linc import plugins

    found = {}
    for name in plugins.names("dataset"):
        obj = plugins.get_dataset(name)
        try:
            reader = obj() if isinstance(obj, type) else obj
        except TypeError:  # a plugin that cannot be created bare is not a reader; leave it out
            continue
        if callable(getattr(reader, "load", None)):
            found[name] = reader
    return found


def _known(readers: Iterable[str]) -> str:
    return ", ".join(sorted(readers)) or "none"


def load_dataset(spec: str, limit: int | None = None) -> Dataset:
    """Resolve ``spec`` — a file, ``FORMAT:FILE``, or a registered dataset ``NAME[:SPLIT]`` — and read it.

    Raises :class:`DatasetError` for a missing file or an unknown name; the message lists the
    registered datasets and formats.
    """
    return _settle_semantics(_load(spec)).head(limit)


def _settle_semantics(data: Dataset) -> Dataset:
    """A semantics the reader declared stands; else the records' own ``semantics`` field (all that
    have one must agree); else ProofWriter problems (every id ``proofwriter-…``, as in LINC's and
    Logic-LM's files) are recognised as such."""
    if data.semantics != "classical":
        return data.declare_semantics(data.semantics)
    declared = {str(p.meta["semantics"]) for p in data.problems if p.meta.get("semantics") is not None}
    if len(declared) > 1:
        raise DatasetError(f"{data.source}: records declare different semantics ({', '.join(sorted(declared))}); one file, one logic")
    if declared:
        return data.declare_semantics(declared.pop())
    if all(_PROOFWRITER_ID.match(p.id) for p in data.problems):
        return data.declare_semantics("proofwriter")
    return data


def _load(spec: str) -> Dataset:
    if not spec.strip():
        raise DatasetError("no dataset given: name a file, FORMAT:FILE or a registered dataset")
    readers = _readers()
    path = Path(spec).expanduser()
    name, _, rest = spec.partition(":")
    base, at, revision = name.partition("@")
    if at and base in readers and not readers[base].needs_source:  # NAME@REVISION[:SPLIT]
        name, rest = base, f"{rest}@{revision}"
    if name in readers and not path.is_file():
        reader = readers[name]
        if not reader.needs_source:
            return reader.load(rest or None)
        if rest:
            return reader.load(rest)
    if path.is_file():
        return read_file(path, readers)
    if path.exists():
        raise DatasetError(f"{path} is not a file")
    named = [n for n, r in readers.items() if not r.needs_source]
    if path.suffix or "/" in spec or "\\" in spec:
        raise DatasetError(f"no such file: {spec} (or give a registered dataset: {_known(named)})")
    raise DatasetError(f"unknown dataset {spec!r}: not a file, and not a registered dataset (known: {_known(named)}; formats: {_known(set(readers) - set(named))})")


def read_file(path: Path, readers: dict[str, DatasetReader] | None = None) -> Dataset:
    """Read a file with the first file reader that recognises it."""
    readers = readers if readers is not None else _readers()
    head = _head(path)
    for reader in readers.values():
        if reader.needs_source and reader.sniff(path, head):
            return reader.load(str(path))
    formats = [n for n, r in readers.items() if r.needs_source]
    raise DatasetError(f"no reader recognises {path}; say which with FORMAT:{path} (formats: {_known(formats)})")
