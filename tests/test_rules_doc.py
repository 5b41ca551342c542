"""Every rule id the project cites has one entry in docs/rules.md.

The code, the docs, the README, the changelog and the examples cite rules by id (``T1``,
``Q3``, …). This test collects every such citation and fails, naming the id and the first
``file:line`` that cites it, when ``docs/rules.md`` has no entry for it. It also checks the
entries themselves: each is a line ``- **ID** …`` with a well-formed id, no id has two,
and each ``##`` section holds the ids of one letter only.

A citation is whatever matches :data:`RULE_ID`. A match that is not a rule id must be
listed in :data:`NOT_RULE_IDS` with the reason, and an exception that no longer matches
anything fails the test, so the list stays exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "docs" / "rules.md"

RULE_ID = re.compile(r"\b[TARSQFXCWVPED][1-9]\b")
"""What a citation of a rule looks like: a section letter and a digit, as a word."""

WELL_FORMED = re.compile(r"[TARSQFXCWVPED][1-9]")
"""A well-formed id, matched against a whole entry id."""

ENTRY = re.compile(r"^- \*\*(?P<id>[^*]*)\*\*")
"""An entry of docs/rules.md: a list item whose text starts with the id in bold."""

SECTION = re.compile(r"^## ")


@dataclass(frozen=True)
class NotRuleId:
    """A match of :data:`RULE_ID` that is not a rule id: ``token`` in the lines of
    ``path`` (relative to the project) that contain ``context``, and why it is no rule."""

    path: str
    token: str
    context: str
    reason: str


NOT_RULE_IDS: tuple[NotRuleId, ...] = ()
"""Matches that are not rule ids. A grep of the sources below found none: every match is a
rule citation. Should one appear (say, ``"A4"`` for a paper size), list it here as
``NotRuleId("docs/page.md", "A4", "an A4 sheet", "a paper size, not rule A4")``."""


def cited_files(root: Path = ROOT) -> list[Path]:
    """The files whose rule citations must have entries: the package's Python modules,
    the docs pages (not the built ones), the README, the changelog and the examples."""
    files = sorted((root / "src" / "deskcore").rglob("*.py"))
    files += sorted(page for page in (root / "docs").glob("*.md") if page.is_file())
    files += [root / name for name in ("README.md", "CHANGELOG.md") if (root / name).is_file()]
    examples = root / "examples"
    if examples.is_dir():
        files += sorted(
            path
            for path in examples.rglob("*")
            if path.is_file() and path.suffix in TEXT_SUFFIXES  # not a plot the demo drew
        )
    return [path for path in files if "_build" not in path.relative_to(root).parts]


TEXT_SUFFIXES = frozenset({".py", ".md", ".toml", ".json", ".jsonl", ".html", ".txt"})
"""The files of examples/ that are text a reader sees."""


def _place(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def citations(
    files: Iterable[Path], root: Path = ROOT, exceptions: Iterable[NotRuleId] = NOT_RULE_IDS
) -> tuple[dict[str, str], set[NotRuleId]]:
    """Every id cited in ``files``, with the first ``file:line`` citing it; and the
    exceptions that matched something."""
    rules = list(exceptions)
    first: dict[str, str] = {}
    used: set[NotRuleId] = set()
    for path in files:
        place = _place(path, root)
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for match in RULE_ID.finditer(line):
                token = match.group()
                exempt = [
                    rule
                    for rule in rules
                    if rule.path == place and rule.token == token and rule.context in line
                ]
                if exempt:
                    used.update(exempt)
                    continue
                first.setdefault(token, f"{place}:{number}")
    return first, used


def entries(text: str) -> list[tuple[int, str, str]]:
    """The entries of a rules page: ``(line number, id as written, section heading)``."""
    found: list[tuple[int, str, str]] = []
    section = ""
    for number, line in enumerate(text.splitlines(), 1):
        if SECTION.match(line):
            section = line[3:].strip()
        match = ENTRY.match(line)
        if match:
            found.append((number, match.group("id"), section))
    return found


def entry_faults(text: str) -> list[str]:
    """What is wrong with the entries of a rules page (empty: nothing)."""
    faults: list[str] = []
    seen: dict[str, int] = {}
    letters: dict[str, str] = {}  # section -> the letter of its ids
    sections: dict[str, str] = {}  # letter -> the section that holds it
    for number, rule, section in entries(text):
        if not WELL_FORMED.fullmatch(rule):
            faults.append(f"line {number}: {rule!r} is not a rule id")
            continue
        if rule in seen:
            faults.append(f"line {number}: {rule} has an entry already, at line {seen[rule]}")
            continue
        seen[rule] = number
        letter = rule[0]
        if letters.setdefault(section, letter) != letter:
            faults.append(
                f"line {number}: {rule} is in section {section!r}, whose ids are {letters[section]}"
            )
        if sections.setdefault(letter, section) != section:
            faults.append(
                f"line {number}: {rule} is in section {section!r}, but the {letter} rules are "
                f"in {sections[letter]!r}"
            )
    return faults


def missing(cited: Mapping[str, str], rules_text: str) -> list[str]:
    """``ID (first cited at file:line)`` for each cited id without an entry."""
    defined = {rule for _number, rule, _section in entries(rules_text)}
    return [
        f"{rule} (first cited at {place}) has no entry in docs/rules.md"
        for rule, place in sorted(cited.items())
        if rule not in defined
    ]


def _rule_order(rule: str) -> tuple[str, int]:
    return rule[0], int(rule[1:])


# -- the project ---------------------------------------------------------------------------


def test_every_cited_rule_has_an_entry() -> None:
    """Each id cited in the code, docs, README, changelog and examples is in rules.md."""
    cited, _used = citations(cited_files())
    assert not missing(cited, RULES.read_text(encoding="utf-8"))


def test_the_citations_come_from_every_source() -> None:
    """The collector reads what it should: otherwise the test above would pass on nothing."""
    files = cited_files()
    places = {_place(path, ROOT) for path in files}
    assert "src/deskcore/_engine.py" in places
    assert "docs/engine.md" in places
    assert {"README.md", "CHANGELOG.md"} <= places
    assert any(place.startswith("examples/") for place in places)
    assert not any("_build" in place for place in places)
    cited, _used = citations(files)
    sources = {place.split(":")[0].split("/")[0] for place in cited.values()}
    assert {"src", "docs"} <= sources
    assert len(cited) > 40


def test_entries_are_well_formed_and_listed_once() -> None:
    """Every entry of rules.md has a well-formed id, none twice, one letter a section."""
    text = RULES.read_text(encoding="utf-8")
    assert entries(text), "docs/rules.md has no entries like '- **T1** ...'"
    assert not entry_faults(text)


def test_entries_come_in_order() -> None:
    """Within its section, each rule follows the one before it (T1, T2, …, no gaps)."""
    ids = [rule for _number, rule, _section in entries(RULES.read_text(encoding="utf-8"))]
    for letter in dict.fromkeys(rule[0] for rule in ids):
        numbers = [int(rule[1:]) for rule in ids if rule[0] == letter]
        assert numbers == list(range(1, len(numbers) + 1)), letter


def test_every_exception_is_needed() -> None:
    """Each listed non-rule match still occurs: the exception list holds nothing stale."""
    _cited, used = citations(cited_files())
    assert set(NOT_RULE_IDS) <= used, set(NOT_RULE_IDS) - used


# -- the checker itself --------------------------------------------------------------------

FAKE_RULES = """\
# Rules

