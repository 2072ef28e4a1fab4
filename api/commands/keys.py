"""``credgraph keys``: create, list and revoke API keys (kept as hashes in DATA_DIR/keys.json)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.clikit import JsonOpt, run
from api.keys import KeyInfo, KeyRing, Role
from graph.settings import Settings

keys = typer.Typer(help="API keys and their roles", no_args_is_help=True)


def ring() -> KeyRing:
    return KeyRing(Settings().keys_path)


@keys.command("create")
def create(
    name: Annotated[str, typer.Option(help="who holds the key (the caller in the audit trail)")],
    role: Annotated[Role, typer.Option(help="public, approver, investigator or admin")],
) -> None:
    """Create a key and print it once: it is stored only as a hash."""
    secret = run(lambda: ring().create(name, role))
    typer.echo(secret)
    typer.secho(f"key {name!r} ({role}) created; it is not shown again", err=True)


@keys.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """Every key: name, role, created, revoked (never the key)."""
    found = run(lambda: ring().list())
    if as_json:
        typer.echo("[" + ",".join(k.model_dump_json() for k in found) + "]")
        return
    for k in found:
        state = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "active"
        typer.echo(f"{k.name:32} {k.role:13} {k.created_at:%Y-%m-%d %H:%M}  {state}")
    if not found:
        typer.echo("(no keys: the service serves only on a loopback address)")


@keys.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="the key's name")]) -> None:
    """Revoke a key: it stops working at once, in a running service too."""
    info: KeyInfo = run(lambda: ring().revoke(name))
    typer.echo(f"key {info.name!r} revoked")


def register(app: typer.Typer) -> None:
    """Add ``keys`` to ``app``."""
    app.add_typer(keys, name="keys")


def demo_keys(settings: Settings) -> dict[Role, str]:
    """One key per role for the demo (``demo-ROLE``), each written to DATA_DIR/demo-keys/ROLE
    (mode 0600) so the README's examples can read it; made once, kept on later runs."""
    import os

    folder = settings.data_dir / "demo-keys"
    folder.mkdir(parents=True, exist_ok=True)
    known = {k.name for k in KeyRing(settings.keys_path).list()}
    made: dict[Role, str] = {}
    for role in Role:
        path = folder / str(role)
        if f"demo-{role}" in known and path.exists():
            made[role] = str(path)
            continue
        if f"demo-{role}" in known:
            KeyRing(settings.keys_path).revoke(f"demo-{role}")
            continue  # its key file was removed: the key stays revoked
        secret = KeyRing(settings.keys_path).create(f"demo-{role}", role)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secret + "\n")
        made[role] = str(path)
    return made
