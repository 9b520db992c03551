"""`relay local`: the local cloud, a seeded dev user, and the API on uvicorn."""

from __future__ import annotations

import os
import sys

from relay.exceptions import RelayError

from . import LocalCloud
from .web import WebFiles

DEV_USERNAME = "dev"


def seed_dev_user(relay) -> tuple[str, bool]:
    """The dev user's key: RELAY_DEV_API_KEY if set (seeded as given), else a new one."""
    given = os.environ.get("RELAY_DEV_API_KEY") or None
    _, key = relay.users.create_user(DEV_USERNAME, "dev@relay.local", is_admin=True, api_key=given)
    return key, given is None


# Where the providers are: this process's environment becomes the template's parameters, so
# RunStep gets them as it would in the cloud. The keys go into the template's secret.
PROVIDER_PARAMETERS = {
    "OPENAI_BASE_URL": "OpenAIBaseUrl",
    "ANTHROPIC_BASE_URL": "AnthropicBaseUrl",
    "RELAY_COMFYUI_URL": "ComfyUIUrl",
}
# Settings a deployer sets as parameters, taken from the environment the same way.
SETTING_PARAMETERS = {
    "RELAY_COMFYUI_NODE_ALLOW_LIST": "ComfyUINodeAllowList",
}


def provider_parameters(environ=os.environ) -> dict[str, str]:
    return {param: environ[var] for var, param in PROVIDER_PARAMETERS.items() if environ.get(var)}


def template_parameters(environ=os.environ) -> dict[str, str]:
    """The template's parameters this environment sets: the providers' and the settings'."""
    settings = {param: environ[var] for var, param in SETTING_PARAMETERS.items() if environ.get(var)}
    return {**provider_parameters(environ), **settings}


def providers_line(cloud) -> str:
    """What api.llm can reach: echo always; openai/anthropic when their key was passed."""
    keys = cloud.provider_keys
    named = [name for name, key in (("openai", "openai_api_key"), ("anthropic", "anthropic_api_key")) if keys.get(key)]
    urls = provider_parameters()
    where = f" (base URLs: {', '.join(f'{k}={v}' for k, v in urls.items())})" if urls else ""
    return ", ".join(["echo", *named]) + where + ("" if named else "   (set OPENAI_API_KEY / ANTHROPIC_API_KEY for more)")


def run_local(args) -> int:
    import uvicorn

    from relay.api import create_app
    from relay.bootstrap import Relay
    from relay.settings import ApiSettings

    cloud = LocalCloud(args.template, port=args.aws_port, parameters=template_parameters())
    try:
        cloud.start()
        relay = Relay(ApiSettings())
        try:
            key, generated = seed_dev_user(relay)
        except RelayError as exc:  # e.g. a RELAY_DEV_API_KEY too short to be a key
            print(f"error: RELAY_DEV_API_KEY: {exc.code}: {exc.detail}", file=sys.stderr)
            return 2
        base = f"http://{args.host}:{args.port}"
        print(
            f"""
Relay is running locally.
  Web UI         {base}/
  API            {base}/v1
  Docs           {base}/docs   (OpenAPI: {base}/openapi.json)
  Local cloud    {cloud.endpoint_url}  (DynamoDB, S3, Step Functions, Logs; AWS_ENDPOINT_URL)
  Dev API key    {key}{"   (generated; set RELAY_DEV_API_KEY to choose it)" if generated else ""}
  LLM providers  {providers_line(cloud)}
  ComfyUI        {os.environ.get("RELAY_COMFYUI_URL") or "not configured (set RELAY_COMFYUI_URL for media.generate)"}

  curl -H "Authorization: Bearer {key}" {base}/v1/runs

State is in memory and ends with this process. Ctrl-C stops.
""",
            flush=True,
        )
        # The web UI on the API's origin, only here: the deployed API never serves web/.
        app = WebFiles(create_app(relay), s3_origin=cloud.endpoint_url)
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    except KeyboardInterrupt:
        pass
    finally:
        cloud.stop()
    print("Relay stopped.", file=sys.stderr)
    return 0
