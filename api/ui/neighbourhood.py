"""An entity's neighbourhood as an SVG drawing: the entity in the middle, its partners around it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

WIDTH, HEIGHT = 840, 500
# Partners sit on a circle that leaves room for their labels inside the drawing.
RADIUS = 175
NODE_RADIUS = 9
CENTER_RADIUS = 14
# Beyond this many partners the labels overlap; the rest are listed in the facts below.
MAX_PARTNERS = 16
# Labels longer than this are cut with an ellipsis; the full label is the node's tooltip.
MAX_LABEL_CHARS = 24
# The centre's label has the width of the drawing above it.
CENTER_LABEL_CHARS = 48
# An edge's label sits this far along it from the middle, clear of the crowded centre.
LABEL_AT = 0.55
# Label offsets from a node's centre: the gap beside it and the drop that centres text on it.
LABEL_GAP = 14
TEXT_DROP = 4


class Direction(Enum):
    """Which way a relation points, seen from the entity."""

    OUT = "out"
    IN = "in"
    BOTH = "both"


@dataclass(frozen=True)
class Relation:
    """A typed relation of the entity: its name, the partner and which way it points."""

    name: str
    partner: str
    partner_label: str
    direction: Direction


@dataclass(frozen=True)
class Node:
    """A drawn entity."""

    id: str
    label: str
    short: str
    x: float
    y: float
    anchor: str
    label_x: float
    label_y: float
    center: bool = False
    radius: float = NODE_RADIUS


@dataclass(frozen=True)
class Link:
    """A drawn edge from the centre to a partner, with arrowheads where relations point."""

    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    label_x: float
    label_y: float
    to_partner: bool
    to_center: bool


@dataclass(frozen=True)
class Drawing:
    """Everything the template needs to draw the neighbourhood."""

    width: int
    height: int
    nodes: list[Node]
    links: list[Link]
    hidden: int


def shorten(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    """The label cut to limit characters with an ellipsis."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def text_anchor(dx: float) -> str:
    """Labels on the right start at their node, on the left end at it, near the axis centre."""
    if abs(dx) < RADIUS * 0.2:
        return "middle"
    return "start" if dx > 0 else "end"


def label_place(x: float, y: float, anchor: str) -> tuple[float, float]:
    """Where a partner's label goes: beside its node, or above/below it near the vertical axis."""
    if anchor == "start":
        return x + LABEL_GAP, y + TEXT_DROP
    if anchor == "end":
        return x - LABEL_GAP, y + TEXT_DROP
    return x, (y - LABEL_GAP if y < HEIGHT / 2 else y + LABEL_GAP + 2 * TEXT_DROP)


def partners_of(relations: Sequence[Relation]) -> list[tuple[str, str, list[Relation]]]:
    """Each partner with its relations, the most related first, then by label."""
    grouped: dict[str, list[Relation]] = {}
    labels: dict[str, str] = {}
    for relation in relations:
        grouped.setdefault(relation.partner, []).append(relation)
        labels[relation.partner] = relation.partner_label
    order = sorted(grouped, key=lambda p: (-len(grouped[p]), labels[p].lower()))
    return [(p, labels[p], grouped[p]) for p in order]


def draw_neighbourhood(entity: str, label: str, relations: Sequence[Relation]) -> Drawing:
    """The entity and up to MAX_PARTNERS partners on a circle, one edge per partner."""
    cx, cy = WIDTH / 2, HEIGHT / 2
    partners = partners_of(relations)
    shown = partners[:MAX_PARTNERS]
    center_label = (cx, cy - CENTER_RADIUS - LABEL_GAP / 2)
    nodes = [
        Node(
            entity,
            label,
            shorten(label, CENTER_LABEL_CHARS),
            cx,
            cy,
            "middle",
            *center_label,
            True,
            CENTER_RADIUS,
        )
    ]
    links = []
    for index, (partner, partner_label, rels) in enumerate(shown):
        # Half a step off the vertical keeps the top edge clear of the centre's label.
        angle = 2 * math.pi * (index + 0.5) / len(shown) - math.pi / 2
        dx, dy = math.cos(angle), math.sin(angle)
        x, y = cx + RADIUS * dx, cy + RADIUS * dy
        anchor = text_anchor(RADIUS * dx)
        nodes.append(
            Node(
                partner,
                partner_label,
                shorten(partner_label),
                x,
                y,
                anchor,
                *label_place(x, y, anchor),
            )
        )
        names = list(dict.fromkeys(r.name for r in rels))
        links.append(
            Link(
                x1=cx + CENTER_RADIUS * dx,
                y1=cy + CENTER_RADIUS * dy,
                x2=x - NODE_RADIUS * dx,
                y2=y - NODE_RADIUS * dy,
                label=" · ".join(names),
                label_x=cx + RADIUS * LABEL_AT * dx,
                label_y=cy + RADIUS * LABEL_AT * dy,
                to_partner=any(r.direction is Direction.OUT for r in rels),
                to_center=any(r.direction is Direction.IN for r in rels),
            )
        )
    return Drawing(WIDTH, HEIGHT, nodes, links, hidden=len(partners) - len(shown))
