"""A pending transaction is approved as the action it was requested as: the recorded kind (and a
cancellation's purpose) names that action back, from the one map that names each action's kind."""

from __future__ import annotations

import pytest

from article6.domain.accounts import CancellationPurpose
from article6.domain.first_transfer import Action
from article6.domain.transactions import TransactionKind
from article6.services.movement_requests import CANCELLATION_ACTIONS, KIND_OF_ACTION, action_of


@pytest.mark.parametrize("action", list(KIND_OF_ACTION))
def test_every_requested_action_is_found_again_from_its_recorded_kind(action: Action):
    purpose = next((p for p, a in CANCELLATION_ACTIONS.items() if a is action), None)
    assert action_of(KIND_OF_ACTION[action], purpose) is action


def test_a_cancellation_is_named_by_its_purpose():
    assert action_of(TransactionKind.CANCELLATION, CancellationPurpose.OMGE) is (
        Action.CANCELLATION_OMGE
    )
    with pytest.raises(ValueError, match="purpose"):
        action_of(TransactionKind.CANCELLATION, None)


def test_a_kind_no_one_requests_for_approval_has_no_action():
    with pytest.raises(KeyError):
        action_of(TransactionKind.ISSUANCE, None)
