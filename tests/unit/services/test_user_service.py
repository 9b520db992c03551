"""UserService over the in-memory user repository."""

from __future__ import annotations

import pytest

from relay.domain.exceptions import UsernameTakenError
from relay.exceptions import InvalidRequestError, UnauthorizedError
from relay.services import UserService, hash_api_key


@pytest.fixture
def service(user_repo):
    return UserService(user_repo)


def test_create_user_normalises_username_and_email(service, user_repo):
    user, _ = service.create_user("Alice.B", "Alice@Example.COM")
    assert (user.username, user.email) == ("alice.b", "alice@example.com")
    stored = user_repo.users[user.user_id]
    assert (stored.username, stored.email) == ("alice.b", "alice@example.com")
    assert user_repo.usernames == {"alice.b": user.user_id}
    assert user_repo.emails == {"alice@example.com": user.user_id}
    assert user.user_id.startswith("usr_")


def test_create_user_stores_only_the_hash_of_the_key(service, user_repo):
    user, key = service.create_user("alice", "alice@example.com")
    assert key.startswith("rk_") and len(key) > 30
    assert user_repo.key_hashes == {hash_api_key(key): user.user_id}
    everything = repr(vars(user_repo))
    assert key not in everything
    assert key[3:] not in everything


def test_hash_api_key_is_hex_sha256():
    import hashlib

    assert hash_api_key("rk_abc") == hashlib.sha256(b"rk_abc").hexdigest()


def test_create_user_with_a_chosen_key(service, user_repo):
    _, key = service.create_user("alice", "alice@example.com", api_key="rk_0123456789abcdef")
    assert key == "rk_0123456789abcdef"
    assert hash_api_key(key) in user_repo.key_hashes


def test_keys_are_different_per_user(service):
    _, one = service.create_user("alice", "alice@example.com")
    _, two = service.create_user("bob", "bob@example.com")
    assert one != two


def test_admin_flag(service, user_repo):
    user, _ = service.create_user("root", "root@example.com", is_admin=True)
    assert user_repo.users[user.user_id].is_admin is True


@pytest.mark.parametrize("username", ["a", "_alice", "-a", "al ice", "alice!", "x" * 64, "", "   "])
def test_invalid_usernames(service, user_repo, username):
    with pytest.raises(InvalidRequestError) as info:
        service.create_user(username, "ok@example.com")
    assert info.value.code == "INVALID_USERNAME"
    assert user_repo.users == {}


@pytest.mark.parametrize("username", [" alice", "alice ", "alice\n", "\u212aelvin"])
def test_usernames_are_checked_as_given(service, user_repo, username):
    # What the API documents (USERNAME_PATTERN) is what it takes: no trimming, and nothing
    # that only lowercases into the pattern (the Kelvin sign lowercases to "k"). The CLI trims.
    with pytest.raises(InvalidRequestError) as info:
        service.create_user(username, "ok@example.com")
    assert info.value.code == "INVALID_USERNAME"


@pytest.mark.parametrize(
    "email",
    [
        "nope",
        "a@b",
        "a@b.c",
        "a b@example.com",
        "@example.com",
        "a@@example.com",
        " a@example.com",
        "a..b@example.com",
        ".a@example.com",
        "a@-example.com",
        "jos\u00e9@example.com",
        "a@example.c0m",
        "x" * 65 + "@example.com",
        "a@" + "b" * 250 + ".com",
    ],
)
def test_invalid_emails(service, user_repo, email):
    with pytest.raises(InvalidRequestError) as info:
        service.create_user("alice", email)
    assert info.value.code == "INVALID_EMAIL"
    assert user_repo.users == {}


def test_too_short_chosen_key(service, user_repo):
    with pytest.raises(InvalidRequestError) as info:
        service.create_user("alice", "alice@example.com", api_key="short")
    assert info.value.code == "INVALID_API_KEY"
    assert user_repo.users == {} and user_repo.key_hashes == {}


def test_duplicate_username_is_refused_by_the_repository(service, user_repo):
    service.create_user("alice", "alice@example.com")
    with pytest.raises(UsernameTakenError):
        service.create_user("ALICE", "other@example.com")
    assert len(user_repo.users) == 1


def test_authenticate_returns_the_user(service):
    user, key = service.create_user("alice", "alice@example.com")
    assert service.authenticate(key) == user


@pytest.mark.parametrize("key", [None, ""])
def test_authenticate_without_a_key(service, key):
    with pytest.raises(UnauthorizedError) as info:
        service.authenticate(key)
    assert info.value.code == "MISSING_API_KEY"
    assert info.value.status == 401


def test_authenticate_with_a_wrong_key(service):
    _, key = service.create_user("alice", "alice@example.com")
    for wrong in ("rk_wrong", key + "x", key.upper(), hash_api_key(key)):
        with pytest.raises(UnauthorizedError) as info:
            service.authenticate(wrong)
        assert info.value.code == "INVALID_API_KEY"


def test_find_normalises(service):
    user, _ = service.create_user("alice", "alice@example.com")
    assert service.find("  ALICE ") == user
    assert service.find("nobody") is None
