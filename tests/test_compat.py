import io
import pickle

import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

import skcl_mm  # noqa: F401  (registers the allow-list)


def test_message_hub_round_trips_under_weights_only():
    hub = MessageHub.get_instance('compat-test')
    hub.update_scalar('train/loss', 1.5)
    hub.update_scalar('train/loss', torch.tensor(0.5).numpy())
    buffer = io.BytesIO()
    torch.save({'message_hub': hub.state_dict()}, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)
    restored = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(restored, HistoryBuffer)
    assert restored.mean() == pytest.approx(1.0)


class _Evil:
    def __reduce__(self):  # unpickles as getattr(HistoryBuffer, '__init__')
        return (getattr, (HistoryBuffer, '__init__'))


def test_general_getattr_stays_forbidden():
    buffer = io.BytesIO()
    torch.save({'x': _Evil()}, buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError, match='not allowed'):
        torch.load(buffer, weights_only=True)
