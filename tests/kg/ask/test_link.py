"""Question linking: set-aside phrases on invented sentences and a tiny alias table."""

from __future__ import annotations

from kg.ask.link import link

ALIASES = {"tape": "tape", "tape drives": "tape-drive", "disk drives": "disk-drive"}
LABELS = {"tape": "Tape", "tape-drive": "Tape drive", "disk-drive": "Disk drive"}


def test_link_a_shared_head_noun_sets_aside_both_modifiers() -> None:
    linked = link(
        "Other than tape and disk drives, what stores backups?", aliases=ALIASES, labels=LABELS
    )
    assert {"disk-drive", "tape-drive"} <= set(linked.excluded)
    assert not linked.entities
