"""The neighbourhood drawing: partners on a circle, arrows where relations point."""

from __future__ import annotations

import math

from api.ui.neighbourhood import (
    HEIGHT,
    MAX_LABEL_CHARS,
    MAX_PARTNERS,
    RADIUS,
    WIDTH,
    Direction,
    Drawing,
    Relation,
    draw_neighbourhood,
    shorten,
)


def relation(partner: str, direction: Direction, name: str = "writes to") -> Relation:
    return Relation(name, partner, partner.title(), direction)


def draw(*relations: Relation) -> Drawing:
    return draw_neighbourhood("hub", "Hub", relations)


def test_neighbourhood_one_edge_per_partner_with_its_arrows() -> None:
    drawing = draw(
        relation("alpha", Direction.OUT),
        relation("alpha", Direction.IN),
        relation("beta", Direction.IN),
        relation("gamma", Direction.BOTH, "integrates with"),
    )
    assert [n.id for n in drawing.nodes] == ["hub", "alpha", "beta", "gamma"]
    alpha, beta, gamma = drawing.links
    assert (alpha.to_partner, alpha.to_center, alpha.label) == (True, True, "writes to")
    assert (beta.to_partner, beta.to_center) == (False, True)
    assert (gamma.to_partner, gamma.to_center, gamma.label) == (False, False, "integrates with")


def test_neighbourhood_partners_sit_on_the_circle_inside_the_drawing() -> None:
    drawing = draw(*[relation(f"p{i}", Direction.OUT) for i in range(7)])
    center, *partners = drawing.nodes
    assert (center.x, center.y) == (WIDTH / 2, HEIGHT / 2)
    for node in partners:
        assert math.isclose(math.hypot(node.x - center.x, node.y - center.y), RADIUS)
        assert 0 < node.label_y < HEIGHT


def test_neighbourhood_caps_partners_and_counts_the_rest() -> None:
    drawing = draw(*[relation(f"p{i:02d}", Direction.OUT) for i in range(MAX_PARTNERS + 3)])
    assert len(drawing.links) == MAX_PARTNERS
    assert drawing.hidden == 3


def test_neighbourhood_most_related_partner_first() -> None:
    drawing = draw(
        relation("zeta", Direction.OUT),
        relation("zeta", Direction.IN),
        relation("alpha", Direction.OUT),
    )
    assert [n.id for n in drawing.nodes[1:]] == ["zeta", "alpha"]


def test_neighbourhood_shorten_long_labels() -> None:
    long = "An Extremely Long Managed Service Name"
    assert len(shorten(long)) == MAX_LABEL_CHARS and shorten(long).endswith("…")
    assert shorten("Short") == "Short"
