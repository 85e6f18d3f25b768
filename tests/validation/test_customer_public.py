"""customer_public: what the validation loops over instead of the inventory entry."""

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.loomgraph.lightrag_pg.plugins.filter.customer_public import customer_public


class _Undefined(dict):
    """An entry whose pg_password refers to a variable that is not defined."""

    def __getitem__(self, key):
        if key == "pg_password":
            raise KeyError("vault_lightrag_pg_passwords is undefined")
        return dict.__getitem__(self, key)


@pytest.mark.parametrize("value, state", [
    ("s3cret-拼 #${X}", "set"),
    ("", "empty"),
    ("   ", "empty"),
    (None, "empty"),
    ("CHANGE-ME", "placeholder"),
    ("changeme", "placeholder"),
    (" Change_Me ", "placeholder"),
    ("CHANGE-ME-later-2026", "set"),
])
def test_each_secret_becomes_a_flag_and_a_state(value, state):
    public = customer_public({"name": "pinpianyi", "pg_port": 5432, "pg_password": value})
    assert public == {"name": "pinpianyi", "pg_port": 5432,
                      "has_pg_password": state == "set", "pg_password_state": state}


def test_an_undefined_secret_is_reported_as_such():
    public = customer_public(_Undefined(name="pinpianyi", pg_password="{{ x }}", pg_superuser_password="pw"))
    assert public["pg_password_state"] == "undefined" and public["has_pg_password"] is False
    assert public["pg_superuser_password_state"] == "set"


def test_nested_secrets_are_hidden_too():
    public = customer_public({"name": "a", "embedding": {"dim": 768, "api_key": "sk-123"}})
    assert public["embedding"] == {"dim": 768, "has_api_key": True, "api_key_state": "set"}
    assert "sk-123" not in repr(public)


def test_a_missing_secret_has_no_keys():
    assert customer_public({"name": "a"}) == {"name": "a"}


def test_an_entry_that_is_not_a_mapping_is_refused():
    with pytest.raises(AnsibleFilterError):
        customer_public("pinpianyi")
