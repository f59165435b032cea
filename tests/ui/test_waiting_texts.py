"""Before a training step: a replay says nothing was recorded, an attached view waits for the other run; only a run
trained here waits for its first training step."""

import dataclasses

import numpy as np
import pytest

from rnnscope.contracts.states import REPLAY, WAITING
from rnnscope.ui.panels.grad_norms import GradNormsPanel
from rnnscope.ui.panels.loss import LossPanel
from rnnscope.ui.render.accents import DEFAULT_ACCENTS
from rnnscope.ui.render.lines import NO_STEP_RECORDED, NO_STEP_YET
from rnnscope.ui.render.loss import WAITING_LOSS
from rnnscope.ui.view_state import ViewState
from tests.fake_frames import make_frame


def _shown(panel, frame) -> str:
    lines = panel.build(frame, ViewState(), 60, 12, None, DEFAULT_ACCENTS)
    return "\n".join("".join(segment.text for segment in line) for line in lines)


@pytest.mark.parametrize(("state", "review", "says"), [
    (f"{REPLAY} ‖", None, NO_STEP_RECORDED), ("PAUSED", "REVIEW step 0 (frame 1 of 3)", NO_STEP_RECORDED),
    (WAITING, None, NO_STEP_YET), ("PAUSED", None, WAITING_LOSS)])
def test_loss_and_norms_before_a_step_say_what_this_view_is_waiting_for(state, review, says):
    frame = make_frame()
    frame = dataclasses.replace(frame, last_step=None, loss_history=np.zeros((0, 2)), val_history=np.zeros((0, 2)),
                                status=dataclasses.replace(frame.status, state=state, review=review))
    for panel in (LossPanel(), GradNormsPanel()):
        assert _shown(panel, frame) == says
