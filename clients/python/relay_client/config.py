"""Where the client finds its server and key: arguments, then RELAY_URL / RELAY_API_KEY, then
a profile in the user's config dir (`relay login` writes it, mode 0600).

    ~/.config/relay/config.json   ($XDG_CONFIG_HOME, %APPDATA% on Windows; RELAY_CONFIG_DIR overrides)
    {"default_profile": "default", "profiles": {"default": {"url": "…", "api_key": "rk_…"}}}
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .exceptions import ConfigError

DEFAULT_PROFILE = "default"


def config_dir() -> Path:
    if os.environ.get("RELAY_CONFIG_DIR"):
        return Path(os.environ["RELAY_CONFIG_DIR"])
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "relay"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "relay"


def config_path() -> Path:
    return config_dir() / "config.json"


@dataclass(frozen=True)
class Profile:
    name: str
    url: str
    api_key: str = ""

    def __repr__(self) -> str:  # never the key
        return f"Profile(name={self.name!r}, url={self.url!r}, api_key={'***' if self.api_key else ''!r})"


def _read() -> dict[str, Any]:
    path = config_path()
    if not path.exists():
        return {"profiles": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("profiles", {}), dict):
        raise ConfigError(f"{path} is not a relay config (expected {{'profiles': {{…}}}})")
    data.setdefault("profiles", {})
    return data


def save_profile(profile: Profile, *, make_default: bool = False) -> Path:
    """Write the profile; the file is created 0600 (it holds a key) and kept so."""
    data = _read()
    data["profiles"][profile.name] = {"url": profile.url, "api_key": profile.api_key}
    if make_default or "default_profile" not in data:
        data["default_profile"] = profile.name
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    os.chmod(path.with_suffix(".tmp"), 0o600)
    os.replace(path.with_suffix(".tmp"), path)
    return path


def profile_names() -> list[str]:
    return sorted(_read()["profiles"])


def resolve(url: str | None = None, api_key: str | None = None, profile: str | None = None) -> Profile:
    """The URL and key to use: explicit values first; then, with `profile` (--profile), that
    profile; else RELAY_URL / RELAY_API_KEY, then the profile $RELAY_PROFILE or the default."""
    data = _read()
    if profile:
        stored = data["profiles"].get(profile)
        if not stored:
            raise ConfigError(f"no profile {profile!r} in {config_path()} (run: relay login --profile {profile})")
        layers = [stored]
    else:
        env = {"url": os.environ.get("RELAY_URL"), "api_key": os.environ.get("RELAY_API_KEY")}
        profile = os.environ.get("RELAY_PROFILE") or data.get("default_profile") or DEFAULT_PROFILE
        layers = [env, data["profiles"].get(profile) or {}]
    final_url = url or next((layer["url"] for layer in layers if layer.get("url")), None)
    final_key = api_key or next((layer["api_key"] for layer in layers if layer.get("api_key")), "")
    if not final_url:
        raise ConfigError("no server: set RELAY_URL (and RELAY_API_KEY), pass --url, or run `relay login`")
    return Profile(profile, final_url.rstrip("/"), final_key)
