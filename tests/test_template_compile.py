"""Compiled templates render exactly as string.Template does (P3)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deskcore._templates import compile_template, render, render_compiled

NAMES = ["AgentName", "QueuePosition", "WaitNo", "Score"]
pieces = st.one_of(
    st.text(alphabet="ab $.{}_", max_size=6),
    st.sampled_from([f"${n}" for n in NAMES] + [f"${{{n}}}" for n in NAMES] + ["$$"]),
)
values = st.fixed_dictionaries({}, optional={n: st.text(max_size=4) for n in NAMES})


class TestCompiledTemplates:
    """compile_template + render_compiled against render."""

    @given(parts=st.lists(pieces, max_size=8), given_values=values)
    def test_same_as_render(self, parts: list[str], given_values: dict[str, str]) -> None:
        """For any text and values, both renderings agree."""
        text = "".join(parts)
        compiled = render_compiled(compile_template(text), given_values)
        assert compiled == render(text, given_values)

    def test_values_are_not_expanded_again(self) -> None:
        """P3: a value containing $ is inserted as it is."""
        parts = compile_template("Hi $AgentName")
        assert render_compiled(parts, {"AgentName": "$WaitNo"}) == "Hi $WaitNo"
