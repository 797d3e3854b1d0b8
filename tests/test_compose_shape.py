"""docker-compose.yml and scripts/compose_smoke.py (run by CI) read the same commands."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def smoke():
    spec = importlib.util.spec_from_file_location("compose_smoke", ROOT / "scripts" / "compose_smoke.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_smoke_reads_every_command_and_health_check_of_the_compose_file():
    services = smoke().compose_services()
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["web"]["command"] == ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "/ready/" in " ".join(services["web"]["healthcheck"])
    assert "inspect ping" in services["worker"]["healthcheck"][1]
    assert services["postgres"]["healthcheck"][0] == "CMD-SHELL"


def test_the_image_starts_gunicorn_as_compose_does():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]' in dockerfile


def test_the_smoke_computes_the_codes_an_authenticator_shows():
    from django_otp.oath import TOTP

    key = "3132333435363738393031323334353637383930"  # RFC 6238's test key
    assert smoke().totp(key, now=59, digits=8) == "94287082"
    device = TOTP(bytes.fromhex(key))
    device.time = 1111111109
    assert smoke().totp(key, now=1111111109) == f"{device.token():06d}" == "081804"


def test_compose_commands_run_with_the_local_programs():
    module = smoke()
    assert module.local_command(["CMD-SHELL", "celery ping celery@$$HOSTNAME"]) == [
        "/bin/sh",
        "-c",
        "celery ping celery@$HOSTNAME",
    ]
    assert module.local_command(["gunicorn", "-c", "x"])[0].endswith("/gunicorn")