## Queue

- **Q1** Waiting users are served in order.
- **Q2** A re-routed user keeps its place.
"""


def test_a_missing_id_is_named_with_its_first_citation(tmp_path: Path) -> None:
    """An id cited in a file but absent from the rules text fails, with file:line."""
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    page.write_text("Nothing here.\nThe queue keeps order (Q1).\nSee Q7 and Q7 again, Q2.\n")
    cited, _used = citations([page], root=tmp_path)
    assert cited == {"Q1": "docs/page.md:2", "Q7": "docs/page.md:3", "Q2": "docs/page.md:3"}
    assert missing(cited, FAKE_RULES) == [
        "Q7 (first cited at docs/page.md:3) has no entry in docs/rules.md"
    ]


def test_the_regex_takes_words_only(tmp_path: Path) -> None:
    """Instants, durations and longer words are not citations; ids in ranges are."""
    page = tmp_path / "notes.py"
    page.write_text(
        '"2026-03-02T10:07:00Z", "PT10M", "P1DT2H", "Q10", "AQ1", "q1", "T0"\n'
        "# rules X1–X3 and W1-W3\n"
    )
    cited, _used = citations([page], root=tmp_path)
    assert sorted(cited, key=_rule_order) == ["W1", "W3", "X1", "X3"]


def test_an_exception_exempts_exactly_its_lines(tmp_path: Path) -> None:
    """A listed non-rule match is skipped only in its file and on lines with its context."""
    page = tmp_path / "sizes.md"
    page.write_text("Print it on an A4 sheet.\nAn agent leaving withdraws its offers (A4).\n")
    paper = NotRuleId("sizes.md", "A4", "an A4 sheet", "a paper size")
    cited, used = citations([page], root=tmp_path, exceptions=[paper])
    assert cited == {"A4": "sizes.md:2"}
    assert used == {paper}
    elsewhere = NotRuleId("other.md", "A4", "an A4 sheet", "a paper size")
    cited, used = citations([page], root=tmp_path, exceptions=[elsewhere])
    assert cited == {"A4": "sizes.md:1"}
    assert not used


def test_bad_entries_are_caught() -> None:
    """A malformed id, a repeated id and ids of two letters in one section are faults."""
    text = FAKE_RULES + (
        "- **Q2** Again.\n- **Q12** Too long.\n- **E1** Out of place.\n\n## Errors\n\n"
        "- **E2** Here.\n"
    )
    assert entry_faults(text) == [
        "line 7: Q2 has an entry already, at line 6",
        "line 8: 'Q12' is not a rule id",
        "line 9: E1 is in section 'Queue', whose ids are Q",
        "line 13: E2 is in section 'Errors', but the E rules are in 'Queue'",
    ]
    assert entry_faults(FAKE_RULES) == []
