"""A whole guided session rendered into one audio file.

The session runs on the virtual clock exactly as `coach run --simulate` does,
with the real voice's durations; the same mixer then renders its cues block
by block into the file. Every cue lands on sample_at(t) of the simulated
timeline, so the file and `--simulate --json` agree to the sample.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from coach.app.launch import launch
from coach.app.options import RunOptions
from coach.app.speaker import Speaker, sample_at
from coach.audio.mixer import Mixer
from coach.audio.music import music_for
from coach.base.errors import CoachError
from coach.config import Settings
from coach.plan import Plan
from coach.session.events import Action, Say, Tone
from coach.voice.voice import Voice

FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS")}
_TAIL_SECONDS = 1.0
_BLOCK = 48000


@dataclass(frozen=True)
class Exported:
    path: Path
    seconds: float
    cues: int


class _Collector:
    def __init__(self) -> None:
        self.actions: list[Action] = []

    def emit(self, action: Action, now: float) -> None:
        self.actions.append(action)

    def close(self) -> None:
        pass


def _warn(message: str) -> None:
    print(f"coach: {message}", file=sys.stderr, flush=True)


def export_session(
    plan: Plan, settings: Settings, voice: Voice, path: Path, auto_next: float
) -> Exported:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise CoachError(
            f"{path}: can't tell the format; end the name in {', '.join(FORMATS)}"
        )
    collector = _Collector()
    finished = launch(
        plan,
        RunOptions(simulate=True, auto_next=auto_next),
        settings=settings,
        speech=voice,
        out=io.StringIO(),
        extra_outputs=[collector],
    )
    rate = settings.audio.sample_rate
    mixer = Mixer(rate)
    mixer.music = music_for(settings.music, rate, _warn, live=False)
    speaker = Speaker(mixer, voice, tones=settings.audio.tones, metronome=settings.audio.metronome)
    for action in collector.actions:
        speaker.emit(action, action.t)
    # The finishing chime rings on past the last cue's start.
    total = max(sample_at(finished.t + _TAIL_SECONDS, rate), mixer.busy_until())
    container, subtype = kind
    try:
        out = soundfile.SoundFile(
            str(path), "w", samplerate=rate, channels=1, format=container, subtype=subtype
        )
    except (OSError, RuntimeError, ValueError) as exc:
        raise CoachError(f"{path}: can't write it ({exc})") from None
    with out:
        block = np.zeros(_BLOCK, dtype=np.float32)
        while mixer.position < total:
            part = block[: min(_BLOCK, total - mixer.position)]
            if mixer.music is not None:
                mixer.music.fill()  # no loader thread here: decode the next track in turn
            mixer.render_into(part)
            out.write(part)
    cues = sum(isinstance(a, (Say, Tone)) for a in collector.actions)
    return Exported(path, total / rate, cues)
