"""The curated gazetteer: load ontology/gazetteer.toml into Entity records and index its aliases."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from kg.types import Entity

ENTITY_TYPES: Final = frozenset(
    {"Service", "Feature", "Software", "ThirdPartyProduct", "DataFormat", "Compression", "Concept"}
)
_FIELDS: Final = frozenset(
    {"label", "type", "aliases", "case_sensitive_aliases", "part_of", "successor_of", "description"}
)
_ID_RE: Final = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
# A word is a run of letters/digits; everything else (punctuation, dashes, quotes) separates words.
WORD_RE: Final = re.compile(r"[^\W_]+")
_POSSESSIVE_RE: Final = re.compile(r"(?<=[^\W_])['\u2019\u02bc]s\b", re.IGNORECASE)
_DASHES: Final = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
_QUOTES: Final = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'}
)


@dataclass(frozen=True)
class GazetteerEntry(Entity):
    """An Entity that also records which of its aliases match only with their exact case."""

    case_sensitive_aliases: tuple[str, ...] = ()


def case_sensitive_aliases(entity: Entity) -> frozenset[str]:
    """The aliases of `entity` that must match with exact case (none for a plain Entity)."""
    if isinstance(entity, GazetteerEntry):
        return frozenset(entity.case_sensitive_aliases)
    return frozenset()


def normalise(text: str, *, keep_case: bool = False, known: Collection[str] = ()) -> str:
    """Fold `text` to a lookup key: NFKC, no possessive 's, punctuation to spaces, case-folded.

    With `known`, a trailing plural is singularised when only the singular form is a known key
    ("lambda functions" -> "lambda function").
    """
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES)
    text = _POSSESSIVE_RE.sub("", text)
    key = " ".join(WORD_RE.findall(text))
    if not keep_case:
        key = key.casefold()
    if known and key not in known:
        for singular in singular_forms(key):
            if singular in known:
                return singular
    return key


def singular_forms(key: str) -> tuple[str, ...]:
    """Candidate singulars of a key's last word, most likely first ("policies" -> "policy")."""
    head, _, last = key.rpartition(" ")
    prefix = f"{head} " if head else ""
    forms: list[str] = []
    if len(last) > 4 and last.endswith("ies"):
        forms.append(last[:-3] + "y")
    if len(last) > 3 and last.endswith("es"):
        forms.append(last[:-2])
    if len(last) > 2 and last.endswith("s") and not last.endswith("ss"):
        forms.append(last[:-1])
    return tuple(prefix + form for form in forms)


def load_gazetteer(path: Path) -> dict[str, Entity]:
    """Read and validate a gazetteer TOML file; raise ValueError naming the bad entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ValueError(f"cannot read gazetteer {path}: {e}. Fix the file and retry.") from e
    gazetteer: dict[str, Entity] = {key: table_to_entity(key, table) for key, table in data.items()}
    check_references(gazetteer)
    check_unique_aliases(gazetteer.values())
    return gazetteer


def table_to_entity(key: str, table: Any) -> GazetteerEntry:
    """Convert one TOML table to a GazetteerEntry, checking its id, fields and type."""
    where = f"gazetteer entry [{key}]"
    if not _ID_RE.match(key):
        raise ValueError(f"{where}: id must be a lower-case slug like 'kinesis-data-streams'")
    if not isinstance(table, dict):
        raise ValueError(f"{where}: expected a table, got {type(table).__name__}")
    unknown = sorted(set(table) - _FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(_FIELDS)}")
    label, kind = table.get("label"), table.get("type")
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"{where}: 'label' must be a non-empty string")
    if kind not in ENTITY_TYPES:
        raise ValueError(f"{where}: unknown type {kind!r}; use one of {sorted(ENTITY_TYPES)}")
    aliases = string_list(table.get("aliases", []), where=f"{where} aliases")
    exact = string_list(table.get("case_sensitive_aliases", []), where=f"{where} case_sensitive")
    lower_only = [alias for alias in exact if alias == alias.lower()]
    if lower_only:
        raise ValueError(f"{where}: case-sensitive aliases need a capital letter: {lower_only}")
    return GazetteerEntry(
        id=key,
        label=label,
        type=kind,
        aliases=tuple(dict.fromkeys([*aliases, *exact])),
        part_of=optional_id(table.get("part_of"), where=f"{where} part_of"),
        successor_of=optional_id(table.get("successor_of"), where=f"{where} successor_of"),
        description=str(table.get("description", "")),
        case_sensitive_aliases=tuple(exact),
    )


def string_list(value: Any, *, where: str) -> list[str]:
    """Check that `value` is a list of non-empty strings and return it."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}: expected a list of non-empty strings, got {value!r}")
    return list(value)


def optional_id(value: Any, *, where: str) -> str | None:
    """Check that `value` is absent or a string id."""
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{where}: expected an entity id string, got {value!r}")


def check_references(gazetteer: Mapping[str, Entity]) -> None:
    """Raise ValueError when part_of/successor_of name a missing entity or form a cycle."""
    for entity in gazetteer.values():
        for field, target in (("part_of", entity.part_of), ("successor_of", entity.successor_of)):
            if target is not None and target not in gazetteer:
                raise ValueError(
                    f"gazetteer entry [{entity.id}]: {field} = {target!r} names no entry; "
                    "add that entry or fix the id"
                )
        seen = [entity.id]
        parent = entity.part_of
        while parent is not None:
            if parent in seen:
                raise ValueError(f"gazetteer part_of cycle: {' -> '.join([*seen, parent])}")
            seen.append(parent)
            parent = gazetteer[parent].part_of


def check_unique_aliases(entities: Iterable[Entity]) -> None:
    """Raise ValueError when two entities share a label or alias after normalisation."""
    owner: dict[str, str] = {}
    for entity in entities:
        for name in (entity.label, *entity.aliases):
            key = normalise(name)
            if not key:
                raise ValueError(f"gazetteer entry [{entity.id}]: alias {name!r} has no letters")
            other = owner.setdefault(key, entity.id)
            if other != entity.id:
                raise ValueError(
                    f"gazetteer alias {name!r} (normalised {key!r}) belongs to both "
                    f"[{other}] and [{entity.id}]; keep it on one entry"
                )


def alias_table(gazetteer: Mapping[str, Entity]) -> dict[str, str]:
    """Map every normalised label and alias to its entity id.

    Case-sensitive aliases keep their case in the key ("ES"); all other keys are case-folded,
    so a key with a capital letter means "match this exact case".
    """
    table: dict[str, str] = {}
    for entity in gazetteer.values():
        exact = case_sensitive_aliases(entity)
        for name in (entity.label, *entity.aliases):
            table[normalise(name, keep_case=name in exact)] = entity.id
    return table


def label_table(gazetteer: Mapping[str, Entity]) -> dict[str, str]:
    """Map every entity id to its canonical label."""
    return {entity.id: entity.label for entity in gazetteer.values()}
