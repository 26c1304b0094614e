"""``adapt``: adapt the model to the pool's own texts, then rebuild the index."""

from __future__ import annotations

import click

from index.encoders.adapt import OBJECTIVES as ADAPT_OBJECTIVES
from index.encoders.adapt import AdaptationConfig, activate, texts_from_profiles
from index.encoders.adapt import adapt as adapt_model
from index.encoders.base import packaged_model_path
from service.cli.common import forget_container, progress_bar, run_container, run_settings
from service.container import open_catalogue


@click.command()
@click.option(
    "--objective",
    type=click.Choice(list(ADAPT_OBJECTIVES)),
    default=None,
    help="Training pairs: title ↔ body of an item, an item and itself under dropout (simcse), "
    "or two items of one profile.",
)
@click.option("--epochs", type=click.IntRange(1, 20), default=None, help="Passes over the texts.")
@click.option("--lr", type=click.FloatRange(1e-7, 1e-3), default=None, help="Peak learning rate.")
@click.option(
    "--anchor",
    type=click.FloatRange(0, 1000),
    default=None,
    help="Weight of the pull toward the original model's embeddings (0: none).",
)
@click.option("--seed", type=int, default=None, help="Seed of shuffling and dropout.")
@click.option("--off", is_flag=True, help="Go back to the unadapted model.")
@click.option("--no-build", is_flag=True, help="Do not re-embed the pool and rebuild the index.")
@click.pass_context
def adapt(
    ctx: click.Context,
    objective: str | None,
    epochs: int | None,
    lr: float | None,
    anchor: float | None,
    seed: int | None,
    off: bool,
    no_build: bool,
) -> None:
    """Adapt the model to the pool's own texts (no ratings needed), then rebuild the index.

    The adapted model is kept under the data directory's models/ folder, named by a fingerprint
    of base model, objective, hyperparameters and texts, and is used from then on (unless
    KE_MATCHER_ADAPTED_MODEL says otherwise); its id is in the index manifest and the cache.
    """
    if off:
        activate(run_settings(ctx).model_cache_dir, None)
        click.echo("adaptation off: the encoders use the unadapted model")
    else:
        defaults = AdaptationConfig()
        config = AdaptationConfig(
            objective=objective or defaults.objective,
            epochs=epochs or defaults.epochs,
            learning_rate=lr or defaults.learning_rate,
            anchor=defaults.anchor if anchor is None else anchor,
            seed=defaults.seed if seed is None else seed,
        )
        _adapt_to_pool(ctx, config)
    if no_build:
        return
    forget_container(ctx)  # the old container's encoder holds the previous model
    container = run_container(ctx)
    with progress_bar(ctx, "embedding") as progress:
        click.echo(container.sync(progress=progress).summary())


def _adapt_to_pool(ctx: click.Context, config: AdaptationConfig) -> None:
    """Train (or reuse) the model adapted to the catalogue's texts and make it active."""
    settings = run_settings(ctx)
    catalogue = open_catalogue(settings)
    try:
        texts = texts_from_profiles(catalogue.iter_profiles())
    finally:
        catalogue.close()
    base = settings.model_path or packaged_model_path()
    with progress_bar(ctx, "adapting") as progress:
        adapted = adapt_model(
            texts,
            base_path=base,
            models_dir=settings.model_cache_dir,
            config=config,
            progress=progress,
        )
    activate(settings.model_cache_dir, adapted)
    how = (
        "reused" if adapted.reused else f"trained in {adapted.seconds:.0f} s, {adapted.steps} steps"
    )
    click.echo(f"adapted model {adapted.name} ({adapted.texts} texts, {how})")
    if settings.adapted_model != "auto":
        click.echo(
            f"note: KE_MATCHER_ADAPTED_MODEL={settings.adapted_model}, so the encoders do "
            "not use it until that setting is 'auto'",
            err=True,
        )
