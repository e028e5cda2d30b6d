"""Learning the athlete's voice from a recording: what it holds, what is wrong with
it and how to fix that, and the profile it makes.

A recording is judged on its speech (10 ms frames well over its quiet floor): enough
of it, loud enough, not clipped, clear of the noise or the talk behind it, and one
voice all through. Too little speech or a clipped voice makes no profile; the rest
make one, with a word on how to make a better one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coach.base.samples import Samples
from coach.listen.athlete import speaker
from coach.listen.athlete.voice_profile import VoiceProfile

RATE = speaker.RATE
_FRAME = RATE // 100  # 10 ms
# Speech is a frame this far over the recording's quiet floor (its 10th percentile):
# a syllable's vowels, not the breath between words.
_SPEECH_OVER_FLOOR_DB = 12.0
_SILENT_DBFS = -70.0  # nothing said at all: a muted microphone
NOISE_ONLY_DBFS = -50.0  # no speech found, yet this loud: noise drowned the voice
# Seconds of speech (voiced 10 ms frames, pauses left out) a profile needs: fewer and a
# word or two sway it; a recording given with --from may be short, and 5 s is a profile.
MIN_SPEECH = 5.0
GOOD_SPEECH = 15.0  # seconds that make a steady one (the budget is 30 s)
QUIET_DBFS = -38.0  # speech under this: a far or turned-down microphone
CLIPPED = 0.002  # share of speech samples at full scale beyond which it is distorted
CLIPPED_BADLY = 0.05  # so much that the voice's timbre is another's: no profile
NOISY_DB = 15.0  # speech less than this over the gaps between words: noise or talk behind
# Two stretches of the recording whose voices match under this are two people's (one
# voice's 3 s stretches match each other at 0.85 and over, two voices' under 0.5).
OTHER_VOICE = 0.6
_STRETCH = 3.0  # seconds of speech per stretch compared with the whole


@dataclass(frozen=True)
class Problem:
    what: str  # what is wrong, in a few words
    fix: str  # how to fix it
    fatal: bool  # no profile is made

    def line(self) -> str:
        return f"{self.what}: {self.fix}"


@dataclass(frozen=True)
class Enrolment:
    """What a recording gave: the profile (None if it could make none) and its problems."""

    profile: VoiceProfile | None
    problems: tuple[Problem, ...]
    speech_seconds: float
    level_dbfs: float  # of the speech
    snr_db: float  # speech over the gaps between words


def _frame_db(audio: Samples) -> np.ndarray:
    count = audio.size // _FRAME
    frames = audio[: count * _FRAME].reshape(count, _FRAME).astype(np.float64)
    db: np.ndarray = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    return db


def speech_frames(audio: Samples) -> np.ndarray:
    """Which 10 ms frames hold speech (a mask), by level over the quiet floor."""
    db = _frame_db(audio)
    if db.size == 0:
        return np.zeros(0, dtype=bool)
    floor = float(np.percentile(db, 10))
    speech: np.ndarray = (db > floor + _SPEECH_OVER_FLOOR_DB) & (db > _SILENT_DBFS)
    # A frame either side of speech belongs to it (consonants, the word's onset).
    widened = speech.copy()
    widened[1:] |= speech[:-1]
    widened[:-1] |= speech[1:]
    return widened


def level_dbfs(audio: Samples) -> float:
    """The loudness of the speech in `audio` (RMS of its speech frames), dBFS."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    mask = speech_frames(audio)
    db = _frame_db(audio)
    if not mask.any():
        return float(db.max()) if db.size else -120.0
    return float(10 * np.log10(np.mean(10 ** (db[mask] / 10)) + 1e-12))


def enrol(audio: Samples) -> Enrolment:
    """The profile of the voice in 16 kHz mono `audio`, and what is wrong with it."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    db = _frame_db(audio)
    mask = speech_frames(audio)
    seconds = float(mask.sum()) * _FRAME / RATE
    if not mask.any():
        loudest = float(db.max(initial=-120.0))
        if loudest > NOISE_ONLY_DBFS:  # sound, but never a voice over it
            problem = Problem("only noise heard, no voice over it", "record again somewhere "
                              "quiet, close to the microphone", fatal=True)  # fmt: skip
        else:
            problem = Problem("no speech heard", "check the microphone is on and read the "
                              "sentences aloud", fatal=True)  # fmt: skip
        return Enrolment(None, (problem,), 0.0, loudest, 0.0)
    level = float(10 * np.log10(np.mean(10 ** (db[mask] / 10)) + 1e-12))
    gaps = db[~mask]
    snr = level - (float(np.median(gaps)) if gaps.size else -120.0)
    said = audio[: mask.size * _FRAME].reshape(mask.size, _FRAME)[mask].reshape(-1)
    problems: list[Problem] = []
    if level < QUIET_DBFS:  # said first: it explains a "too short" too
        problems.append(Problem(f"too quiet (speech at {level:.0f} dBFS)", "come closer to "
                                "the microphone or turn its input level up", fatal=False))
    clipped = float(np.mean(np.abs(said) >= 0.99))
    if clipped > CLIPPED:
        problems.append(Problem(f"clipped ({clipped:.1%} of the speech at full scale)",
                                "move back from the microphone or turn its input level "
                                "down, and record again",
                                fatal=clipped > CLIPPED_BADLY))  # fmt: skip
    if seconds < MIN_SPEECH:
        problems.append(Problem(f"too short ({seconds:.0f} s of speech; {MIN_SPEECH:.0f} s "
                                "at least)", f"read all the sentences, about "
                                f"{GOOD_SPEECH:.0f} s of speech", fatal=True))  # fmt: skip
    if any(p.fatal for p in problems):
        return Enrolment(None, tuple(problems), seconds, level, snr)
    if snr < NOISY_DB:
        problems.append(Problem(f"noise or talk behind you (speech only {snr:.0f} dB over "
                                "it)", "record again somewhere quiet: no TV, music or "
                                "others talking", fatal=False))  # fmt: skip
    vector = speaker.embed(said)
    others = _other_voice(said)
    if others is not None:
        problems.append(Problem(f"another voice in the recording (a stretch matches the "
                                f"other at {others:.2f})", "record again with nobody else "
                                "talking", fatal=False))  # fmt: skip
    if seconds < GOOD_SPEECH:
        problems.append(Problem(f"short ({seconds:.0f} s of speech)", "for a steadier "
                                f"profile read for {GOOD_SPEECH:.0f} s or more",
                                fatal=False))  # fmt: skip
    profile = VoiceProfile(tuple(float(v) for v in vector), seconds)
    return Enrolment(profile, tuple(problems), seconds, level, snr)


def _other_voice(said: Samples) -> float | None:
    """The lowest match between two stretches of the speech, if they are two voices."""
    step = int(_STRETCH * RATE)
    vectors = [speaker.embed(said[i : i + step]) for i in range(0, said.size - step // 2, step)]
    if len(vectors) < 2:
        return None
    stacked = np.stack(vectors)
    worst = float((stacked @ stacked.T).min())
    return worst if worst < OTHER_VOICE else None
