"""The state machines: who is checked before the state, the refusal names the state, and the
diagrams in docs/menu.md are the tables themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from culture_cloud.errors import Forbidden
from culture_cloud.menu.errors import MenuErrorCode, MenuFailed
from culture_cloud.menu.machines import MACHINES, ORDER, Actor, Machine, t
from culture_cloud.menu.models import OrderStatus

DOCS = Path(__file__).resolve().parents[2] / "docs" / "menu.md"


def test_order_machine__right_actor_wrong_state__invalid_transition_naming_it() -> None:
    with pytest.raises(MenuFailed) as refused:
        ORDER.step("approve", OrderStatus.REQUESTED, {Actor.ADMIN})
    assert refused.value.reason is MenuErrorCode.INVALID_TRANSITION
    assert refused.value.state == "REQUESTED"
    assert "待接单" in refused.value.message


def test_order_machine__wrong_actor__forbidden_whatever_the_state() -> None:
    for state in (OrderStatus.ACCEPTED, OrderStatus.REQUESTED):
        with pytest.raises(Forbidden):
            ORDER.step("approve", state, {Actor.CENTRE, Actor.SUPPLIER})


def test_order_machine__allowed_step__target_state() -> None:
    assert ORDER.step("approve", OrderStatus.ACCEPTED, {Actor.ADMIN}) is OrderStatus.SCHEDULED
    assert ORDER.step("rate", OrderStatus.DELIVERED, {Actor.SYSTEM}) is OrderStatus.RATED


def test_machines__terminal_order_states__have_no_way_out() -> None:
    terminal = {OrderStatus.DECLINED, OrderStatus.CANCELLED, OrderStatus.REJECTED}
    for transition in ORDER:
        assert terminal.isdisjoint(transition.sources), transition.action


def test_docs__state_diagrams__printed_from_the_tables() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name, machine in MACHINES.items():
        assert f"```mermaid\n{machine.mermaid()}\n```" in text, f"docs/menu.md: {name} diagram"


def test_docs__changed_table__detected() -> None:
    # The control for the test above: one more transition must not be found in the docs.
    changed = Machine(
        ORDER.noun,
        ORDER.labels,
        [*ORDER, t("reopen", "重开", (OrderStatus.CANCELLED,), OrderStatus.REQUESTED, Actor.ADMIN)],
    )
    assert f"```mermaid\n{changed.mermaid()}\n```" not in DOCS.read_text(encoding="utf-8")
