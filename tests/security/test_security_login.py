"""Logging in once: the session cookie (HttpOnly, SameSite=Strict), the CSRF check, the
``?token=`` exchange for a clean URL, failed logins limited, the cookie on the websocket and
the API, logout."""

from __future__ import annotations

from control_room.auth import COOKIE
from tests.security.helpers import make_token, raw_http, ws_client
from tests.support.server import RunningServer


def _origin(server: RunningServer) -> dict[str, str]:
    return {"Origin": server.base_url}


def _cookie(set_cookies: list[str]) -> str:
    for header in set_cookies:
        name, _, rest = header.partition("=")
        if name == COOKIE:
            return rest.split(";", 1)[0]
    raise AssertionError(f"no {COOKIE} cookie in {set_cookies}")


def test_the_login_page_is_a_form_without_the_token(server: RunningServer) -> None:
    status, headers, body, _ = raw_http(server, "GET", "/login?next=/regie")
    assert status == 200 and 'type="password"' in body and 'action="/login"' in body
    assert headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_a_good_login_sets_an_httponly_strict_cookie_and_goes_to_the_clean_regie(
    server: RunningServer,
) -> None:
    status, headers, _, cookies = raw_http(
        server, "POST", "/login", headers=_origin(server), form={"token": server.token}
    )
    assert status == 303 and headers["location"] == "/regie"
    [session] = [c for c in cookies if c.startswith(COOKIE)]
    attributes = [a.strip().lower() for a in session.split(";")]
    assert "httponly" in attributes and "samesite=strict" in attributes and "path=/" in attributes
    assert "secure" not in attributes  # plain HTTP here; set over HTTPS
    assert server.token not in headers["location"]


def test_a_login_goes_only_to_a_path_of_this_server(server: RunningServer) -> None:
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        status, headers, _, _ = raw_http(
            server,
            "POST",
            "/login",
            headers=_origin(server),
            form={"token": server.token, "next": evil},
        )
        assert status == 303 and headers["location"] == "/regie", evil
    status, headers, _, _ = raw_http(
        server,
        "POST",
        "/login",
        headers=_origin(server),
        form={"token": server.token, "next": "/timer/lille"},
    )
    assert headers["location"] == "/timer/lille"


def test_a_login_from_another_sites_page_is_refused(server: RunningServer) -> None:
    status, _, _, cookies = raw_http(
        server,
        "POST",
        "/login",
        headers={"Origin": "https://evil.example"},
        form={"token": server.token},
    )
    assert status == 403 and cookies == []
    status, _, _, cookies = raw_http(
        server,
        "POST",
        "/login",
        headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        form={"token": server.token},
    )
    assert status == 403 and cookies == []


def test_the_old_regie_url_logs_in_and_redirects_to_the_clean_url(server: RunningServer) -> None:
    status, headers, _, cookies = raw_http(server, "GET", f"/regie?token={server.token}&name=Marie")
    assert status == 303 and headers["location"] == "/regie?name=Marie"
    assert _cookie(cookies) == server.token
    status, headers, _, cookies = raw_http(server, "GET", "/regie?token=wrong")
    assert status == 303 and headers["location"] == "/regie?login=refused" and cookies == []


def test_failed_logins_are_limited_per_address(server: RunningServer) -> None:
    for _ in range(5):
        status, _, _, _ = raw_http(
            server, "POST", "/login", headers=_origin(server), form={"token": "guess"}
        )
        assert status == 401
    status, headers, _, _ = raw_http(
        server, "POST", "/login", headers=_origin(server), form={"token": server.token}
    )
    assert status == 429 and 1 <= int(headers["retry-after"]) <= 60
    # the ?token= door counts too
    assert raw_http(server, "GET", "/regie?token=guess")[0] == 429


async def test_the_cookie_lets_the_regie_in_over_the_websocket(server: RunningServer) -> None:
    cookies = raw_http(
        server, "POST", "/login", headers=_origin(server), form={"token": server.token}
    )[3]
    cookie = {"Cookie": f"{COOKIE}={_cookie(cookies)}"}
    async with ws_client(server, query="role=regie", headers=cookie, hello={"role": "regie"}) as r:
        welcome = await r.wait_for(lambda m: m["type"] == "welcome", what="welcome")
        assert welcome["authenticated"] is True
        await r.wait_for(lambda m: m["type"] == "journal", what="the régie's journal")
        result = await r.command({"type": "hold", "channel": "main"})
        assert result["ok"] is True
    async with ws_client(server, query="role=regie", hello={"role": "regie"}) as anonymous:
        refused = await anonymous.wait_for(lambda m: m["type"] == "error", what="read-only")
        assert refused["detail"] == {"code": "unauthorized"}


def test_the_cookie_works_on_the_api_only_from_the_servers_own_pages(
    server: RunningServer,
) -> None:
    cookies = raw_http(
        server, "POST", "/login", headers=_origin(server), form={"token": server.token}
    )[3]
    cookie = f"{COOKIE}={_cookie(cookies)}"
    command = {"type": "hold", "channel": "main"}
    status, _ = server.request(
        "POST", "/api/commands", body=command, headers={"Cookie": cookie, **_origin(server)}
    )
    assert status == 200
    status, body = server.request(
        "POST",
        "/api/commands",
        body={"type": "release", "channel": "main"},
        headers={"Cookie": cookie, "Origin": "https://evil.example"},
    )
    assert status == 403 and "cookie" in body["error"]
    status, _ = server.request("GET", "/api/journal", headers={"Cookie": cookie})
    assert status == 200


def test_a_moderator_logs_in_for_the_timer(server: RunningServer) -> None:
    token = make_token(server, "moderator", ["lille"], "Modération Lille")
    status, headers, _, cookies = raw_http(server, "GET", f"/timer/lille?token={token}")
    assert status == 303 and headers["location"] == "/timer/lille"
    assert _cookie(cookies) == token


def test_logout_clears_the_cookie(server: RunningServer) -> None:
    status, headers, _, cookies = raw_http(server, "POST", "/logout", headers=_origin(server))
    assert status == 303 and headers["location"] == "/login"
    [cleared] = [c for c in cookies if c.startswith(COOKIE)]
    assert "max-age=0" in cleared.lower() or "expires=" in cleared.lower()
