"""The planner's message catalogues (``engine/planning/data/messages/<lang>.json``): the same keys in
every language, each with the same ``{fields}`` the code fills."""

from __future__ import annotations

import string

import pytest

from nemo_jupyter.engine.planning.catalogue import LANGS, catalogue


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", [x for x in LANGS if x != "en"])
def test_every_catalogue_has_the_english_keys_and_fields(lang: str) -> None:
    en, other = catalogue("en"), catalogue(lang)
    assert sorted(set(en) ^ set(other)) == []
    assert [k for k in en if fields(en[k]) != fields(other[k])] == []
    assert [k for k, v in other.items() if not v.strip()] == []
