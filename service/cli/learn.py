"""``learn``: train the re-ranker on the current pool (and feedback, when there is enough)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import cast

import click

from index.vectors.manifest import Manifest
from matcher.rerank import MODEL_KINDS, ModelKind
from service.cli.common import run_container
from service.search.feedback import record_bid_outcomes, record_outcomes
from service.search.rerank import (
    MODEL_FILE,
    TRAIN_ITEMS,
    feedback_rows,
    save,
    train,
)


@click.command()
@click.option(
    "--kind",
    type=click.Choice(list(MODEL_KINDS)),
    default="logistic",
    show_default=True,
    help="The model: logistic regression or histogram gradient boosting.",
)
@click.option(
    "--items",
    type=click.IntRange(10, 100_000),
    default=TRAIN_ITEMS,
    show_default=True,
    help="Items of the pool held out as pseudo-briefs (each whole, title only, first sentence).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Sampling seed.")
@click.option("--off", is_flag=True, help="Remove the current index version's re-ranker.")
@click.pass_context
def learn(ctx: click.Context, kind: str, items: int, seed: int, off: bool) -> None:
    """Train the re-ranker on the pool's own structure, with no ratings: an item held out as a
    brief, its own profile the positive, the closest other profiles the negatives; and on users'
    feedback (result cards' "relevant / not relevant", introduction outcomes, funded bids'
    members) once there are at
    least 50 labels from 10 briefs (docs/quality.md, "Feedback").

    The model is saved beside the current index version and recorded in its manifest; the
    ranking profiles chosen in docs/quality.md use it (unless KE_MATCHER_RERANKER=off). A new
    index version has none until learn runs again.
    """
    container = run_container(ctx)
    snap = container.engine.reload()
    if snap.path is None:
        raise click.ClickException("the index has no version on disk; run 'matcher build'")
    directory = Path(snap.path)
    if off:
        (directory / MODEL_FILE).unlink(missing_ok=True)
        replace(Manifest.read(directory), reranker=None).write(directory)
        click.echo(f"re-ranker removed from index version {snap.manifest.version}")
        return
    added = record_outcomes(container.engine, container.feedback, container.introductions)
    if added:
        click.echo(f"{added} introduction outcomes recorded as feedback")
    funded = record_bid_outcomes(container.engine, container.feedback, container.bids)
    if funded:
        click.echo(f"{funded} members of funded bids recorded as relevant feedback")
    labels = feedback_rows(
        container.feedback.labels(model_id=snap.manifest.model_id), model_id=snap.manifest.model_id
    )
    click.echo(labels.message)
    try:
        learned = train(
            snap,
            container.catalogue,
            container.encoder,
            kind=cast(ModelKind, kind),
            items=items,
            seed=seed,
            feedback=labels,
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    manifest = save(directory, learned)
    record = manifest.reranker or {}
    shapes = ", ".join(f"{n} {s}" for n, s in record.get("pseudo_briefs", {}).items())
    click.echo(
        f"re-ranker ({kind}) trained on index version {manifest.version}: {record.get('rows')} "
        f"rows from pseudo-briefs ({shapes}) and {record.get('feedback_rows')} feedback labels "
        f"in {record.get('seconds')} s"
    )
