"""Test-wide settings, service markers and the named personas every test can use."""

from __future__ import annotations

import contextlib

import pytest

from . import services


def pytest_configure(config) -> None:
    from django.conf import settings

    # Serve static files straight from the finders: tests never depend on a previous collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_CHECKS = {
    "postgres": services.have_postgres,
    "redis": services.have_redis,
    "browser": services.have_browser,
}


def pytest_runtest_setup(item) -> None:
    from cstportal.api.throttling import forget_leases

    forget_leases()  # a process's throttle leases live in its memory: each test starts without one
    for name, check in _CHECKS.items():
        if item.get_closest_marker(name) is None:
            continue
        ok, reason = check()
        if ok:
            continue
        if services.require_services():
            pytest.fail(f"REQUIRE_SERVICES=1 but the test {reason}", pytrace=False)
        pytest.skip(reason)


# --- personas -------------------------------------------------------------------------------------------------

PASSWORD = "Prova-Password-2026"


def _person(email: str, *, global_role: str = "", roles: tuple[tuple[str, str], ...] = ()):
    from municipalities.models import Body, Membership, User

    user = User.objects.create_user(email=email, password=PASSWORD, first_name=email.split("@")[0].title(),
                                    global_role=global_role, is_staff=global_role == "cst_admin")
    for istat, role in roles:
        Membership.objects.create(user=user, body=Body.objects.get(istat_code=istat), role=role)
    return user


@pytest.fixture
def pesaro(db):
    from municipalities.models import Body

    return Body.objects.get(istat_code="041044")


@pytest.fixture
def fano(db):
    from municipalities.models import Body

    return Body.objects.get(istat_code="041013")


@pytest.fixture
def urbino(db):
    from municipalities.models import Body

    return Body.objects.get(istat_code="041067")


@pytest.fixture
def frontino(db):
    from municipalities.models import Body

    return Body.objects.get(istat_code="041017")


@pytest.fixture
def cst_admin(db):
    return _person("staff@cstpu.test", global_role="cst_admin")


@pytest.fixture
def analyst(db):
    return _person("analista@cstpu.test", global_role="analyst")


@pytest.fixture
def publisher_pesaro(db):
    return _person("redazione.pesaro@cstpu.test", roles=(("041044", "publisher"),))


@pytest.fixture
def referent_fano(db):
    return _person("referente.fano@cstpu.test", roles=(("041013", "referent"),))


@pytest.fixture
def member_fano(db):
    return _person("dipendente.fano@cstpu.test", roles=(("041013", "member"),))


@pytest.fixture
def referent_urbino(db):
    return _person("referente.urbino@cstpu.test", roles=(("041067", "referent"),))


@pytest.fixture
def referent_frontino(db):
    return _person("referente.frontino@cstpu.test", roles=(("041017", "referent"),))


@pytest.fixture
def outsider(db):
    """A logged-in person with no role in any body."""
    return _person("esterno@cstpu.test")


@pytest.fixture
def redis_server(tmp_path_factory):
    """A private Redis server for this test (started on a free port, stopped afterwards)."""
    ok, reason = services.have_redis()
    if not ok:
        if services.require_services():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    server = services.RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    with contextlib.suppress(Exception):  # already stopped
        server.thaw()
    server.stop()
