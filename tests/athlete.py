"""A scripted athlete for end-to-end tests: listens to the coach, talks back.

It hears the coach through the speaker sink's monitor (it waits for the coach
to go quiet before speaking, as a person would), speaks commands into the
virtual microphone with a natural neural voice, and reads the coach's JSON
timeline to check how the coach reacted. Like a person, it says a command
again (or another way) when the coach didn't react.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from pulse import PulseServer

Event = dict[str, Any]

_QUIET_DB = -45.0


@cache
def _tts() -> Any:
    try:
        from hibari import Hibari
    except ImportError:
        pytest.skip("needs hibari-tts, a dev extra: pip install -e '.[dev]'")

    return Hibari()


def spoken(phrase: str, folder: Path, voice: str = "espeak") -> Path:
    """`phrase` in one of the athlete's voices (espeak-ng's en-us+f2, or the neural
    hibari voice), as a 16 kHz WAV with a little air around it."""
    import soxr

    path = folder / f"{voice}_{phrase.replace(' ', '_')}.wav"
    if path.exists():
        return path
    if voice == "hibari":
        audio = soxr.resample(_tts()(phrase + ".", seed=0), 24000, 16000).astype(np.float32)
    else:
        raw = folder / "raw.wav"
        subprocess.run(["espeak-ng", "-v", "en-us+f2", "-s", "150", "-w", str(raw), phrase],
                       check=True)
        audio, rate = soundfile.read(str(raw), dtype="float32")
        audio = soxr.resample(audio, rate, 16000).astype(np.float32)
    pad = np.zeros(1600, dtype=np.float32)
    soundfile.write(str(path), np.concatenate([pad, audio * 0.5, pad]), 16000)
    return path


VOICES = ("espeak", "hibari")


class CoachProcess:
    """`coach …` running against the PulseAudio server; its JSON timeline collected."""

    def __init__(
        self,
        args: Sequence[str],
        pulse: PulseServer,
        home: Path,
        cwd: Path,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        import sys

        env = {**pulse.env, "COACH_HOME": str(home), **(extra_env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coach", *args],
            cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.events: list[Event] = []
        self.arrived: list[float] = []
        self._lock = threading.Lock()
        self.stderr = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._errors = threading.Thread(target=self._read_errors, daemon=True)
        self._errors.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.strip()
            if not line.startswith("{"):
                continue
            with self._lock:
                self.events.append(json.loads(line))
                self.arrived.append(time.monotonic())

    def snapshot(self) -> list[Event]:
        with self._lock:
            return list(self.events)

    def wait_for(self, match: Callable[[Event], bool], timeout: float, after: int = 0) -> Event:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.snapshot()[after:]:
                if match(event):
                    return event
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no matching event within {timeout}s; last: {self.snapshot()[-5:]}")

    def _read_errors(self) -> None:
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        self._errors.join(timeout=5)
        return code, self.stderr

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Ears:
    """Listens to the speaker sink's monitor: when did the coach last make a sound?"""

    def __init__(self, pulse: PulseServer) -> None:
        self.proc = subprocess.Popen(
            ["parec", "--device=speaker.monitor", "--format=float32le", "--rate=16000",
             "--channels=1", "--latency-msec=20", "--raw"],
            env=pulse.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.last_sound = time.monotonic()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        assert self.proc.stdout is not None
        while True:
            data = self.proc.stdout.read(320 * 4)
            if not data:
                return
            chunk = np.frombuffer(data, dtype=np.float32)
            rms = float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2))) + 1e-12
            if 20 * np.log10(rms) > _QUIET_DB:
                self.last_sound = time.monotonic()

    def wait_quiet(self, quiet_for: float = 0.8, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() - self.last_sound < quiet_for:
            if time.monotonic() > deadline:
                raise AssertionError("the coach never went quiet")
            time.sleep(0.02)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


class Athlete:
    def __init__(self, pulse: PulseServer, coach: CoachProcess, voice_dir: Path) -> None:
        self.pulse = pulse
        self.coach = coach
        self.voice_dir = voice_dir
        self.ears = Ears(pulse)
        self.said = 0  # commands said, each try counted
        self.heard = 0  # of them, heard as meant
        self.backend = "auto"  # the listener's backend, for the rate a test holds it to

    def say(self, phrase: str, voice: str = "espeak") -> None:
        self.ears.wait_quiet()
        self.pulse.play("mic", spoken(phrase, self.voice_dir, voice))

    def command(self, expected: str, *phrases: str, tries: int = 4, wait: float = 6.0) -> Event:
        """Say the phrases in turn (in turn in each voice) until the coach hears
        `expected`; its command event. Every saying counts (`said`): a test holds the
        coach to a rate with `assert_heard_rate`, so the tries hide no miss."""
        for attempt in range(tries):
            phrase = phrases[attempt % len(phrases)]
            mark = len(self.coach.snapshot())
            self.said += 1
            self.say(phrase, VOICES[(attempt // len(phrases)) % len(VOICES)])
            try:
                heard = self._heard(expected, mark, wait)
            except AssertionError:
                continue
            self.heard += 1
            return heard
        raise AssertionError(f"the coach never heard {expected!r} ({phrases})")

    def stop(self, tries: int = 4) -> Event:
        """End the session by voice: "stop workout", or "stop" and, asked to confirm
        (coach.session.stop_check), "stop" again."""
        heard = self.command("stop", "stop workout", "stop", tries=tries)
        for _ in range(tries):  # asked again if the window passed unheard
            if not heard.get("confirm"):
                break
            heard = self.command("stop", "stop", tries=tries)
        return heard

    def assert_heard_rate(self, rate: float) -> None:
        """Of all the commands said (each try counted), at least `rate` were heard."""
        assert self.heard >= rate * self.said, (
            f"heard {self.heard} of {self.said} said (under {rate:.0%})"
        )

    def _heard(self, expected: str, mark: int, wait: float) -> Event:
        return self.coach.wait_for(
            lambda e: e["event"] == "command" and e["command"] == expected, timeout=wait,
            after=mark,
        )

    def close(self) -> None:
        self.ears.close()
