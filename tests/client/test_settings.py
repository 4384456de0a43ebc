"""Settings from the environment, client id persistence, the 0600 token cache."""

from __future__ import annotations

import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from nemo_jupyter import ConfigError, Settings
from nemo_jupyter.client.settings import detect_platform


def test_defaults_local_and_cloud_when_token(tmp_path: Path) -> None:
    env = {"NEMO_CONFIG_DIR": str(tmp_path)}
    assert Settings.from_env(env).backend == "local"
    s = Settings.from_env({**env, "NEMO_TOKEN": "nmv_usr_abc123"})
    assert s.backend == "cloud" and s.token == "nmv_usr_abc123"
    assert s.api_url == "https://mega-api-prod.nemovideo.ai" and s.web_url == "https://nemovideo.com"
    assert s.config_dir == tmp_path and s.max_upload_mb == 500


def test_every_variable_is_read(tmp_path: Path) -> None:
    s = Settings.from_env({
        "NEMO_BACKEND": "http://127.0.0.1:9/", "NEMO_API_URL": "http://api.test/", "NEMO_WEB_URL": "http://web.test",
        "NEMO_CLIENT_ID": "cid-1", "NEMO_PLATFORM": "vscode", "NEMO_MAX_UPLOAD_MB": "12.5",
        "NEMO_CONFIG_DIR": str(tmp_path / "c"), "NEMO_ENGINE_HOME": str(tmp_path / "e")})
    assert (s.backend, s.api_url, s.web_url, s.client_id, s.platform) == (
        "http://127.0.0.1:9", "http://api.test", "http://web.test", "cid-1", "vscode")
    assert s.max_upload_bytes == int(12.5 * 1024 * 1024)
    assert s.engine_home == tmp_path / "e"
    assert s.attribution_headers["X-Skill-Platform"] == "vscode"
    assert s.attribution_headers["X-Skill-Source"] == "nemo-jupyter"


def test_overrides_win_over_env(tmp_path: Path) -> None:
    s = Settings.from_env({"NEMO_BACKEND": "cloud", "NEMO_CONFIG_DIR": str(tmp_path)}, backend="local",
                          platform="colab")
    assert s.backend == "local" and s.platform == "colab"


@pytest.mark.parametrize("env", [{"NEMO_BACKEND": "ftp://x"}, {"NEMO_BACKEND": "somewhere"},
                                 {"NEMO_MAX_UPLOAD_MB": "lots"}, {"NEMO_MAX_UPLOAD_MB": "-1"}])
def test_bad_settings_raise_config_error_saying_what_to_do(env: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({**env, "NEMO_CONFIG_DIR": str(tmp_path)})
    assert "NEMO_" in str(info.value) or "backend" in str(info.value).lower()


def test_platform_detection_does_not_import_ipykernel() -> None:
    expected = "jupyter" if "ipykernel" in sys.modules else "python"
    assert detect_platform() == expected


def test_client_id_is_persisted_and_reused(tmp_path: Path) -> None:
    s = Settings.from_env({"NEMO_CONFIG_DIR": str(tmp_path)})
    first = s.resolve_client_id()
    assert len(first) == 36 and (tmp_path / "client_id").read_text().strip() == first
    assert Settings.from_env({"NEMO_CONFIG_DIR": str(tmp_path)}).resolve_client_id() == first
    assert Settings.from_env({"NEMO_CONFIG_DIR": str(tmp_path), "NEMO_CLIENT_ID": "mine"}).resolve_client_id() == "mine"


def test_token_cache_is_per_backend_and_private(tmp_path: Path) -> None:
    s = Settings.from_env({"NEMO_CONFIG_DIR": str(tmp_path)})
    s.store_token("http://a", {"token": "nmv_usr_aaaa", "user_id": "anon_1"})
    s.store_token("http://b", {"token": "nmv_usr_bbbb", "user_id": "anon_2"})
    assert stat.S_IMODE(s.token_file.stat().st_mode) == 0o600
    assert s.cached_token("http://a")["token"] == "nmv_usr_aaaa"
    assert s.cached_token("http://b")["user_id"] == "anon_2"
    s.store_token("http://a", None)
    assert s.cached_token("http://a") is None and s.cached_token("http://b") is not None
    assert not list(tmp_path.glob("*.tmp"))


def test_settings_repr_hides_token(tmp_path: Path) -> None:
    s = Settings.from_env({"NEMO_CONFIG_DIR": str(tmp_path), "NEMO_TOKEN": "nmv_usr_supersecret42"})
    assert "supersecret42" not in repr(s)


# -- a config folder that cannot be written ------------------------------------------------------
def test_a_config_folder_that_cannot_be_written_is_a_config_error(cloud: Any, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A hub home over quota, a file where the folder should be: a ConfigError that names the folder
    and says where to point NEMO_CONFIG_DIR, never a bare OSError; nothing is sent that needs it."""
    from nemo_jupyter import Nemo

    blocker = tmp_path / "home-over-quota"
    blocker.write_text("a file where the config folder should be")
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(blocker / "nemo-jupyter"))
    with pytest.raises(ConfigError) as info:
        Nemo(cloud.url, retries=0).session().ask("make a forest video")
    assert "NEMO_CONFIG_DIR" in info.value.hint and str(blocker) in info.value.message
    assert cloud.chat_turns == 0

    good = tmp_path / "config"
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(good))
    nemo = Nemo(cloud.url, retries=0)
    s = nemo.session()
    s.ask("make a forest video")
    (good / "jobs.json.lock").unlink(missing_ok=True)
    (good / "jobs.json.lock").mkdir()       # the job list cannot be written now
    with pytest.raises(ConfigError) as export:
        s.export()
    assert "jobs.json" in export.value.message and "NEMO_CONFIG_DIR" in export.value.hint
    assert cloud.render_submits == 0          # refused before anything was sent: no job is orphaned
    nemo.close()
