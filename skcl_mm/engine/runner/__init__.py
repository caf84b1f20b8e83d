"""Engine: training loops."""
from .device_resident_loop import DeviceResidentEpochBasedTrainLoop

__all__ = ['DeviceResidentEpochBasedTrainLoop']
