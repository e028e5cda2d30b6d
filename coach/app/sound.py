"""Opening the sound side of a session: mixer, output device, audio clock, speaker."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from coach.app.audio_clock import AudioClock
from coach.app.hearing import Playback, SessionCutWatcher, SpanWatcher
from coach.app.options import RunOptions, note
from coach.app.speaker import Speaker
from coach.audio.mixer import Mixer
from coach.audio.music import music_for
from coach.audio.output import (
    NoOutputDevice,
    OutputDevice,
    PacedOutput,
    SoundDeviceOutput,
    WavTap,
    device_arg,
)
from coach.config import Settings
from coach.session.runner import Output
from coach.voice.voice import Voice


@dataclass
class Sound:
    device: OutputDevice
    mixer: Mixer
    clock: AudioClock

    def ring_out(self, until: float) -> None:
        """Let the last cue finish playing before the stream closes."""
        # The finishing chime is longer than any fixed ring-out: wait for the
        # last scheduled sample too (the clock runs `lead` ahead of the render).
        until = max(until, self.mixer.busy_until() / self.mixer.rate + self.clock.lead)
        while not self.clock.lost and self.clock.now() < until:
            time.sleep(min(0.05, max(0.0, (until - self.clock.now()) / self.device.speed)))


    def playback(self) -> Playback:
        """How the listener tells the coach's own sound from the athlete's voice."""
        rate = self.mixer.rate

        def watch(spans: SpanWatcher, cuts: SessionCutWatcher) -> Callable[[], None]:
            return self.mixer.watch(
                lambda start, stop, clip: spans(start / rate, stop / rate, clip),
                on_cut=lambda sample: cuts(sample / rate),
            )

        # Scheduled at t → rendered at t + lead → heard through the speaker after
        # the output latency → captured by the microphone a block later.
        return Playback(watch, self.clock.lead + self.device.latency + _MIC_LATENCY, rate)

_MIC_LATENCY = 0.03


def _lead(device: OutputDevice, rate: int) -> float:
    # Keep the session ahead of the render head by a few blocks, so a cue
    # scheduled "now" is never already behind what the device has taken. The
    # margin is wall time: sped up (--no-audio --speed X) it spans X times more.
    return max(0.1, 3 * device.block_size / rate) * device.speed


@contextmanager
def open_sound(
    settings: Settings, options: RunOptions, voice: Voice | None, outputs: list[Output]
) -> Iterator[Sound | None]:
    if voice is None or (options.no_audio and options.output_wav is None):
        yield None
        return
    audio = settings.audio
    mixer = Mixer(audio.sample_rate)
    mixer.music = music_for(settings.music, mixer.rate, note)
    tap = WavTap(options.output_wav, mixer.rate) if options.output_wav else None
    device: OutputDevice
    if options.no_audio:
        device = PacedOutput(mixer, audio.block_size, options.speed, tap)
    else:
        device = SoundDeviceOutput(
            mixer, device_arg(audio.output_device), audio.block_size, tap, audio.latency
        )
    try:
        device.start()
    except NoOutputDevice as exc:
        if tap is None:
            note(f"{exc}; coaching on screen")
            yield None
            return
        note(f"{exc}; writing --output-wav only")
        device = PacedOutput(mixer, audio.block_size, 1.0, tap)
        device.start()
    clock = AudioClock(
        device,
        _lead(device, mixer.rate),
        on_lost=lambda: note("the sound output stopped; coaching on screen"),
    )
    outputs.append(Speaker(mixer, voice, tones=audio.tones, metronome=audio.metronome))
    try:
        yield Sound(device, mixer, clock)
    finally:
        device.stop()
        if mixer.music is not None:
            mixer.music.close()
        if not options.no_audio:
            note(
                f"audio: {device.underruns} underruns, {mixer.late_clips} late cues "
                f"(output latency {device.latency * 1000:.0f} ms)"
            )
