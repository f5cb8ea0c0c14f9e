"""Property tests: any sequence of edits gives valid JSON equal to the same edits on plain dicts,
and untouched entries keep their exact text."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pixel_tui.core.registry.document import Registry, RegistryEditError
from pixel_tui.core.registry.edits import check_new_name

FIXTURE = (Path(__file__).parent / "data" / "registry_real_shape.json").read_text(encoding="utf-8")

names = st.text(alphabet=st.characters(codec="utf-8", exclude_characters='\x00'), min_size=1, max_size=12).filter(
    lambda s: s.strip())
scalars = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                    st.none(), st.text(max_size=20))
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=3))
fields = st.dictionaries(st.sampled_from(["path", "source_path", "size_mb", "stage", "type", "notes", "x"]), values,
                         min_size=1, max_size=4)
groups = st.sampled_from(["datasets/cot_reasoning", "datasets/professional_therapeutic", "datasets/priority_datasets",
                          "edge_case_sources", "voice_persona", "datasets/new_group"])
ops = st.lists(st.one_of(
    st.tuples(st.just("set"), groups, names, fields),
    st.tuples(st.just("update"), groups, names, fields),
    st.tuples(st.just("remove"), groups, names, st.none()),
    st.tuples(st.just("remove_field"), groups, names, st.sampled_from(["path", "stage", "size_mb", "x"])),
), max_size=8)


def _model_group(doc: dict, group: str, create: bool) -> dict | None:
    node = doc
    for part in group.split("/"):
        if part not in node:
            if not create:
                return None
            node[part] = {}
        node = node[part]
    return node


def _apply_model(doc: dict, op) -> None:
    kind, group, name, arg = op
    if kind == "set" and name not in (_model_group(doc, group, create=False) or {}):
        try:
            check_new_name(name)  # a new name must be safe; existing ones are kept as they are
        except RegistryEditError:
            raise KeyError from None
    g = _model_group(doc, group, create=kind == "set")
    if kind == "set":
        if isinstance(g.get(name), dict):
            g[name].update(arg)
        elif name in g:
            raise KeyError  # a non-object value is the file owner's, never replaced
        else:
            g[name] = dict(arg)
        return
    if g is None or not isinstance(g.get(name), dict):
        raise KeyError
    if kind == "update":
        g[name].update(arg)
    elif kind == "remove":
        del g[name]
    else:
        g[name].pop(arg, None)


def _apply_reg(reg: Registry, op) -> None:
    kind, group, name, arg = op
    if kind == "set":
        reg.set_entry(group, name, arg)
    elif kind == "update":
        reg.update_fields(group, name, **arg)
    elif kind == "remove":
        reg.remove(group, name)
    else:
        reg.remove_field(group, name, arg)


@settings(max_examples=150, deadline=None)
@given(ops=ops, pick=st.lists(st.integers(0, 7), min_size=8, max_size=8))
def test_edits_match_plain_dict_semantics(ops, pick):
    reg = Registry.from_text(FIXTURE)
    model = json.loads(FIXTURE)
    existing = [(d.group, d.name) for d in reg.datasets()]
    for i, op in enumerate(ops):
        kind, group, name, arg = op
        if kind != "set" and pick[i] < len(existing):  # aim most edits at entries that exist
            group, name = existing[pick[i]]
            op = (kind, group, name, arg)
        try:
            _apply_model(model, op)
            expect_ok = True
        except KeyError:
            expect_ok = False
        try:
            _apply_reg(reg, op)
            assert expect_ok, op
        except RegistryEditError:
            assert not expect_ok, op
        assert json.loads(reg.render()) == model
    # every entry no edit touched still has its exact original text, indentation included
    touched = {(o[1], o[2]) for o in ops} | {existing[p] for p in pick if p < len(existing)}
    original = Registry.from_text(FIXTURE)
    rendered = reg.render()
    for group, name in existing:
        if (group, name) not in touched:
            node = original._group_node(group).member(name)
            line_start = FIXTURE.rfind("\n", 0, node.key_start) + 1
            assert FIXTURE[line_start : node.value.end] in rendered
    # undo all the way gives back the exact bytes
    while reg.undo():
        pass
    assert reg.render() == FIXTURE
