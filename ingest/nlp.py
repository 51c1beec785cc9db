"""The spaCy pipeline of ingest: blank English, a gazetteer EntityRuler and lookup lemmas."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final, cast

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc, Token

from kg.gazetteer import alias_table, case_sensitive_aliases, normalise
from kg.types import Entity

PRODUCT_PREFIXES: Final = frozenset({"Amazon", "AWS", "Apache"})
# Capitalised words that follow "AWS"/"Amazon" in prose without naming a product.
GENERIC_NAME_WORDS: Final = frozenset(
    "Account Accounts API APIs Best Big Blog Certification Certifications Certified Cloud "
    "Customer Destinations Documentation Integration Managed Partner Partners Region "
    "Regions Resources Service Services Section Sources Use White".split()
)
CAMEL_RE: Final = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+$")
HUMP_RE: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# CamelCase words that are API calls, exceptions or code, not products.
API_PREFIXES: Final = tuple(
    "Add Assume Batch Create Decrypt Delete Describe Disable Enable Encrypt Generate Get Invoke "
    "List Put Query Remove Resolve Scan Set Start Stop Update".split()
)
API_SUFFIXES: Final = ("Exception", "Error", "Expression", "Frame", "Record", "Records", "Context")
MAX_NAME_WORDS: Final = 4


def make_nlp(gazetteer: Mapping[str, Entity]) -> Language:
    """A blank English pipeline that tags gazetteer names as entities (label = type, id = id)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    nlp.initialize()
    cast(EntityRuler, ruler).add_patterns(list(ruler_patterns(nlp, gazetteer)))
    return nlp


def ruler_patterns(nlp: Language, gazetteer: Mapping[str, Entity]) -> Iterator[dict[str, Any]]:
    """EntityRuler patterns: phrases matched on LOWER, case-sensitive aliases token by token."""
    owners = alias_table(gazetteer)
    for entity in gazetteer.values():
        exact = case_sensitive_aliases(entity)
        for name in dict.fromkeys((entity.label, *entity.aliases)):
            if name in exact:
                words = [{"ORTH": token.text} for token in nlp.make_doc(name)]
                yield {"label": entity.type, "pattern": words, "id": entity.id}
                continue
            for variant in spelling_variants(name):
                if owners.get(normalise(variant), entity.id) == entity.id:
                    yield {"label": entity.type, "pattern": variant, "id": entity.id}


def spelling_variants(name: str) -> list[str]:
    """A name, its hyphen-free spellings and its plural ("Fan-Out" -> "Fan Out", "FanOut")."""
    variants = [name]
    if "-" in name:
        variants += [name.replace("-", " "), name.replace("-", "")]
    last = name.rsplit(" ", 1)[-1]
    if last.isalpha() and len(last) > 2 and not last.endswith("s") and not last.isupper():
        variants.append(name[:-1] + "ies" if last.endswith("y") else name + "s")
    return list(dict.fromkeys(variants))


def find_mentions(doc: Doc) -> list[tuple[str, int, int]]:
    """(entity id, start char, end char) of every gazetteer entity the ruler found."""
    return [(ent.ent_id_, ent.start_char, ent.end_char) for ent in doc.ents if ent.ent_id_]


def find_unresolved(doc: Doc, known: Mapping[str, Entity]) -> list[str]:
    """Product-like names the gazetteer lacks: "Amazon Foo", "AWS Bar Baz", CamelCase words."""
    covered = {token.i for ent in doc.ents for token in ent}
    names = [*prefixed_names(doc, covered), *camel_case_names(doc, covered)]
    if not names:
        return []
    keys = {key.casefold() for key in alias_table(known)} | {p.casefold() for p in PRODUCT_PREFIXES}
    return [name for name in dict.fromkeys(names) if not is_known(name, keys)]


def is_known(name: str, keys: set[str]) -> bool:
    """Whether a name is known, or is two labels glued by a flattened diagram ("KeyS3")."""
    if normalise(name) in keys:
        return True
    cuts = [m.start() for m in HUMP_RE.finditer(name)] if " " not in name else []
    return any(normalise(name[cut:]) in keys or normalise(name[:cut]) in keys for cut in cuts)


def prefixed_names(doc: Doc, covered: set[int]) -> Iterator[str]:
    """Capitalised word runs after Amazon/AWS/Apache that no gazetteer entity covers."""
    for token in doc:
        if token.text not in PRODUCT_PREFIXES or token.i in covered:
            continue
        end = token.i + 1
        while end < len(doc) and end - token.i <= MAX_NAME_WORDS and is_name_word(doc[end]):
            if end in covered:
                break
            end += 1
        if end > token.i + 1 and doc[token.i + 1].text not in GENERIC_NAME_WORDS:
            yield doc[token.i : end].text


def is_name_word(token: Token) -> bool:
    """Whether a token can be part of a product name: capitalised or alphanumeric, not a prefix."""
    text = token.text
    return (
        text[:1].isupper()
        and text.replace("-", "").isalnum()
        and text not in PRODUCT_PREFIXES
        and not token.like_url
    )


def camel_case_names(doc: Doc, covered: set[int]) -> Iterator[str]:
    """CamelCase words ("GuardDuty", "OpsHub") that no entity covers and that are not API calls."""
    for token in doc:
        text = token.text
        if token.i in covered or not CAMEL_RE.match(text):
            continue
        if not text.startswith(API_PREFIXES) and not text.endswith(API_SUFFIXES):
            yield text
