"""Does linc read the same translations written the way other models write them?

linc is judged on recorded outputs of models we do not have (GPT-4, Claude, Llama, StarCoder...),
which write the same content in other surface styles: Markdown fences, ``**FOL:**``, numbered
pairs, Unicode operators, ``forall``, ``!``/``&&``, a full stop after each formula, commentary,
Windows line endings. A style the reader does not accept turns a right translation into an
``Error`` vote.

Each style below is a small, deterministic, meaning-preserving rewrite of a completion. Every
recorded GPT-3.5 completion (the four shared FOLIO recordings) is rewritten in each style and
replayed exactly as ``linc eval FILE --parser replay --workers 1 --no-translation`` does (the
same configuration, :func:`linc.eval.runner.evaluate` in this process; one reasoner serves every
style, as one worker's serves every problem of a run, so equal FOL problems are decided once), and
for each style the
benchmark prints the problems answered right (of 182) per shot count, the share of ``Error``
votes, and the difference to the unmodified recordings measured in the same run. A style is
listed as ``ambiguous`` when linc must refuse it (it has two readings): there, ``Error`` votes
are the right answer.

    python benchmarks/completion_styles.py [--shots 1 8] [--limit 60] [--styles fence-whole CRLF]
                                           [--data ../shared/data] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Callable

from linc import plugins
from linc.eval.command import choose_config
from linc.eval.datasets import Dataset, load_dataset
from linc.eval.report import summarise
from linc.eval.runner import EvalConfig, evaluate
from linc.logic.syntax import lexer_for
from linc.reasoning import Reasoner

RECORDING = "linc-recorded/gpt-3.5-turbo-16k-0613_folio-neurosymbolic-{}shot.jsonl"
SHOTS = (1, 2, 4, 8)

_FOL_LINE = re.compile(r"^FOL:[ \t]*(?P<formula>.*?)[ \t]*$", re.MULTILINE)
_TEXT_LINE = re.compile(r"^TEXT:[ \t]*", re.MULTILINE)

# ---------------------------------------------------------------- rewriting formulas, token by token


def _tokens(formula: str) -> list[tuple[str, str]]:
    """(kind, exact text with the white space after it) of each token, as the lenient NLTK lexer
    splits the formula: rewrites touch operators only, never names."""
    tokens = lexer_for("nltk", lenient=True).tokenize(formula, [])
    starts = tokens.starts
    return [(tokens.kinds[i], formula[starts[i]:starts[i + 1]]) for i in range(len(tokens.kinds) - 1)]


def _respell(formula: str, spellings: dict[str, str]) -> str:
    """``formula`` with each operator token of a kind in ``spellings`` written that way; a '-'
    right after a name (``Asia-Pacific``) is part of the name and stays."""
    out = []
    after_name = False
    for kind, piece in _tokens(formula):
        if kind in spellings and not (kind == "NOT" and after_name):
            token = piece.rstrip()
            piece = spellings[kind] + piece[len(token):]
        out.append(piece)
        after_name = kind == "NAME" and piece == piece.rstrip()
    return "".join(out)


def _quantifiers(formula: str, symbol: dict[str, str], dot: bool, close: str = "") -> str:
    """``all x y.`` written ``∀x ∀y`` (``symbol`` per kind; ``dot``: keep NLTK's '.' after the
    variables; ``close``: written after each variable)."""
    toks = _tokens(formula)
    out, i = [], 0
    while i < len(toks):
        kind, piece = toks[i]
        if kind in ("ALL", "EXISTS") and i + 1 < len(toks) and toks[i + 1][0] == "NAME":
            names, j = [], i + 1
            while j < len(toks) and toks[j][0] in ("NAME", "COMMA"):
                if toks[j][0] == "NAME":
                    names.append(toks[j][1].strip())
                j += 1
            if j < len(toks) and toks[j][0] == "DOT":
                binder = ("" if close == ")" else " ").join(symbol[kind] + name + close for name in names)
                out.append(binder + (toks[j][1] if dot else " "))
                i = j + 1
                continue
        out.append(piece)
        i += 1
    return "".join(out)


def _joined_binders(formula: str) -> str:
    """``all x. all y.`` written ``all x y.`` (NLTK's own multi-variable binder)."""
    toks = _tokens(formula)
    out: list[str] = []
    i = 0
    while i < len(toks):
        kind, piece = toks[i]
        if kind in ("ALL", "EXISTS") and [k for k, _ in toks[i + 1:i + 3]] == ["NAME", "DOT"]:
            names = [toks[i + 1][1].strip()]
            j = i + 3
            while [k for k, _ in toks[j:j + 3]] == [kind, "NAME", "DOT"]:
                names.append(toks[j + 1][1].strip())
                j += 3
            out.append(f"{piece.strip()} {' '.join(names)}{toks[j - 1][1]}")
            i = j
            continue
        out.append(piece)
        i += 1
    return "".join(out)


def _xor(formula: str) -> str:
    """``-(A <-> B)`` (how the LINC prompt asks for "either ... or ... but not both") as ``(A ⊕ B)``,
    when the group's only connective at its top level is that one ``<->``."""
    toks = _tokens(formula)
    out: list[str] = []
    i = 0
    while i < len(toks):
        kind, piece = toks[i]
        if kind == "NOT" and i + 1 < len(toks) and toks[i + 1][0] == "LP":
            level, iff, other, j = 0, None, False, i + 1
            while j < len(toks):
                k = toks[j][0]
                level += k == "LP"
                level -= k == "RP"
                if level == 0:
                    break
                if level == 1 and k == "IFF":
                    other = other or iff is not None
                    iff = j
                elif level == 1 and k in ("AND", "OR", "IMP", "XOR"):
                    other = True
                j += 1
            if j < len(toks) and iff is not None and not other:
                left = "".join(p for _, p in toks[i + 2:iff]).strip()
                right = "".join(p for _, p in toks[iff + 1:j]).strip()
                trailing = toks[j][1][1:]
                out.append(f"({_xor(left)} ⊕ {_xor(right)})" + trailing)
                i = j + 1
                continue
        out.append(piece)
        i += 1
    return "".join(out)


def on_formulas(rewrite: Callable[[str], str]) -> Callable[[str], str]:
    """A completion rewrite that applies ``rewrite`` to the formula of every ``FOL:`` line."""
    def apply(completion: str) -> str:
        return _FOL_LINE.sub(lambda m: m.group(0).replace(m.group("formula"), rewrite(m.group("formula")), 1)
                             if m.group("formula") else m.group(0), completion)
    apply.__doc__ = rewrite.__doc__
    return apply


# ---------------------------------------------------------------- the styles

UNICODE = {"NOT": "¬", "AND": "∧", "OR": "∨", "IMP": "→", "IFF": "↔"}
QUANTIFIERS = {"ALL": "∀", "EXISTS": "∃"}


def unicode_folio(f: str) -> str:
    """FOLIO's Unicode syntax: ``∀x (P(x) → ¬Q(x))``, ``⊕`` for "either or but not both"."""
    return _quantifiers(_respell(_xor(f), UNICODE), QUANTIFIERS, dot=False)


def unicode_operators(f: str) -> str:
    """Unicode connectives and quantifiers in NLTK's layout: ``∀x.(P(x) → ¬Q(x))``."""
    return _quantifiers(_respell(f, UNICODE), QUANTIFIERS, dot=True)


def ascii_folio_layout(f: str) -> str:
    """The reverse: NLTK's ASCII operators in FOLIO's layout, no '.' after the variable: ``all x (P(x) -> Q(x))``."""
    return _quantifiers(f, {"ALL": "all ", "EXISTS": "exists "}, dot=False)


def forall_exists(f: str) -> str:
    """``forall x.`` for ``all x.``."""
    return _quantifiers(f, {"ALL": "forall ", "EXISTS": "exists "}, dot=True)


def c_operators(f: str) -> str:
    """C-like connectives: ``!``, ``&&``, ``||``, ``=>``, ``<=>``."""
    return _respell(f, {"NOT": "!", "AND": "&&", "OR": "||", "IMP": "=>", "IFF": "<=>"})


def tilde_negation(f: str) -> str:
    """``~`` for negation (TPTP, Prolog, many textbooks)."""
    return _respell(f, {"NOT": "~"})


def trailing_period(f: str) -> str:
    """A full stop after each formula."""
    return f + "."


def trailing_semicolon(f: str) -> str:
    """A semicolon after each formula."""
    return f + ";"


def parenthesised_quantifiers(f: str) -> str:
    """Textbook quantifiers: ``(∀x)(P(x) → Q(x))``."""
    return _quantifiers(_respell(f, UNICODE), {"ALL": "(∀", "EXISTS": "(∃"}, dot=False, close=")")


def colon_quantifiers(f: str) -> str:
    """A colon after the variable: ``∀x: (P(x) → Q(x))``."""
    return _quantifiers(_respell(f, UNICODE), QUANTIFIERS, dot=False, close=":")


def long_arrows(f: str) -> str:
    """Long arrows: ``⟶`` and ``⟷``."""
    return unicode_folio(f).replace("→", "⟶").replace("↔", "⟷")


def classical_symbols(f: str) -> str:
    """Older textbook symbols: ``⊃`` for implication, ``≡`` for equivalence, ``⊻`` for exclusive or."""
    return unicode_folio(f).replace("→", "⊃").replace("↔", "≡").replace("⊕", "⊻")


def hash_comment(f: str) -> str:
    """A comment after each formula, as code models write one: ``all x. ...  # premise``."""
    return f + "  # the sentence above"


def slash_comment(f: str) -> str:
    """A C-style comment after each formula."""
    return f + "  // the sentence above"


def quoted(f: str) -> str:
    """Each formula in double quotes, as in JSON-minded answers."""
    return f'"{f}"'


LATEX = {"NOT": "\\neg ", "AND": "\\land", "OR": "\\lor", "IMP": "\\rightarrow", "IFF": "\\leftrightarrow"}


def latex(f: str) -> str:
    """LaTeX between dollars: ``$\\forall x (P(x) \\rightarrow Q(x))$``."""
    return "$" + _quantifiers(_respell(f, LATEX), {"ALL": "\\forall ", "EXISTS": "\\exists "}, dot=False) + "$"


def backticks(f: str) -> str:
    """Each formula in inline code: ``FOL: `all x. ...```."""
    return f"`{f}`"


def _tag(new: str) -> Callable[[str], str]:
    def apply(completion: str) -> str:
        return _FOL_LINE.sub(lambda m: new + m.group("formula"), completion)
    return apply


def fence_whole(c: str) -> str:
    """The whole answer in a Markdown code block, with a sentence before it."""
    return "Here is the translation:\n\n```\n" + c.rstrip("\n") + "\n```\n"


def fence_each(c: str) -> str:
    """Each formula in its own fenced block under an empty ``FOL:`` line."""
    return _FOL_LINE.sub(lambda m: "FOL:\n```\n" + m.group("formula") + "\n```", c)


def bold_tags(c: str) -> str:
    """``**TEXT:**`` and ``**FOL:**``."""
    return _TEXT_LINE.sub("**TEXT:** ", _tag("**FOL:** ")(c))


def numbered_pairs(c: str) -> str:
    """``1. TEXT: ...`` then an indented ``FOL: ...`` per pair."""
    count = iter(range(1, 10_000))
    return _FOL_LINE.sub(lambda m: "   FOL: " + m.group("formula"),
                         _TEXT_LINE.sub(lambda m: f"{next(count)}. TEXT: ", c))


def blank_lines(c: str) -> str:
    """A blank line between pairs."""
    return _FOL_LINE.sub(lambda m: m.group(0) + "\n", c)


def commentary(c: str) -> str:
    """A comment after each pair and a closing sentence after the last one."""
    lines = _FOL_LINE.sub(lambda m: m.group(0) + "\nThis formula captures the sentence above.", c)
    return lines.rstrip("\n") + "\n\nThese formulas can now be given to a theorem prover.\n"


def crlf(c: str) -> str:
    """Windows line endings."""
    return c.replace("\r\n", "\n").replace("\n", "\r\n")


def evaluate_tags(c: str) -> str:
    """The answer between the ``<EVALUATE>`` tags of the LINC prompt."""
    return "<EVALUATE>\n" + c.rstrip("\n") + "\n</EVALUATE>\n"


def wrapped(c: str) -> str:
    """A long formula broken after its first connective inside parentheses, the rest indented
    on the next line (as a pretty-printer or a code block does)."""
    def wrap(m: re.Match) -> str:
        formula = m.group("formula")
        level, cut = 0, 0
        for kind, piece in _tokens(formula):
            level += (kind == "LP") - (kind == "RP")
            cut += len(piece)
            if level > 0 and kind in ("AND", "OR", "IMP", "IFF") and len(formula) >= 40:
                return "FOL:\t" + formula[:cut].rstrip() + "\n        " + formula[cut:]
        return m.group(0)
    return _FOL_LINE.sub(wrap, c)


def fol_only(c: str) -> str:
    """Only the ``FOL:`` lines, no ``TEXT:`` lines."""
    return "\n".join(line for line in c.split("\n") if not line.startswith("TEXT:"))


AMBIGUOUS = "ambiguous: must stay an error"
#: name -> (rewrite of a completion, what to expect where it is not read as written)
STYLES: dict[str, tuple[Callable[[str], str], str]] = {
    "unmodified": (lambda c: c, ""),
    "fence-whole": (fence_whole, ""),
    "fence-each": (fence_each, ""),
    "backticks-each": (on_formulas(backticks), ""),
    "FOL: (space)": (_tag("FOL: "), ""),
    "FOL:    (spaces)": (_tag("FOL:    "), ""),
    "FOL :": (_tag("FOL : "), ""),
    "**FOL:**": (bold_tags, ""),
    "FOL – (en dash)": (_tag("FOL – "), ""),
    "FOL - (hyphen)": (_tag("FOL - "), AMBIGUOUS),
    "numbered pairs": (numbered_pairs, ""),
    "FOL only": (fol_only, ""),
    "blank lines": (blank_lines, ""),
    "commentary": (commentary, ""),
    "CRLF": (crlf, ""),
    "<EVALUATE> tags": (evaluate_tags, ""),
    "Unicode (FOLIO)": (on_formulas(unicode_folio), ""),
    "Unicode, NLTK layout": (on_formulas(unicode_operators), ""),
    "ASCII, FOLIO layout": (on_formulas(ascii_folio_layout), ""),
    "forall x.": (on_formulas(forall_exists), ""),
    "all x y.": (on_formulas(_joined_binders), ""),
    "! && || => <=>": (on_formulas(c_operators), ""),
    "~ negation": (on_formulas(tilde_negation), ""),
    "(∀x)(...)": (on_formulas(parenthesised_quantifiers), ""),
    "∀x: ...": (on_formulas(colon_quantifiers), ""),
    "⟶ ⟷": (on_formulas(long_arrows), ""),
    "⊃ ≡ ⊻": (on_formulas(classical_symbols), ""),
    "wrapped lines": (wrapped, ""),
    "# comment": (on_formulas(hash_comment), ""),
    "// comment": (on_formulas(slash_comment), ""),
    '"quoted"': (on_formulas(quoted), "a formula holding double quotes itself stays as written"),
    "LaTeX": (on_formulas(latex), ""),
    "trailing .": (on_formulas(trailing_period), ""),
    "trailing ;": (on_formulas(trailing_semicolon), ""),
}


def restyled(dataset: Dataset, rewrite: Callable[[str], str]) -> Dataset:
    """``dataset`` with every recorded completion rewritten."""
    problems = [replace(p, meta={**p.meta, "generations": [rewrite(g) for g in p.meta.get("generations") or []]})
                for p in dataset.problems]
    return replace(dataset, problems=problems)


class OneReasoner(EvalConfig):
    """``linc eval``'s configuration, with one reasoner kept across the styles, as one worker keeps
    its reasoner across the problems of a run: a FOL problem decided in one style is not decided
    again in the next. Each style gets a fresh parser (its replay model learns that style's
    completions)."""

    def reasoner(self) -> Reasoner:
        kept = self.__dict__.get("kept")
        if kept is None:
            kept = self.__dict__["kept"] = super().reasoner()
        else:
            kept.parser = plugins.get_parser(self.parser, **self.parser_options)
        return kept


def measure(path: Path, shots: int, styles: list[str], limit: int | None) -> dict[str, dict[str, float]]:
    """Per style: correct, Error vote share and seconds, replaying ``path`` as ``linc eval`` does."""
    data = load_dataset(str(path), limit=limit)
    chosen = choose_config(data, "replay", None, "z3", None, 10.0, True, {"shots": shots}, translation=False)
    config = OneReasoner(**asdict(chosen))
    figures = {}
    for name in styles:
        run = evaluate(restyled(data, STYLES[name][0]), config, workers=1)
        summary = summarise(run.records, run.seconds)
        figures[name] = {"correct": summary.correct, "error_votes": summary.error_vote_share, "seconds": run.seconds}
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--shots", type=int, nargs="+", default=list(SHOTS), choices=SHOTS)
    parser.add_argument("--limit", type=int, default=None, help="the first N problems of each recording")
    parser.add_argument("--styles", nargs="+", default=None, help=f"styles to run (default all): {', '.join(STYLES)}")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    styles = ["unmodified", *[s for s in (args.styles or STYLES) if s != "unmodified"]]
    unknown = [s for s in styles if s not in STYLES]
    if unknown:
        print(f"unknown styles: {', '.join(unknown)}; known: {', '.join(STYLES)}", file=sys.stderr)
        return 2
    files = {s: args.data / RECORDING.format(s) for s in args.shots}
    missing = [str(f) for f in files.values() if not f.is_file()]
    if missing:
        print(f"recordings not found: {', '.join(missing)} (give --data)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    table = {}
    for shots, path in files.items():
        table[shots] = measure(path, shots, styles, args.limit)
        print(f"  {shots}-shot: done at {time.perf_counter() - start:.0f} s", file=sys.stderr)
    if args.json:
        print(json.dumps(table, indent=2, ensure_ascii=False))
        return 0
    n = args.limit or 182
    head = "".join(f"{f'{s}-shot':>18}" for s in files)
    print(f"{'style':24}{head}   correct of {n} (difference to unmodified), Error votes")
    for name in styles:
        cells = []
        for shots in files:
            row, base = table[shots][name], table[shots]["unmodified"]
            diff = "" if name == "unmodified" else f"({row['correct'] - base['correct']:+d})"
            cells.append(f"{row['correct']:>4} {diff:>6} {row['error_votes']:6.1%}")
        note = f"   {STYLES[name][1]}" if STYLES[name][1] else ""
        print(f"{name:24}" + "".join(f"{c:>18}" for c in cells) + note)
    print(f"total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
