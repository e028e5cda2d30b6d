"""The `--web [ADDR:]PORT` argument: where the page listens."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from coach.base.errors import CoachError

DEFAULT_HOST = "127.0.0.1"  # the machine itself only, unless told otherwise
DEFAULT_PORT = 8765


@dataclass(frozen=True)
class WebAddress:
    host: str
    port: int

    @property
    def local(self) -> bool:
        """This machine alone can reach it."""
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"

    @property
    def everywhere(self) -> bool:
        """Listening on every interface: the link shown must name a real one."""
        return self.host in ("0.0.0.0", "::")


def parse_address(spec: str) -> WebAddress:
    """'127.0.0.1:8765', '0.0.0.0:8765', ':8765', '8765', '[::1]:8765' or a host name."""
    text = spec.strip()
    host, port_text = DEFAULT_HOST, text
    if text.startswith("["):
        inside, sep, rest = text[1:].partition("]")
        if not sep or not rest.startswith(":"):
            raise CoachError(f"--web: {spec!r} is not [IPV6]:PORT, e.g. '[::1]:8765'")
        host, port_text = inside, rest[1:]
    elif ":" in text:
        host, _, port_text = text.rpartition(":")
        host = host or DEFAULT_HOST
    try:
        port = int(port_text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise CoachError(f"--web: {spec!r} has no port 0-65535; e.g. --web 127.0.0.1:8765")
    if not _host_ok(host):
        raise CoachError(f"--web: {host!r} is not an IP address or host name")
    return WebAddress(host, port)


def _host_ok(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        labels = host.split(".")
        return all(label and label.replace("-", "").isalnum() for label in labels)
