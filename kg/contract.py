"""The Answer record as the JSON object of ../shared/eval/README.md."""

from __future__ import annotations

from typing import Any

from kg.types import Answer, SourceRef

# The keys of the answer object of ../shared/eval/README.md.
CONTRACT_KEYS = frozenset(
    {"question", "answer", "intent", "items", "value", "verdict", "sources", "sparql", "confidence"}
)


def source_to_json(ref: SourceRef) -> dict[str, Any]:
    """One supporting slide, with lines for text decks and page for PDFs."""
    out: dict[str, Any] = {
        "deck": ref.deck,
        "slide": ref.slide,
        "title": ref.title,
        "text": ref.text,
        "score": ref.score,
    }
    if ref.lines is not None:
        out["lines"] = list(ref.lines)
    if ref.page is not None:
        out["page"] = ref.page
    return out


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """The contract's answer object."""
    return {
        "question": answer.question,
        "answer": answer.answer,
        "intent": answer.intent,
        "items": [
            {
                "label": item.label,
                "iri": item.iri,
                "sources": [source_to_json(ref) for ref in item.sources],
            }
            for item in answer.items
        ],
        "value": None
        if answer.value is None
        else {
            "text": answer.value.text,
            "value": answer.value.value,
            "unit": answer.value.unit,
            "quantity": answer.value.quantity,
        },
        "verdict": answer.verdict,
        "sources": [source_to_json(ref) for ref in answer.sources],
        "sparql": answer.sparql,
        "confidence": answer.confidence,
    }
