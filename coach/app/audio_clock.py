"""Session time read off the output stream: the audio is the clock.

Session time is the output's sample count (plus a lead), so a cue scheduled
for time t lands on sample round(t * rate) whatever the machine's load. The
lead keeps the session a little ahead of the samples being rendered, so what
it schedules "now" is never already in the past for the mixer.
If the device stops asking for audio (unplugged), time carries on from the
wall clock and the session goes on, on screen.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from coach.audio.output import OutputDevice
from coach.session.clock import RealTimeClock

_LOGGER = logging.getLogger(__name__)


class AudioClock(RealTimeClock):
    def __init__(
        self, device: OutputDevice, lead: float, on_lost: Callable[[], None] | None = None
    ) -> None:
        super().__init__()
        self.device = device
        self.speed = device.speed
        self.lead = lead
        self.on_lost = on_lost
        self._carried_on: tuple[float, float] | None = None  # (session time, monotonic)
        self._last = 0.0

    def _device_time(self) -> float:
        d = self.device
        rate = d.mixer.rate
        # Between two blocks, interpolate (at most one block) so waits are smooth.
        since = (time.monotonic() - d.last_render) * d.speed
        return d.frames / rate + min(since, d.block_size / rate) + self.lead

    def now(self) -> float:
        if self._carried_on is None and self.device.failed:
            self._carried_on = (self._last, time.monotonic())
            _LOGGER.warning("the sound output stopped; carrying on with the wall clock")
            if self.on_lost is not None:
                self.on_lost()
        if self._carried_on is not None:
            at, since = self._carried_on
            now = at + (time.monotonic() - since) * self.speed
        else:
            now = self._device_time()
        self._last = max(self._last, now)
        return self._last

    @property
    def lost(self) -> bool:
        return self._carried_on is not None
