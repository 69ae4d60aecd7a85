"""Behind LAUREL_PROXY_HOPS reverse proxies, the visitor's address is the forwarded one."""

from __future__ import annotations

from flask import request

from app import create_app


def _remote_addr_seen(app_config, hops: int) -> str:
    app_config["LAUREL_PROXY_HOPS"] = hops
    application = create_app(app_config)

    @application.get("/_test/remote")
    def remote():
        return request.remote_addr or ""

    response = application.test_client().get(
        "/_test/remote",
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    return response.get_data(as_text=True)


def test_proxy_hops_zero_forwarded_header_ignored(app_config):
    assert _remote_addr_seen(app_config, 0) == "10.0.0.2"


def test_proxy_hops_one_forwarded_address_used(app_config):
    assert _remote_addr_seen(app_config, 1) == "203.0.113.7"
