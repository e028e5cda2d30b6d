"""A private PulseAudio server with virtual devices, for end-to-end audio tests.

Two null sinks stand in for the hardware: `speaker` (48 kHz mono; its monitor
records what the coach played) and `mic` (16 kHz mono; its monitor is the
default source, so `play("mic", wav)` speaks into the coach's microphone).
Everything lives in a directory of its own, so the server never meets the
desktop's (or another test run's) PulseAudio, and clients find it through
`env` only. Through libasound2-plugins, ALSA's `default` device (what PortAudio
and sounddevice open) goes to this server whenever PULSE_SERVER names it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

TOOLS = ("pulseaudio", "pactl", "parecord", "paplay")
DEBIAN_PACKAGES = "pulseaudio pulseaudio-utils libasound2-plugins"

SPEAKER_RATE = 48000
MIC_RATE = 16000


class PulseUnavailable(RuntimeError):
    pass


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


class Recording:
    """A running parecord; `stop()` ends it and leaves a complete WAV file."""

    def __init__(self, process: subprocess.Popen[bytes], path: Path) -> None:
        self.process = process
        self.path = path

    def stop(self, timeout: float = 10) -> Path:
        if self.process.poll() is None:
            # SIGINT: parecord drains its stream and writes the WAV header.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return self.path

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PulseServer:
    """`with PulseServer(tmp_dir) as pulse:` — started on enter, stopped on exit."""

    def __init__(self, root: Path, start_timeout: float = 15) -> None:
        self.root = root
        self.start_timeout = start_timeout
        self.socket = root / "native"
        self.log = root / "pulseaudio.log"
        self._daemon: subprocess.Popen[bytes] | None = None
        runtime = root / "run"
        client_conf = root / "client.conf"
        self._daemon_env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(runtime),
            "PULSE_RUNTIME_PATH": str(runtime / "pulse"),
            "HOME": str(root),  # its cookie and state stay in here
            "PULSE_CLIENTCONFIG": str(client_conf),
        }
        # What a client needs to reach this server and no other; never start one itself.
        self.env: dict[str, str] = {
            **os.environ,
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_CLIENTCONFIG": str(client_conf),
        }
        for name in ("PULSE_SINK", "PULSE_SOURCE", "PULSE_COOKIE"):
            self.env.pop(name, None)

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> None:
        missing = missing_tools()
        if missing:
            raise PulseUnavailable(
                f"{', '.join(missing)} not found: the live audio tests need a PulseAudio "
                f"server (sudo apt-get install {DEBIAN_PACKAGES}; tools/bootstrap does it)"
            )
        (self.root / "run" / "pulse").mkdir(parents=True, exist_ok=True)
        (self.root / "client.conf").write_text("autospawn = no\n")
        self.socket.unlink(missing_ok=True)
        command = [
            "pulseaudio",
            "-n",  # no default.pa: only the modules below
            "--daemonize=no",
            "--use-pid-file=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--realtime=no",
            "--high-priority=no",
            f"--log-target=file:{self.log}",
            f"--load=module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
            # float samples: what the coach sent comes back bit for bit
            f"--load=module-null-sink sink_name=speaker rate={SPEAKER_RATE} channels=1 "
            "format=float32le",
            f"--load=module-null-sink sink_name=mic rate={MIC_RATE} channels=1",
        ]
        self._daemon = subprocess.Popen(
            command,
            env=self._daemon_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._daemon.poll() is not None:
                raise PulseUnavailable(
                    f"pulseaudio exited with {self._daemon.returncode}; see {self.log}"
                )
            if self._answers():
                break
            if time.monotonic() > deadline:
                self.stop()
                raise PulseUnavailable(f"pulseaudio did not answer in time; see {self.log}")
            time.sleep(0.05)
        self.pactl("set-default-sink", "speaker")
        self.pactl("set-default-source", "mic.monitor")

    def _answers(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            done = subprocess.run(
                ["pactl", "info"], env=self.env, capture_output=True, timeout=5, check=False
            )
        except subprocess.TimeoutExpired:
            return False
        return done.returncode == 0

    def stop(self) -> None:
        daemon, self._daemon = self._daemon, None
        if daemon is None or daemon.poll() is not None:
            return
        daemon.terminate()
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(10)

    def __enter__(self) -> PulseServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- helpers -----------------------------------------------------------------

    def pactl(self, *args: str, timeout: float = 10) -> str:
        done = subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def record(
        self,
        source: str,
        path: Path,
        *,
        rate: int | None = None,
        latency_msec: int = 10,
        ready_timeout: float = 10,
    ) -> Recording:
        """Start recording `source` (e.g. "speaker.monitor") into a float WAV file.

        Returns once samples are arriving: an idle null sink takes up to a couple
        of seconds to start delivering to a new recorder, and whatever played
        before that would be missing from the file.
        """
        if rate is None:
            rate = SPEAKER_RATE if source.startswith("speaker") else MIC_RATE
        command = [
            "parecord",
            f"--device={source}",
            "--file-format=wav",
            "--format=float32le",
            f"--rate={rate}",
            "--channels=1",
            # A short fragment keeps the sink (and so the monitor) rendering in
            # small steps, instead of seconds ahead of time.
            f"--latency-msec={latency_msec}",
            str(path),
        ]
        process = subprocess.Popen(
            command, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        recording = Recording(process, path)
        deadline = time.monotonic() + ready_timeout
        while not (path.exists() and path.stat().st_size > 4096):
            if process.poll() is not None:
                stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise RuntimeError(f"parecord exited with {process.returncode}: {stderr.strip()}")
            if time.monotonic() > deadline:
                recording.stop()
                raise RuntimeError(f"parecord recorded nothing from {source} in {ready_timeout}s")
            time.sleep(0.02)
        return recording

    def play(self, sink: str, wav: Path, timeout: float = 60) -> None:
        """Play a sound file into `sink` ("mic" speaks to the coach) and wait for its end."""
        subprocess.run(
            ["paplay", f"--device={sink}", str(wav)],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=timeout,
        )
