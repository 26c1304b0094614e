"""``keys``: create, list and revoke API keys."""

from __future__ import annotations

import click

from matcher.model import Role
from service.cli.common import run_container


@click.group()
def keys() -> None:
    """Create, list and revoke API keys."""


@keys.command(name="create")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="What the key may do: clinician (search), ke_staff (contacts, batches), admin (all).",
)
@click.option("--name", required=True, help="Who holds the key (shown in introductions).")
@click.pass_context
def keys_create(ctx: click.Context, role: str, name: str) -> None:
    """Create a key and print it once (only its hash is stored)."""
    key, secret = run_container(ctx).accounts.create_key(name=name, role=Role(role))
    click.echo(f"created {key.id} ({key.role.value}, {key.name}); the key, shown only now:")
    click.echo(secret)


@keys.command(name="list")
@click.pass_context
def keys_list(ctx: click.Context) -> None:
    """List keys (never the secrets)."""
    for key in run_container(ctx).accounts.list_keys():
        state = f"revoked {key.revoked_at}" if key.revoked_at else "active"
        click.echo(
            f"{key.id}  {key.role.value:<10} {key.name}  ({state}, created {key.created_at})"
        )


@keys.command(name="revoke")
@click.argument("key_id")
@click.pass_context
def keys_revoke(ctx: click.Context, key_id: str) -> None:
    """Revoke a key and end its web sessions."""
    key = run_container(ctx).accounts.revoke_key(key_id)
    click.echo(f"revoked {key.id} ({key.name})")
