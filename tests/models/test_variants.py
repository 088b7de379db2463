"""The variant registry (bertviz_core.models.variants): `<model>@<variant>` ids, parsed and loaded through
whatever kinds are registered. Oracles: the ids and messages written out by hand; kinds registered here."""

from __future__ import annotations

import pytest

import bertviz_core as bc
from bertviz_core.models import variants


@pytest.fixture
def probe_kind():
    """A kind registered for one test: `<model>@probe=<digit>`, loaded by a recorder."""
    asked = []
    variants.register_variant(
        "probe",
        r"probe=(?P<n>[0-9])",
        lambda name: asked.append(name) or f"built {name}",
        value=lambda m: int(m["n"]),
        example="<model>@probe=1",
    )
    yield asked
    variants.unregister_variant("probe")


def test_importing_bertviz_core_registers_int8_and_prune_in_that_order():
    assert [k.name for k in variants.kinds()][:2] == ["int8", "prune"]
    assert variants.parse("bert-minilm-l6@int8") == ("bert-minilm-l6", "int8", None)
    assert variants.parse(" owner/name@prune=12.5% ") == ("owner/name", "prune", 0.125)
    assert variants.parse("x@prune=30") == ("x", "prune", 0.3)


@pytest.mark.parametrize(
    "bad", ["x@int4", "@int8", "a@int8@int8", "a@@int8", "a b@int8", "x@prune=1000%", "x@prune=.5%", "x@INT8"]
)
def test_ids_matching_no_kind_are_refused_with_the_syntax_of_each(bad):
    with pytest.raises(bc.ModelLoadError) as info:
        variants.parse(bad)
    assert info.value.reason == "invalid_id" and info.value.model == bad
    assert str(info.value) == (
        f"'{bad}' is not a compressed variant: use <model>@int8 or <model>@prune=30% or <model>@q=4 or <model>@qbert=3."
    )


def test_a_value_the_kind_refuses_is_reported_with_its_reason():
    with pytest.raises(bc.ModelLoadError) as info:
        variants.parse("x@prune=100%")
    assert (info.value.reason, str(info.value)) == (
        "invalid_id",
        "'x@prune=100%': the pruned share of heads must be between 0% and 100% (exclusive).",
    )


def test_a_long_unknown_id_is_cut_in_the_message():
    name = "m" * 100 + "@nothing"
    with pytest.raises(bc.ModelLoadError) as info:
        variants.parse(name)
    assert info.value.model == name[:80] and str(info.value).startswith(f"'{name[:80]}' is not")


def test_a_registered_kind_parses_loads_and_is_listed(probe_kind):
    assert variants.parse("base@probe=7") == ("base", "probe", 7)
    assert variants.load("base@probe=7") == "built base@probe=7" and probe_kind == ["base@probe=7"]
    with pytest.raises(
        bc.ModelLoadError,
        match="use <model>@int8 or <model>@prune=30% or <model>@q=4 or <model>@qbert=3 or <model>@probe=1",
    ):
        variants.parse("base@probe=x")


def test_unregistering_a_kind_makes_its_ids_invalid(probe_kind):
    variants.unregister_variant("probe")
    with pytest.raises(bc.ModelLoadError):
        variants.parse("base@probe=7")


def test_a_registered_kind_is_what_load_model_uses(probe_kind, fresh_cache):
    assert bc.load_model("base@probe=2") == "built base@probe=2"
    assert bc.load_model("base@probe=2") == "built base@probe=2" and probe_kind == ["base@probe=2"]  # cached
