"""Staff accounts and logins for the tests that drive the workbench over HTTP."""
from __future__ import annotations

import re

import requests

from bot.db import session_factory
from bot.staff import accounts


def add_users(users: dict[str, tuple[str, str]]) -> None:
    """`users`: name → (role, password); accounts that exist already are left as they are."""
    with session_factory()() as s, s.begin():
        for name, (role, password) in users.items():
            if accounts.get(session=s, name=name) is None:
                accounts.add_user(session=s, name=name, role=role, password=password)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(url: str, name: str, password: str) -> requests.Session:
    s = requests.Session()
    form = s.get(url + "/login", timeout=10)
    r = s.post(url + "/login", data={"name": name, "password": password, "csrf": csrf_of(form.text)},
               timeout=10, allow_redirects=False)
    assert r.status_code == 302, r.text
    return s
