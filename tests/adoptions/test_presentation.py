"""Every action of the workflow table has one row of presentation, and the pages read it."""

from __future__ import annotations

from catalog.adoptions.presentation import ACTIONS, INBOX_ACTIONS
from catalog.workflow import Action


def test_every_action_has_one_presentation_row():
    assert set(ACTIONS) == set(Action)
    assert all(ACTIONS[action].done_label for action in Action)
    assert all(ACTIONS[action].success and ACTIONS[action].help for action in Action if action != Action.REQUEST)


def test_destructive_actions_ask_for_confirmation_and_look_dangerous():
    destructive = {Action.REJECT, Action.WITHDRAW, Action.RETIRE}
    assert {action for action, shown in ACTIONS.items() if shown.confirm} == destructive
    assert {action for action, shown in ACTIONS.items() if shown.button_class == "btn-outline-danger"} == destructive


def test_the_inbox_sections_follow_the_table_order():
    assert INBOX_ACTIONS == (Action.APPROVE, Action.ANSWER, Action.START, Action.GO_LIVE)
    assert [ACTIONS[action].inbox.key for action in INBOX_ACTIONS] == ["review", "answer", "start", "go_live"]
